/* The cmi5 launcher of the all-languages package (<course>_mul_cmi5.zip): one AU for every
 * language, the language taken from the learner's cmi5 preference (cmi5 spec, "Learner
 * Preferences": the Agent Profile cmi5LearnerPreferences, languagePreference = RFC 5646 codes in
 * order of preference). The token comes from NoroomCmi5Token (cmi5_token.js, inlined before this
 * script), the same code the language page's cmi5 adapter uses: the page reuses the kept token
 * instead of asking the fetch URL again, which would answer its error JSON. No match, no profile
 * or no token: the chooser (a link per language, named in itself). Then <lang>/index.html with
 * the same query. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("launcher-data").textContent);
  var codes = data.languages.map(function (l) { return l.code; });
  var q = new URLSearchParams(location.search);
  var endpoint = q.get("endpoint") || "", fetchUrl = q.get("fetch"), actor = q.get("actor");
  var chooser = document.getElementById("chooser"), notice = document.getElementById("notice");
  var gone = false;
  document.documentElement.className = "waiting";

  function go(code) {
    if (gone) return;
    gone = true;
    location.replace(code + "/index.html" + location.search);
  }
  /* RFC 4647 lookup, simplified: per preference in order, the same tag, else the same primary
   * subtag ("pl-PL" finds "pl"). */
  function pick(preference) {
    var wanted = String(preference || "").split(",");
    for (var i = 0; i < wanted.length; i++) {
      var tag = wanted[i].trim().toLowerCase(), primary = tag.split("-")[0];
      if (!primary) continue;
      for (var j = 0; j < codes.length; j++) if (codes[j].toLowerCase() === tag) return codes[j];
      for (j = 0; j < codes.length; j++) if (codes[j].toLowerCase().split("-")[0] === primary) return codes[j];
    }
    return null;
  }
  function choose(problem) {
    if (gone) return;
    if (problem) {
      // Which language to say it in is not known yet: the browser's, else the course's first.
      var lang = pick((navigator.languages || [navigator.language]).join(",")) || codes[0];
      var found = data.languages.filter(function (l) { return l.code === lang; })[0];
      notice.textContent = found.notSaved;
      notice.lang = lang;
      notice.hidden = false;
    }
    document.documentElement.className = "ready";
    var first = chooser.querySelector("a");
    if (first) first.focus();
  }
  var links = chooser.querySelectorAll("a[hreflang]");
  for (var k = 0; k < links.length; k++) {
    links[k].href = links[k].getAttribute("href") + location.search;
    links[k].addEventListener("click", function (e) {
      e.preventDefault();
      go(this.getAttribute("hreflang"));
    });
  }
  if (!endpoint || !fetchUrl || !actor) return choose(false); // not launched by a cmi5 LMS
  if (endpoint.charAt(endpoint.length - 1) !== "/") endpoint += "/";
  // An LMS that never answers must not leave the learner on a blank page.
  setTimeout(function () { choose(false); }, 10000);

  function preferences(auth) {
    var url = endpoint + "agents/profile?profileId=cmi5LearnerPreferences&agent=" + encodeURIComponent(actor);
    return fetch(url, { headers: { Authorization: auth, "X-Experience-API-Version": "1.0.3" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (profile) { return profile || {}; }, function () { return {}; });
  }
  window.NoroomCmi5Token(fetchUrl).then(function (body) {
    if (!body || !body["auth-token"]) {
      if (window.console) console.error("noroom: the LMS's cmi5 fetch URL gave no token: " + JSON.stringify(body));
      return choose(true);
    }
    return preferences("Basic " + body["auth-token"]).then(function (profile) {
      var code = pick(profile.languagePreference);
      return code ? go(code) : choose(false);
    });
  }, function (e) {
    if (window.console) console.error("noroom: the LMS's cmi5 fetch URL failed: " + e);
    choose(true);
  });
}());
