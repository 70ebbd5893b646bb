/* cmi5 AU (cmi5 spec, "AU requirements"): reads endpoint, fetch, actor, registration, activityId;
 * gets the auth token from NoroomCmi5Token (cmi5_token.js, put before this file: one POST per
 * launch, kept per tab, so a reload stays tracked) and handles the LMS's error JSON
 * (console.error, the not_saved notice); reads LMS.LaunchData (launchMode,
 * masteryScore, returnURL, contextTemplate) from the State API; sends initialized first,
 * passed/failed/completed with the cmi5 and moveOn categories and the context template (session
 * id, hotel), never a verdict in Browse or Review, terminated last, then goes to returnURL.
 * Each page is one language: context.language is that language. cmi5LearnerPreferences is read
 * by the launcher of the all-languages package (launcher.js), which opens this page in the
 * learner's language with the token already kept. Built on NoroomXapi. */
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
  var inner = null, launch = {}, returnURL = null;

  function getJSON(url, auth) {
    return fetch(url, { headers: { Authorization: auth, "X-Experience-API-Version": "1.0.3" } })
      .then(function (r) { return r.ok ? r.json() : null; }, function () { return null; });
  }
  function decorate(st, verb) {
    var template = launch.contextTemplate || {};
    var ctx = st.context, t = JSON.parse(JSON.stringify(template));
    ctx.extensions = Object.assign({}, t.extensions || {}, ctx.extensions || {});
    ctx.contextActivities = Object.assign({}, t.contextActivities || {}, ctx.contextActivities || {});
    var cmi5Defined = ["initialized", "passed", "failed", "completed", "terminated"].indexOf(verb) >= 0;
    if (cmi5Defined) {
      var cats = (ctx.contextActivities.category || []).slice();
      cats.push({ id: CMI5 });
      if (verb !== "initialized" && verb !== "terminated") cats.push({ id: MOVEON });
      ctx.contextActivities.category = cats;
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
  return {
    start: function () {
      return window.NoroomCmi5Token(fetchUrl).then(function (body) {
          if (!body || !body["auth-token"]) {
            // The LMS's error JSON ({"error-code", "error-text"}): untracked, and the learner
            // sees the not_saved notice the runtime shows for {tracked: false}.
            if (window.console) console.error("noroom: the LMS's cmi5 fetch URL gave no token: " + JSON.stringify(body));
            return { tracked: false };
          }
          var auth = "Basic " + body["auth-token"];
          var agent = encodeURIComponent(JSON.stringify(actor));
          var stateUrl = endpoint + "activities/state?stateId=LMS.LaunchData&activityId=" +
            encodeURIComponent(activityId) + "&agent=" + agent + "&registration=" + encodeURIComponent(registration);
          return getJSON(stateUrl, auth)
            .then(function (got) {
              launch = got || {};
              returnURL = launch.returnURL || null;
              var mode = String(launch.launchMode || "Normal").toLowerCase();
              var ext = (launch.contextTemplate || {}).extensions || {};
              var mastery = typeof launch.masteryScore === "number" ? launch.masteryScore : null;
              inner = window.NoroomXapi(data, hooks, { endpoint: endpoint, auth: auth, actor: actor,
                registration: registration, course: activityId, hotel: ext[data.xapi.hotelExt] || "",
                decorate: decorate, mode: mode, mastery: mastery, judged: mode === "normal",
                onExit: function () { if (returnURL) setTimeout(function () { location.href = returnURL; }, 400); } });
              pending.forEach(function (p) { inner[p[0]].apply(inner, p[1]); });
              pending = [];
              return inner.start();
            });
        }, function (e) {
          if (window.console) console.error("noroom: the LMS's cmi5 fetch URL failed: " + e);
          return { tracked: false };
        });
    },
    save: later("save"), page: later("page"), answer: later("answer"), complete: later("complete"),
    exit: later("exit"), flush: function () { if (inner) inner.flush(); }
  };
};
