/* cmi5 AU (cmi5 spec, "AU requirements"): reads endpoint, fetch, actor, registration, activityId;
 * gets the auth token from NoroomCmi5Token (cmi5_token.js, put before this file: one POST per
 * launch, kept per tab, so a reload stays in the same session) and handles the LMS's error JSON
 * (console.error, the not_saved notice); reads LMS.LaunchData (launchMode, masteryScore,
 * returnURL, contextTemplate) from the State API and the learner's cmi5LearnerPreferences from
 * the Agent Profile API before any statement is sent (11.0.0.0-3: an LMS refuses statements
 * until the AU has read them; the all-languages launcher has already used languagePreference to
 * open this page, a page of one language has no other language to offer). Then the NoroomXapi
 * core with the cmi5 session rules (see xapi.js): statements carry the context template
 * (session id, publisher id, hotel), the cmi5 category on the cmi5 defined verbs and the moveOn
 * category on the verdicts, passed/failed the LMS's masteryScore extension (9.6.3.2-2); no
 * verdict in Browse or Review; Finish sends terminated last and then goes to returnURL, which is
 * followed only when it is http(s) (a javascript: URL would run in the package's origin). */
window.NoroomAdapter = function (data, hooks) {
  "use strict";
  var q = new URLSearchParams(location.search), actor = null;
  try { actor = JSON.parse(q.get("actor") || "null"); } catch (e) { actor = null; }
  var endpoint = q.get("endpoint"), fetchUrl = q.get("fetch");
  var registration = q.get("registration"), activityId = q.get("activityId");
  if (!endpoint || !fetchUrl || !actor || !registration || !activityId) return window.NoroomUntracked;
  if (endpoint.charAt(endpoint.length - 1) !== "/") endpoint += "/";
  var CMI5 = "https://w3id.org/xapi/cmi5/context/categories/cmi5";
  var MOVEON = "https://w3id.org/xapi/cmi5/context/categories/moveon";
  var SESSION = "https://w3id.org/xapi/cmi5/context/extensions/sessionid";
  var MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore";
  var inner = null, launch = {}, returnURL = null, left = false;

  function get(url, auth) {
    var abort = window.AbortController ? new AbortController() : null;
    var guard = abort ? setTimeout(function () { abort.abort(); }, 8000) : null;
    return fetch(url, { headers: { Authorization: auth, "X-Experience-API-Version": "1.0.3" },
      signal: abort ? abort.signal : undefined })
      .then(function (r) { clearTimeout(guard); return r; }, function () { clearTimeout(guard); return null; });
  }
  /* The learner preferences, asked until the LMS answers (200, or 404: none set): only then
   * will it take statements. The promise gives the preferences or {}. */
  function preferences(auth) {
    var url = endpoint + "agents/profile?profileId=cmi5LearnerPreferences&agent=" +
      encodeURIComponent(JSON.stringify(actor));
    var wait = 1000;
    function ask() {
      return get(url, auth).then(function (r) {
        if (r && (r.ok || r.status === 404)) return r.ok ? r.json().catch(function () { return {}; }) : {};
        return new Promise(function (ok) { setTimeout(ok, wait); }).then(function () {
          wait = Math.min(wait * 2, 30000); return ask();
        });
      });
    }
    return ask();
  }
  /* The LMS's return URL, when it is http(s) (relative to this page), else none. */
  function safeURL(url) {
    try {
      var u = new URL(String(url), location.href);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (e) { return null; }
  }
  function decorate(st, verb) {
    // The context template wins over the core's context (10.2.1.0-6: it is the template).
    var t = JSON.parse(JSON.stringify(launch.contextTemplate || {})), ctx = st.context;
    ctx.extensions = Object.assign({}, ctx.extensions || {}, t.extensions || {});
    ctx.contextActivities = Object.assign({}, ctx.contextActivities || {}, t.contextActivities || {});
    var cmi5Defined = ["initialized", "passed", "failed", "completed", "terminated"].indexOf(verb) >= 0;
    if (cmi5Defined) {
      var cats = (ctx.contextActivities.category || []).slice();
      cats.push({ id: CMI5 });
      if (verb !== "initialized" && verb !== "terminated") cats.push({ id: MOVEON });
      ctx.contextActivities.category = cats;
    }
    if ((verb === "passed" || verb === "failed") && typeof launch.masteryScore === "number") {
      ctx.extensions[MASTERY] = launch.masteryScore;
    }
    if (!Object.keys(ctx.contextActivities).length) delete ctx.contextActivities;
    return st;
  }
  var pending = [];
  function later(name) {
    return function () {
      var args = arguments;
      if (inner) return inner[name].apply(inner, args);
      pending.push([name, args]);
      return true;
    };
  }
  function leave() {
    if (left || !returnURL) return;
    left = true;
    location.href = returnURL;
  }
  function begin(auth) {
    var agent = encodeURIComponent(JSON.stringify(actor));
    var stateUrl = endpoint + "activities/state?stateId=LMS.LaunchData&activityId=" +
      encodeURIComponent(activityId) + "&agent=" + agent + "&registration=" + encodeURIComponent(registration);
    var prefs = preferences(auth);
    return get(stateUrl, auth).then(function (r) {
      return r && r.ok ? r.json().catch(function () { return null; }) : null;
    }).then(function (got) {
      launch = got && typeof got === "object" ? got : {};
      returnURL = launch.returnURL ? safeURL(launch.returnURL) : null;
      if (launch.returnURL && !returnURL && window.console) console.error("noroom: the LMS's returnURL is not http(s); not followed");
      var mode = String(launch.launchMode || "Normal").toLowerCase();
      var ext = (launch.contextTemplate || {}).extensions || {};
      var mastery = typeof launch.masteryScore === "number" ? launch.masteryScore : null;
      inner = window.NoroomXapi(data, hooks, { endpoint: endpoint, auth: auth, actor: actor,
        registration: registration, course: activityId, hotel: ext[data.xapi.hotelExt] || "",
        session: String(ext[SESSION] || activityId + "|" + registration), ready: prefs,
        decorate: decorate, mode: mode, mastery: mastery, judged: mode === "normal", onExit: leave });
      pending.forEach(function (p) { inner[p[0]].apply(inner, p[1]); });
      pending = [];
      return inner.start();
    });
  }
  return {
    start: function () {
      return window.NoroomCmi5Token(fetchUrl).then(function (body) {
        if (!body || !body["auth-token"]) {
          // The LMS's error JSON ({"error-code", "error-text"}): untracked, and the learner
          // sees the not_saved notice the runtime shows for {tracked: false}.
          if (window.console) console.error("noroom: the LMS's cmi5 fetch URL gave no token: " + JSON.stringify(body));
          return { tracked: false };
        }
        return begin("Basic " + body["auth-token"]);
      }, function (e) {
        if (window.console) console.error("noroom: the LMS's cmi5 fetch URL failed: " + e);
        return { tracked: false };
      });
    },
    save: later("save"), page: later("page"), answer: later("answer"), complete: later("complete"),
    exit: later("exit"), flush: function () { if (inner) inner.flush(); }
  };
};
