/* The hotel table of dashboard.html: sort by a column, filter by chain, country, status and
   text, 50 rows at a time (20 cards on a phone) (issue 17 §1: 2,000 hotels). Progressive enhancement: without this
   script every row shows and the filter stays hidden. It reads the table, never data written
   into the script, so no hotel name is ever JavaScript; the page's Content-Security-Policy lets
   only this exact script run. */
(function () {
  "use strict";
  var PAGE = window.matchMedia("(max-width: 40rem)").matches ? 20 : 50;  // a card is taller
  var table = document.getElementById("hotels");
  var form = document.getElementById("hotel-filter");
  if (!table || !form) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var count = document.getElementById("hotel-count");
  var more = document.getElementById("hotel-more");
  var collator = new Intl.Collator("en", {sensitivity: "base", numeric: true});
  var total = rows.length.toLocaleString("en");
  var shown = PAGE, key = null, dir = 1, timer = null, said = "";
  var STATES = {certified: ["certified", "lapsing"], lapsing: ["lapsing"],
                not: ["close", "not"], close: ["close"], none: ["none"]};

  rows.forEach(function (r, i) {  // the free text searches name, code, chain and place
    var place = r.querySelector("td.place");
    r.order = i;
    r.words = [r.cells[0].textContent, r.dataset.chain, place ? place.textContent : ""]
      .join(" ").toLowerCase();
  });

  function compare(a, b) {
    if (!key) return a.order - b.order;
    var va = a.dataset[key], vb = b.dataset[key];
    if ((va === "") !== (vb === "")) return va === "" ? 1 : -1;  // no value: always last
    var c = key === "name" ? collator.compare(va, vb)
      : key === "until" ? (va < vb ? -1 : va > vb ? 1 : 0) : Number(va) - Number(vb);
    return dir * c || a.order - b.order;
  }

  function matches(r, f) {
    return (f.chain === "*" || r.dataset.chain === f.chain)
      && (f.country === "*" || r.dataset.country === f.country)
      && (f.status === "*" || STATES[f.status].indexOf(r.dataset.state) >= 0)
      && (!f.q || r.words.indexOf(f.q) >= 0);
  }

  function say(hits) {
    var n = hits.toLocaleString("en");
    var text = hits === rows.length ? total + " hotels" : hits === 0
      ? "No hotel matches; clear the filters to see all " + total
      : n + " of " + total + " hotels match";
    if (hits > shown) text += "; showing the first " + shown.toLocaleString("en");
    text += ".";
    if (text !== said) count.textContent = said = text;
  }

  function apply() {
    var f = {chain: form.chain.value, country: form.country.value, status: form.status.value,
             q: form.q.value.trim().toLowerCase()};
    var hits = [], rest = [];
    rows.forEach(function (r) { (matches(r, f) ? hits : rest).push(r); });
    hits.sort(compare);
    var frag = document.createDocumentFragment();
    hits.forEach(function (r, i) { r.hidden = i >= shown; frag.appendChild(r); });
    rest.forEach(function (r) { r.hidden = true; frag.appendChild(r); });
    body.appendChild(frag);
    more.hidden = hits.length <= shown;
    more.textContent = "Show " + Math.min(PAGE, hits.length - shown) + " more hotels";
    say(hits.length);
    return hits;
  }

  function sortBy(th) {
    var k = th.getAttribute("data-key");
    dir = key === k ? -dir : 1;
    key = k;
    table.querySelectorAll("th[data-key]").forEach(function (h) {
      h.setAttribute("aria-sort", h === th ? (dir > 0 ? "ascending" : "descending") : "none");
    });
    shown = PAGE;
    apply();
  }

  table.querySelectorAll("th[data-key]").forEach(function (th) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.setAttribute("aria-sort", "none");
    th.appendChild(button);
    button.addEventListener("click", function () { sortBy(th); });
  });
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  form.addEventListener("change", function () { shown = PAGE; apply(); });
  form.q.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { shown = PAGE; apply(); }, 250);
  });
  more.addEventListener("click", function () {
    var first = shown;
    shown += PAGE;
    var hits = apply();
    if (more.hidden && hits[first]) hits[first].cells[0].focus();  // the button is gone
  });
  form.hidden = false;
  table.classList.add("sortable");
  apply();
})();
