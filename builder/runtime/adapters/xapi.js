/* xAPI core: statements get their UUID here, wait in a localStorage queue per registration,
 * and are POSTed in batches; network errors, timeouts, 429 and 5xx keep them queued with backoff;
 * 409 means already stored; another 4xx drops the batch with a recorded reason and a visible
 * notice. On pagehide the queue is flushed with fetch(keepalive); anything still queued is sent
 * first on the next launch. Resume uses the State API (stateId "bookmark"). passed/completed go
 * out once per registration. The TinCan launcher below and cmi5.js both build on it. */
window.NoroomXapi = function (data, hooks, cfg) {
  "use strict";
  var X = data.xapi, V = X.verbs;
  var endpoint = cfg.endpoint, auth = cfg.auth, actor = cfg.actor;
  if (endpoint.charAt(endpoint.length - 1) !== "/") endpoint += "/";
  var course = cfg.course || X.course;
  var registration = cfg.registration || uuid();
  var hotel = cfg.hotel || "";
  var decorate = cfg.decorate || function (st) { return st; };
  var once = "noroom.sent." + registration;
  var qkey = "noroom.queue." + registration, started = Date.now(), sending = false, delay = 1000;
  var timer = null, failing = false, batchSize = 25, terminated = false;

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b); b[6] = b[6] & 15 | 64; b[8] = b[8] & 63 | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function load(key) { try { return JSON.parse(localStorage.getItem(key) || "[]"); } catch (e) { return []; } }
  function persist() { try { localStorage.setItem(qkey, JSON.stringify(queue)); } catch (e) { /* full: keep in memory */ } }
  var queue = load(qkey);
  function headers(type) {
    var h = { "X-Experience-API-Version": "1.0.3" };
    if (auth) h.Authorization = auth;
    if (type) h["Content-Type"] = type;
    return h;
  }
  function iso(ms) {
    var s = Math.round(ms / 10) / 100, h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    return "PT" + h + "H" + m + "M" + (s % 60).toFixed(2).replace(/\.?0+$/, "") + "S";
  }
  var names = {}; names[data.lang] = data.title;
  function courseObject() {
    return { objectType: "Activity", id: course, definition: { type: "http://adlnet.gov/expapi/activities/course",
      name: names, description: (function () { var d = {}; d[data.lang] = data.description; return d; })() } };
  }
  function statement(verb, object, result, child) {
    var ext = {};
    if (hotel) ext[X.hotelExt] = hotel;
    var ctx = { registration: registration, language: data.lang, extensions: ext };
    if (!Object.keys(ext).length) delete ctx.extensions;
    if (child) ctx.contextActivities = { parent: [{ objectType: "Activity", id: course }] };
    var st = { id: uuid(), actor: actor, verb: { id: V[verb], display: { "en-US": verb } }, object: object,
      context: ctx, timestamp: new Date().toISOString() };
    if (result) st.result = result;
    return decorate(st, verb);
  }
  function enqueue(st) { queue.push(st); persist(); send(false); }
  function firstTime(verb) {
    var done = load(once);
    if (done.indexOf(verb) >= 0) return false;
    done.push(verb);
    try { localStorage.setItem(once, JSON.stringify(done)); } catch (e) {}
    return true;
  }

  function retryLater() {
    if (!failing) { failing = true; hooks.notify("save_failed"); }
    clearTimeout(timer);
    timer = setTimeout(function () { send(false); }, delay);
    delay = Math.min(delay * 2, 30000);
  }
  function sent(batch) {
    var ids = {}; batch.forEach(function (s) { ids[s.id] = 1; });
    queue = queue.filter(function (s) { return !ids[s.id]; });
    persist();
    delay = 1000;
    if (failing) { failing = false; hooks.notify("save_restored"); }
  }
  function send(keepalive) {
    if ((sending && !keepalive) || !queue.length) return Promise.resolve(true);
    var batch = queue.slice(0, keepalive ? 10 : batchSize);
    sending = true;
    var request, abort = window.AbortController ? new AbortController() : null, guard = null;
    try {
      request = fetch(endpoint + "statements", { method: "POST", headers: headers("application/json"),
        body: JSON.stringify(batch), keepalive: !!keepalive, credentials: "omit",
        signal: abort && !keepalive ? abort.signal : undefined });
      // A request that hangs counts as a network error: abort it and retry later.
      if (abort && !keepalive) guard = setTimeout(function () { abort.abort(); }, 20000);
    } catch (e) { sending = false; retryLater(); return Promise.resolve(false); }
    request = request.then(function (r) { clearTimeout(guard); return r; },
      function (e) { clearTimeout(guard); throw e; });
    return request.then(function (r) {
      sending = false;
      if (r.ok) { sent(batch); batchSize = 25; return send(false); }
      if (r.status === 409 && batch.length > 1) { batchSize = 1; return send(false); }
      if (r.status === 409) { sent(batch); return send(false); } // already stored: delivered
      if (r.status === 429 || r.status >= 500) { retryLater(); return false; }
      // Any other 4xx will never succeed: drop it, but say so and keep a record of why.
      var dropped = load("noroom.dropped." + registration);
      dropped.push({ status: r.status, ids: batch.map(function (s) { return s.id; }), at: new Date().toISOString() });
      try { localStorage.setItem("noroom.dropped." + registration, JSON.stringify(dropped)); } catch (e) {}
      if (window.console) console.error("noroom: the LRS refused " + batch.length + " statement(s) with HTTP " + r.status);
      hooks.notify("save_failed");
      sent(batch);
      return send(false);
    }, function () { sending = false; retryLater(); return false; });
  }

  function stateUrl() {
    return endpoint + "activities/state?activityId=" + encodeURIComponent(course) + "&agent=" +
      encodeURIComponent(JSON.stringify(actor)) + "&registration=" + encodeURIComponent(registration) +
      "&stateId=bookmark";
  }
  var saveTimer = null, lastState = null;
  function putState(state, keepalive) {
    lastState = state;
    return fetch(stateUrl(), { method: "PUT", headers: headers("text/plain"), body: state, keepalive: !!keepalive,
      credentials: "omit" }).then(function (r) { return r.ok; }, function () { return false; });
  }

  return {
    start: function () {
      send(false); // anything left from the last launch goes first
      enqueue(statement("initialized", courseObject()));
      return fetch(stateUrl(), { headers: headers() }).then(function (r) {
        return r.ok ? r.text() : "";
      }, function () { return ""; }).then(function (state) {
        var st = state || null, h = st ? st.split("~")[7] : "";
        if (!hotel && h) hotel = h;
        return { tracked: true, state: st, mode: cfg.mode || "normal", mastery: cfg.mastery,
          hotel: hotel || null, needHotel: !hotel };
      });
    },
    save: function (state, info) {
      if (info && info.hotel && !hotel) hotel = info.hotel;
      clearTimeout(saveTimer);
      saveTimer = setTimeout(function () { putState(state, false); }, 300);
      return true;
    },
    page: function (p) {
      enqueue(statement("experienced", { objectType: "Activity", id: X.course + "/module/" + p.module,
        definition: { type: "http://adlnet.gov/expapi/activities/module" } }, null, true));
      var res = { extensions: {} }; res.extensions[X.progressExt] = p.progress;
      enqueue(statement("progressed", courseObject(), res));
    },
    answer: function (a) {
      var d = {}; d[data.lang] = a.description;
      enqueue(statement("answered", { objectType: "Activity", id: X.course + "/question/" + a.id,
        definition: { type: "http://adlnet.gov/expapi/activities/cmi.interaction", interactionType: "choice",
          description: d, correctResponsesPattern: [a.correctResponse],
          choices: a.choices.map(function (c) { return { id: c, description: (function () { var o = {}; o[data.lang] = c; return o; })() }; }) } },
        { response: a.response, success: a.correct, duration: iso(a.latencyMs) }, true));
    },
    complete: function (r) {
      var score = { scaled: Math.round(r.scaled * 10000) / 10000, raw: r.raw, min: r.min, max: r.max };
      var duration = iso(r.durationMs);
      if (cfg.judged === false) return true; // cmi5 Browse/Review: no verdicts
      var verdict = r.passed ? "passed" : "failed";
      if (verdict === "failed" || firstTime("passed")) {
        enqueue(statement(verdict, courseObject(), { score: score, success: r.passed, duration: duration }));
      }
      if (r.completed && firstTime("completed")) {
        enqueue(statement("completed", courseObject(), { completion: true, duration: duration }));
      }
      return true;
    },
    exit: function () {
      if (terminated) return;
      terminated = true;
      enqueue(statement("terminated", courseObject(), { duration: iso(Date.now() - started) }));
      this.flush();
      if (cfg.onExit) cfg.onExit();
    },
    flush: function () {
      if (lastState !== null) putState(lastState, true);
      persist();
      send(true);
    }
  };
};

/* TinCan launch: endpoint, auth, actor, registration, activity_id and an optional hotel. */
window.NoroomAdapter = function (data, hooks) {
  "use strict";
  var q = new URLSearchParams(location.search), actor = null;
  try { actor = JSON.parse(q.get("actor") || "null"); } catch (e) { actor = null; }
  if (!q.get("endpoint") || !actor) return window.NoroomUntracked;
  return window.NoroomXapi(data, hooks, { endpoint: q.get("endpoint"), auth: q.get("auth"), actor: actor,
    registration: q.get("registration"), course: q.get("activity_id"), hotel: q.get("hotel") });
};
window.NoroomUntracked = { start: function () { return { tracked: false }; }, save: function () { return false; },
  page: function () {}, answer: function () {}, complete: function () {}, exit: function () {}, flush: function () {} };
