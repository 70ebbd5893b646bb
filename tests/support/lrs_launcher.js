// Starts Learning Locker's statement service bound to 127.0.0.1 only: the service calls
// app.listen(port) (all interfaces), so listen() is wrapped to add the loopback host first.
const http = require("http");
const listen = http.Server.prototype.listen;
http.Server.prototype.listen = function (port, ...rest) {
  if (typeof port === "number" || typeof port === "string") {
    const cb = rest.find((a) => typeof a === "function");
    return listen.call(this, Number(port), "127.0.0.1", cb);
  }
  return listen.call(this, port, ...rest);
};
require(process.env.XAPI_STATEMENTS_DIR + "/dist/index.js");
