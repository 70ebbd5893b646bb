/* xAPI core: statements get their UUID here, wait in a localStorage queue per registration and
 * are POSTed in order, one request at a time, in batches of up to 25.
 * - A network error, timeout, 429 or 5xx keeps them queued and retries with backoff.
 * - 409 or another 4xx on a batch: the batch is resent one statement at a time, so only the one
 *   the LRS refuses is dropped (409 alone means "already stored": delivered). A dropped statement
 *   is recorded in localStorage noroom.dropped.<registration> with the reason, logged with
 *   console.error, and the learner sees the save_refused notice.
 * - On pagehide the queue is flushed with fetch(keepalive): every statement not already in a
 *   keepalive request, in chunks within the browser's 64 KiB in-flight keepalive budget (Fetch
 *   spec, "keepalive"); what does not fit stays queued. The queue in localStorage is only emptied
 *   on a confirmed response, so the next launch sends again whatever may not have arrived (same
 *   ids: the LRS stores each statement once).
 * - At start, leftover queues of this actor (any registration) go first.
 * Resume uses the State API (stateId "bookmark"); a PUT that fails is kept in localStorage and
 * retried, and wins over the LRS copy on the next launch. A TinCan launch without registration
 * gets one stable registration per actor and course. passed/completed go out once per
 * registration. The TinCan launcher below and cmi5.js both build on it. */
