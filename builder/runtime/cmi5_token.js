/* The cmi5 auth token, POSTed for at most once per launch: the fetch URL answers once (cmi5 spec,
 * "fetch URL"), a second POST gets the LMS's error JSON. The answer is kept in sessionStorage
 * under "noroom.cmi5.token.<fetch URL>", so a reload in the same tab, and the language page the
 * all-languages launcher opens, reuse it. The error JSON is kept too: asking again would only
 * repeat it, so the page goes untracked with its notice. A network error keeps nothing: the next
 * page load tries the fetch URL once more. The build puts this file before launcher.js and
 * before adapters/cmi5.js (builder/render.py), so both read and write the same key. */
window.NoroomCmi5Token = function (fetchUrl) {
  "use strict";
  var key = "noroom.cmi5.token." + fetchUrl, kept = null;
  try { kept = JSON.parse(sessionStorage.getItem(key) || "null"); } catch (e) { kept = null; }
  if (kept && (kept["auth-token"] || kept["error-code"])) return Promise.resolve(kept);
  return fetch(fetchUrl, { method: "POST" }).then(function (r) { return r.json(); }).then(function (body) {
    try { sessionStorage.setItem(key, JSON.stringify(body || {})); } catch (e) { /* blocked: this page only */ }
    return body;
  });
};
