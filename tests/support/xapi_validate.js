// Validates xAPI statements (JSON array on stdin) with Learning Locker's validator;
// prints [[index, [problems...]], ...] for the ones with problems.
const validate = require("@learninglocker/xapi-validation").default;
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", () => {
  const out = [];
  JSON.parse(input).forEach((s, i) => {
    const problems = validate(s);
    if (problems.length) out.push([i, problems.map((p) => JSON.stringify(p))]);
  });
  process.stdout.write(JSON.stringify(out));
});