window.NoroomXapi = function (data, hooks, cfg) {
  "use strict";
  var X = data.xapi, V = X.verbs;
  var endpoint = cfg.endpoint, auth = cfg.auth, actor = cfg.actor;
  if (endpoint.charAt(endpoint.length - 1) !== "/") endpoint += "/";
  var course = cfg.course || X.course;
  var hotel = cfg.hotel || "";
  var decorate = cfg.decorate || function (st) { return st; };
  // Bytes: the Fetch spec (and Chromium) allow 64 KiB of keepalive request bodies in flight.
  var KEEPALIVE_BUDGET = 60000, BATCH_BYTES = 30000, inflightBytes = 0, leaving = false, flushing = false;
  var started = Date.now(), sending = false, delay = 1000, timer = null, failing = false;
  var refused = false, terminated = false, single = 0, inflight = {};
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") leaving = false; });

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b); b[6] = b[6] & 15 | 64; b[8] = b[8] & 63 | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function getItem(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function setItem(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value); } catch (e) { /* full or blocked: memory only */ }
  }
  function load(key) { try { return JSON.parse(getItem(key) || "[]"); } catch (e) { return []; } }
  function agentKey(a) {
    if (!a) return "";
    return a.mbox || a.mbox_sha1sum || a.openid || (a.account ? a.account.homePage + "|" + a.account.name : "");
  }
  /* Without a registration every launch would get a new one and orphan its queue and bookmark. */
  function fallbackRegistration() {
    var key = "noroom.registration." + course + "." + agentKey(actor), reg = getItem(key);
    if (!reg) { reg = uuid(); setItem(key, reg); }
    return reg;
  }
  var registration = cfg.registration || fallbackRegistration();
  var qkey = "noroom.queue." + registration, skey = "noroom.state." + registration;
  var once = "noroom.sent." + registration;
  var queue = load(qkey);
  function persist() { setItem(qkey, JSON.stringify(queue)); }

  /* Queues another launch of this actor left behind (another registration) go first. */
  function adoptLeftovers() {
    var me = agentKey(actor), keys = [], adopted = [];
    try { for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i)); } catch (e) { return; }
    keys.forEach(function (k) {
      if (k.indexOf("noroom.queue.") !== 0 || k === qkey) return;
      var mine = [], rest = [];
      load(k).forEach(function (s) { (agentKey(s.actor) === me ? mine : rest).push(s); });
      if (!mine.length) return;
      adopted = adopted.concat(mine);
      setItem(k, rest.length ? JSON.stringify(rest) : null);
    });
    if (adopted.length) { queue = adopted.concat(queue); persist(); }
  }

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
  function lang(text) { var o = {}; o[data.lang] = text; return o; }
  function courseObject() {
    return { objectType: "Activity", id: course, definition: { type: "http://adlnet.gov/expapi/activities/course",
      name: lang(data.title), description: lang(data.description) } };
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
  function enqueue(st) { queue.push(st); persist(); send(); }
  function firstTime(verb) {
    var done = load(once);
    if (done.indexOf(verb) >= 0) return false;
    done.push(verb);
    setItem(once, JSON.stringify(done));
    return true;
  }
  function bytes(text) { return window.TextEncoder ? new TextEncoder().encode(text).length : text.length * 3; }

  /* ---- delivery ----
   * Every POST is a keepalive request when it fits the in-flight budget, so one under way when
   * the page goes away still arrives; the pagehide flush therefore never resends a statement
   * that is already in flight (no double send). */
  function pick(from, limit, budget) {
    var out = [], size = 2;
    from.some(function (s) {
      if (inflight[s.id]) return false;
      var n = bytes(JSON.stringify(s)) + 1;
      if (out.length && size + n > budget) return true; // the rest waits for the next request
      out.push(s); size += n;
      return out.length >= limit;
    });
    return { batch: out, size: size };
  }
  function post(batch, size) {
    var keepalive = inflightBytes + size <= KEEPALIVE_BUDGET, guard = null;
    var abort = window.AbortController ? new AbortController() : null;
    batch.forEach(function (s) { inflight[s.id] = 1; });
    if (keepalive) inflightBytes += size;
    function release() {
      clearTimeout(guard);
      if (keepalive) inflightBytes -= size;
      batch.forEach(function (s) { delete inflight[s.id]; });
    }
    var request;
    try {
      request = fetch(endpoint + "statements", { method: "POST", headers: headers("application/json"),
        body: JSON.stringify(batch), keepalive: keepalive, credentials: "omit",
        signal: abort ? abort.signal : undefined });
    } catch (e) { request = Promise.reject(e); }
    // A request that hangs counts as a network error: abort it and retry later.
    if (abort) guard = setTimeout(function () { abort.abort(); }, 20000);
    return request.then(function (r) {
      return r.text().then(function (t) { return t; }, function () { return ""; }).then(function (text) {
        release(); return { status: r.status, text: text };
      });
    }, function () { release(); return { status: 0, text: "" }; });
  }
  function retryLater() {
    if (!failing) { failing = true; if (!refused) hooks.notify("save_failed"); }
    clearTimeout(timer);
    timer = setTimeout(send, delay);
    delay = Math.min(delay * 2, 30000);
  }
  function delivered(batch) {
    var ids = {}; batch.forEach(function (s) { ids[s.id] = 1; });
    queue = queue.filter(function (s) { return !ids[s.id]; });
    persist();
    delay = 1000;
    // After a refusal the refused notice stays up: it is the one the learner must see.
    if (failing) { failing = false; if (!refused) hooks.notify("save_restored"); }
  }
  function refuse(st, status, text) {
    var reg = (st.context && st.context.registration) || registration, key = "noroom.dropped." + reg;
    var dropped = load(key), verb = String(st.verb && st.verb.id).split("/").pop();
    var reason = String(text || "").slice(0, 500);
    dropped.push({ id: st.id, verb: verb, status: status, reason: reason, at: new Date().toISOString() });
    setItem(key, JSON.stringify(dropped));
    if (window.console) console.error("noroom: the LRS refused statement " + st.id + " (" + verb + ") with HTTP " + status + ": " + reason);
    refused = true;
    hooks.notify("save_refused");
    delivered([st]);
  }
  function handle(batch, res) {
    var s = res.status, ok = s >= 200 && s < 300;
    if (s === 0 || s === 429 || s >= 500 || s < 200) return retryLater();
    if (batch.length === 1 && single > 0) single--;
    if (ok || (s === 409 && batch.length === 1)) delivered(batch); // 409 alone: already stored
    else if (batch.length > 1) single = batch.length; // find the statement the LRS refuses
    else refuse(batch[0], s, res.text); // any other 4xx will never succeed
    send();
  }
  function send() {
    if (sending) return;
    var next = pick(queue, single > 0 ? 1 : 25, BATCH_BYTES);
    if (!next.batch.length) return;
    sending = true;
    clearTimeout(timer);
    post(next.batch, next.size).then(function (res) { sending = false; handle(next.batch, res); });
  }
  /* pagehide: what is not in flight, within what is left of the keepalive budget. Beyond it the
   * statements stay queued for the next launch. */
  function flushStatements(reserved) {
    var left = KEEPALIVE_BUDGET - inflightBytes - reserved, chunk;
    while ((chunk = pick(queue, Infinity, Math.min(BATCH_BYTES, left))).batch.length &&
      chunk.size <= left) {
      left -= chunk.size;
      (function (c) {
        // If the page lives on (a hidden tab), the answer is handled like any other.
        post(c.batch, c.size).then(function (res) { handle(c.batch, res); });
      })(chunk);
    }
  }

  /* ---- the bookmark (State API) ---- */
  function stateUrl() {
    return endpoint + "activities/state?activityId=" + encodeURIComponent(course) + "&agent=" +
      encodeURIComponent(JSON.stringify(actor)) + "&registration=" + encodeURIComponent(registration) +
      "&stateId=bookmark";
  }
  var saveTimer = null, stateTimer = null, stateDelay = 1000, unsaved = getItem(skey), putting = false;
  function putState(keepalive) {
    if (unsaved === null || (putting && !keepalive)) return;
    var body = unsaved;
    putting = !keepalive;
    var request;
    try {
      request = fetch(stateUrl(), { method: "PUT", headers: headers("text/plain"), body: body,
        keepalive: !!keepalive, credentials: "omit" });
    } catch (e) { request = Promise.reject(e); }
    request.then(function (r) { return r.status; }, function () { return 0; }).then(function (s) {
      if (!keepalive) putting = false;
      if (s >= 200 && s < 300) {
        if (unsaved === body) { unsaved = null; setItem(skey, null); }
        stateDelay = 1000;
        if (unsaved !== null) putState(false);
      } else if (!keepalive) {
        clearTimeout(stateTimer);
        stateTimer = setTimeout(function () { putState(false); }, stateDelay);
        stateDelay = Math.min(stateDelay * 2, 30000);
      }
    });
  }
  function remember(state) { unsaved = state; setItem(skey, state); }

  return {
    start: function () {
      adoptLeftovers();
      send(); // anything left from the last launch goes first
      enqueue(statement("initialized", courseObject()));
      var local = unsaved;
      return fetch(stateUrl(), { headers: headers() }).then(function (r) {
        return r.ok ? r.text() : "";
      }, function () { return ""; }).then(function (state) {
        // A bookmark the LRS never confirmed is newer than the LRS's copy.
        var st = local || state || null, h = st ? st.split("~")[7] : "";
        if (local) putState(false);
        if (!hotel && h) hotel = h;
        return { tracked: true, state: st, mode: cfg.mode || "normal", mastery: cfg.mastery,
          hotel: hotel || null, needHotel: !hotel };
      });
    },
    save: function (state, info) {
      if (info && info.hotel && !hotel) hotel = info.hotel;
      remember(state);
      clearTimeout(saveTimer);
      saveTimer = setTimeout(function () { putState(false); }, 300);
      return true;
    },
    page: function (p) {
      enqueue(statement("experienced", { objectType: "Activity", id: course + "/module/" + p.module,
        definition: { type: "http://adlnet.gov/expapi/activities/module" } }, null, true));
      var res = { extensions: {} }; res.extensions[X.progressExt] = p.progress;
      enqueue(statement("progressed", courseObject(), res));
    },
    answer: function (a) {
      enqueue(statement("answered", { objectType: "Activity", id: course + "/question/" + a.id,
        definition: { type: "http://adlnet.gov/expapi/activities/cmi.interaction", interactionType: "choice",
          description: lang(a.description), correctResponsesPattern: [a.correctResponse],
          choices: a.choices.map(function (c) { return { id: c, description: lang(c) }; }) } },
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
      var st = statement("terminated", courseObject(), { duration: iso(Date.now() - started) });
      // Leaving (pagehide flushed first): terminated joins the flush's request, so it stays last.
      if (leaving) { queue.push(st); persist(); this.flush(); } else enqueue(st);
      if (cfg.onExit) cfg.onExit();
    },
    flush: function () {
      leaving = true;
      persist();
      if (flushing) return;
      flushing = true;
      // A microtask: the pagehide handler may still add terminated (exit) to the same request.
      Promise.resolve().then(function () {
        flushing = false;
        var stateBytes = unsaved === null ? 0 : bytes(unsaved);
        putState(true);
        flushStatements(stateBytes);
      });
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
