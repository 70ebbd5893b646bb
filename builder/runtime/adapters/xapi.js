/* xAPI core: statements get their UUID when they are made (a resent statement keeps its id, so
 * the LRS stores it once) and wait in a localStorage queue that belongs to one endpoint, actor,
 * registration and (cmi5) session: "noroom.queue.<registration>.<hash>" holds {endpoint, auth,
 * statements}. A queue is only ever sent to its own endpoint with its own credentials, and only
 * emptied by the LRS's answer (issue 12 items 13, 14). POSTs go in order, one request at a time,
 * in batches of up to 25.
 * - A network error, timeout, 429 or 5xx keeps them queued and retries with backoff.
 * - 409 or another 4xx on a batch: the batch is resent one statement at a time, so only the one
 *   the LRS refuses is dropped (409 alone means "already stored": delivered). A dropped statement
 *   is recorded in localStorage noroom.dropped.<registration> with the reason, logged with
 *   console.error, and the learner sees the save_refused notice (only for this launch's queue).
 * - On pagehide the queue is flushed with fetch(keepalive): every statement not already in a
 *   keepalive request, in chunks within the browser's 64 KiB in-flight keepalive budget (Fetch
 *   spec, "keepalive"); what does not fit stays queued for the next launch.
 * - At start, queues other launches left in this browser go to their own endpoints.
 * Resume uses the State API (stateId "bookmark"); a PUT that fails is kept in localStorage and
 * retried, and wins over the LRS copy on the next launch; no PUT after terminated. A TinCan launch
 * without registration gets one stable registration per actor and course. passed and completed go
 * out once per registration: a verdict counts as sent once the LRS accepted it (or while it waits
 * in the queue), and a refused one may be sent again by a later launch. A malformed localStorage
 * entry is reset, never a reason to stop tracking (item 15).
 * cfg.session (cmi5 session id) turns on the cmi5 session rules (cmi5.js): initialized once per
 * session (a reload does not repeat it), at most one of passed/failed per session (9.3.0.0-3, a
 * failed verdict waits until the learner finishes without passing), no failed after passed
 * (9.3.0.0-8), terminated only from Finish and never on pagehide (a reload keeps the session:
 * 8.1.2.0-2), and nothing after terminated. Without it (TinCan), pagehide sends terminated. */
window.NoroomXapi = function (data, hooks, cfg) {
  "use strict";
  var X = data.xapi, V = X.verbs;
  var endpoint = cfg.endpoint, auth = cfg.auth || "", actor = cfg.actor, session = cfg.session || "";
  if (endpoint.charAt(endpoint.length - 1) !== "/") endpoint += "/";
  var course = cfg.course || X.course;
  var hotel = hotelCode(cfg.hotel);
  var decorate = cfg.decorate || function (st) { return st; };
  // Bytes: the Fetch spec (and Chromium) allow 64 KiB of keepalive request bodies in flight.
  var KEEPALIVE_BUDGET = 60000, BATCH_BYTES = 30000, inflightBytes = 0, leaving = false, flushing = false;
  var started = Date.now(), terminated = false, inflight = {}, heldFailed = null;
  var refused = false, failing = false;
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "visible") leaving = false; });

  /* The hotel code of a launch parameter or a bookmark, when it has the course's format
   * (course.yaml hotel_code.pattern); anything else (e.g. raw HTML) is no hotel. */
  function hotelCode(value) {
    var v = String(value || "").trim().toUpperCase();
    return v && new RegExp(data.hotel.pattern).test(v) ? v : "";
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = new Uint8Array(16); crypto.getRandomValues(b); b[6] = b[6] & 15 | 64; b[8] = b[8] & 63 | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function getItem(key) { try { return localStorage.getItem(key); } catch (e) { return null; } }
  function setItem(key, value) {
    try { if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, value); return true; } catch (e) { return false; }
  }
  /* A stored entry that does not parse or has the wrong shape is removed and `fallback` used. */
  function loadJSON(key, ok, fallback) {
    var raw = getItem(key), v;
    if (raw === null) return fallback;
    try { v = JSON.parse(raw); } catch (e) { v = undefined; }
    if (v !== undefined && ok(v)) return v;
    setItem(key, null);
    if (window.console) console.warn("noroom: reset the malformed localStorage entry " + key);
    return fallback;
  }
  function isList(v) { return Array.isArray(v); }
  function isStatement(s) { return !!s && typeof s === "object" && typeof s.id === "string" && !!s.verb && !!s.actor; }
  function isQueue(q) { return !!q && typeof q === "object" && typeof q.endpoint === "string" && Array.isArray(q.statements); }
  function agentKey(a) {
    if (!a) return "";
    return a.mbox || a.mbox_sha1sum || a.openid || (a.account ? a.account.homePage + "|" + a.account.name : "");
  }
  function hash(s) { // FNV-1a: a short, stable key part for endpoint, actor and session
    for (var h = 0x811c9dc5, i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
    return h.toString(36);
  }
  /* Without a registration every launch would get a new one and orphan its queue and bookmark. */
  function fallbackRegistration() {
    var key = "noroom.registration." + course + "." + agentKey(actor), reg = getItem(key);
    if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(reg || "")) { reg = uuid(); setItem(key, reg); }
    return reg;
  }
  var registration = cfg.registration || fallbackRegistration();
  var qkey = "noroom.queue." + registration + "." + hash(endpoint + "\n" + agentKey(actor) + "\n" + session);
  var skey = "noroom.state." + registration, sentKey = "noroom.sent." + registration;
  var sessionKey = session ? "noroom.session." + session : null;

  /* ---- what was sent: per registration (accepted verdicts) and per cmi5 session (made) ---- */
  function marks(key) { return key ? loadJSON(key, isList, []) : []; }
  function mark(key, verb, on) {
    if (!key) return;
    var list = marks(key).filter(function (v) { return v !== verb; });
    if (on) list.push(verb);
    setItem(key, JSON.stringify(list));
  }
  function verbOf(st) { return String(st.verb && st.verb.id).split("/").pop(); }

  /* ---- queues ---- */
  var own = outbox(qkey, { endpoint: endpoint, auth: auth, registration: registration, session: session }, true);
  /* One queue and its sender. `mine`: this launch's queue, the one the learner hears about. */
  function outbox(key, meta, mine) {
    var memory = null, sending = false, delay = 1000, timer = null, single = 0, tries = 0;
    function list() {
      if (memory) return memory.slice();
      var q = loadJSON(key, isQueue, null);
      return q ? q.statements.filter(isStatement) : [];
    }
    function write(items) {
      var ok = setItem(key, items.length ? JSON.stringify({ endpoint: meta.endpoint, auth: meta.auth,
        registration: meta.registration, session: meta.session || "", statements: items }) : null);
      memory = ok ? null : items; // localStorage full or blocked: this page keeps them
    }
    function add(st) { var items = list(); items.push(st); write(items); send(); }
    function remove(batch) {
      var ids = {}; batch.forEach(function (s) { ids[s.id] = 1; });
      write(list().filter(function (s) { return !ids[s.id]; }));
    }
    function retryLater() {
      if (mine && !failing) { failing = true; if (!refused) hooks.notify("save_failed"); }
      clearTimeout(timer);
      // Another launch's queue: a few tries now, the rest on a later launch.
      if (!mine && ++tries > 4) return;
      timer = setTimeout(send, delay);
      delay = Math.min(delay * 2, 30000);
    }
    function accepted(batch) {
      remove(batch);
      delay = 1000;
      if (mine) batch.forEach(function (s) { delivered(s); });
      // After a refusal the refused notice stays up: it is the one the learner must see.
      if (mine && failing) { failing = false; if (!refused) hooks.notify("save_restored"); }
    }
    function refuse(st, status, text) {
      var reg = (st.context && st.context.registration) || meta.registration, key = "noroom.dropped." + reg;
      var dropped = loadJSON(key, isList, []), verb = verbOf(st), reason = String(text || "").slice(0, 500);
      dropped.push({ id: st.id, verb: verb, status: status, reason: reason, at: new Date().toISOString() });
      setItem(key, JSON.stringify(dropped));
      var line = "noroom: the LRS refused statement " + st.id + " (" + verb + ") with HTTP " + status + ": " + reason;
      remove([st]);
      if (!mine) { if (window.console) console.warn(line + " (left by an earlier launch)"); return; }
      if (window.console) console.error(line);
      refused = true;
      unmark(st);
      hooks.notify("save_refused");
    }
    /* Another launch's queue whose credentials the LMS no longer takes (401/403, e.g. a cmi5
     * session the LMS abandoned when this launch began): none of it can ever be stored, so it
     * is dropped whole at the first such answer, not tried statement by statement. */
    function dropAll(status, text) {
      list().forEach(function (st) { refuse(st, status, text); });
    }
    function handle(batch, res) {
      var s = res.status;
      if (s === 0 || s === 429 || s >= 500 || s < 200) return retryLater();
      if (!mine && (s === 401 || s === 403)) return dropAll(s, res.text);
      if (batch.length === 1 && single > 0) single--;
      if ((s >= 200 && s < 300) || (s === 409 && batch.length === 1)) accepted(batch); // 409 alone: already stored
      else if (batch.length > 1) single = batch.length; // find the statement the LRS refuses
      else refuse(batch[0], s, res.text); // any other 4xx will never succeed
      send();
    }
    function send() {
      if (sending || (mine && !ready)) return;
      var next = pick(list(), single > 0 ? 1 : 25, BATCH_BYTES);
      if (!next.batch.length) return;
      sending = true;
      clearTimeout(timer);
      post(meta, next.batch, next.size).then(function (res) { sending = false; handle(next.batch, res); });
    }
    /* pagehide: what is not in flight, within what is left of the keepalive budget. */
    function flush(reserved) {
      var left = KEEPALIVE_BUDGET - inflightBytes - reserved, chunk, items = list();
      while ((chunk = pick(items, Infinity, Math.min(BATCH_BYTES, left))).batch.length && chunk.size <= left) {
        left -= chunk.size;
        (function (c) {
          // If the page lives on (a hidden tab), the answer is handled like any other.
          post(meta, c.batch, c.size).then(function (res) { handle(c.batch, res); });
        })(chunk);
      }
    }
    return { add: add, send: send, flush: flush, list: list, drop: dropAll };
  }
  /* Queues other launches left in this browser: each to its own endpoint (item 14). A queue of
   * the earlier version (a bare list under noroom.queue.<registration>) joins this launch's
   * queue when it is this registration's, else it waits for a launch of its registration. */
  function sendLeftovers() {
    var keys = [], waiting = [];
    try { for (var i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i)); } catch (e) { return waiting; }
    keys.forEach(function (k) {
      if (k.indexOf("noroom.queue." + registration + ".") === 0) {
        (loadJSON(k, isQueue, { statements: [] }).statements || []).forEach(function (s) { if (isStatement(s)) waiting.push(verbOf(s)); });
      }
    });
    keys.forEach(function (k) {
      if (k.indexOf("noroom.queue.") !== 0 || k === qkey) return;
      if (k === "noroom.queue." + registration) {
        var old = loadJSON(k, isList, []).filter(isStatement);
        setItem(k, null);
        old.forEach(function (s) { own.add(s); });
        return;
      }
      var q = loadJSON(k, function (v) { return isQueue(v) || isList(v); }, null);
      if (!q || !isQueue(q)) return;
      var box = outbox(k, { endpoint: q.endpoint, auth: q.auth, registration: q.registration, session: q.session }, false);
      // An earlier cmi5 session of this registration: the LMS abandoned it when this launch
      // began and refuses anything more of it (9.3.6.0-2), so it is dropped without a request.
      if (session && q.session && q.session !== session && q.registration === registration &&
        q.endpoint === endpoint) box.drop(403, "the LMS abandoned session " + q.session + " when a new one was launched");
      else box.send();
    });
    return waiting;
  }

  function headers(type, key) {
    var h = { "X-Experience-API-Version": "1.0.3" };
    if (key) h.Authorization = key;
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
  function enqueue(st) {
    if (terminated && verbOf(st) !== "terminated") return;
    mark(sessionKey, verbOf(st), true);
    own.add(st);
  }
  function bytes(text) { return window.TextEncoder ? new TextEncoder().encode(text).length : text.length * 3; }

  /* ---- verdicts ---- */
  var VERDICTS = ["passed", "failed", "completed"];
  /* Sent for this registration: accepted by the LRS, or still waiting in the queue. */
  function sentBefore(verb) {
    return marks(sentKey).indexOf(verb) >= 0 ||
      own.list().some(function (s) { return verbOf(s) === verb; });
  }
  function inSession(verb) { return marks(sessionKey).indexOf(verb) >= 0; }
  function delivered(st) {
    var verb = verbOf(st);
    if (VERDICTS.indexOf(verb) >= 0) mark(sentKey, verb, true);
    if (verb === "terminated" && cfg.onExit) cfg.onExit();
  }
  function unmark(st) { // a refused statement was not sent: a later launch may send it again
    mark(sessionKey, verbOf(st), false);
    mark(sentKey, verbOf(st), false);
  }
  function verdictAllowed(verb) {
    if (sentBefore("passed")) return false; // once per registration (9.3.0.0-7), no failed after it (-8)
    return !session || !(inSession("passed") || inSession("failed"));
  }
  function verdict(verb, r) {
    if (!verdictAllowed(verb)) return;
    enqueue(statement(verb, courseObject(), { score: { scaled: Math.round(r.scaled * 10000) / 10000,
      raw: r.raw, min: r.min, max: r.max }, success: verb === "passed", duration: iso(r.durationMs) }));
  }

  /* ---- delivery ----
   * Every POST is a keepalive request when it fits the in-flight budget, so one under way when
   * the page goes away still arrives; the pagehide flush therefore never resends a statement
   * that is already in flight (no double send). */
  var ready = !cfg.ready; // cmi5: nothing is sent before the learner preferences were read
  if (cfg.ready) cfg.ready.then(function () { ready = true; own.send(); });
  /* initialized travels alone: a cmi5 LMS checks each statement against the session as it was
   * before the request, so [initialized, experienced] is refused (9.3.0.0-4). */
  function pick(from, limit, budget) {
    var out = [], size = 2;
    from.some(function (s) {
      if (inflight[s.id]) return false;
      var n = bytes(JSON.stringify(s)) + 1, first = verbOf(s) === "initialized";
      if (out.length && (size + n > budget || first)) return true; // the rest waits for the next request
      out.push(s); size += n;
      return out.length >= limit || first;
    });
    return { batch: out, size: size };
  }
  function post(meta, batch, size) {
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
      request = fetch(meta.endpoint + "statements", { method: "POST", headers: headers("application/json", meta.auth),
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
  /* A GET that gives up after `ms`: an LRS that drops requests must not hold the course. */
  function getText(url, ms) {
    var abort = window.AbortController ? new AbortController() : null;
    var guard = abort ? setTimeout(function () { abort.abort(); }, ms) : null;
    return fetch(url, { headers: headers(null, auth), credentials: "omit", signal: abort ? abort.signal : undefined })
      .then(function (r) { return r.ok ? r.text() : ""; }).then(function (t) { clearTimeout(guard); return t; },
        function () { clearTimeout(guard); return ""; });
  }

  /* ---- the bookmark (State API) ---- */
  function stateUrl() {
    return endpoint + "activities/state?activityId=" + encodeURIComponent(course) + "&agent=" +
      encodeURIComponent(JSON.stringify(actor)) + "&registration=" + encodeURIComponent(registration) +
      "&stateId=bookmark";
  }
  function isBookmark(s) { return typeof s === "string" && /^2~/.test(s); }
  var saveTimer = null, stateTimer = null, stateDelay = 1000, putting = null; // the PUT under way
  var unsaved = getItem(skey);
  if (unsaved !== null && !isBookmark(unsaved)) { setItem(skey, null); unsaved = null; }
  /* PUT the bookmark not yet confirmed; the promise settles with the answer (false: not taken). */
  function putState(keepalive) {
    if (unsaved === null || terminated) return Promise.resolve(unsaved === null);
    // One PUT at a time: the next one (a newer bookmark) follows the answer.
    if (putting && !keepalive) return putting.then(function () { return putState(false); });
    var body = unsaved;
    var request;
    try {
      request = fetch(stateUrl(), { method: "PUT", headers: headers("text/plain", auth), body: body,
        keepalive: !!keepalive, credentials: "omit" });
    } catch (e) { request = Promise.reject(e); }
    var done = request.then(function (r) { return r.status; }, function () { return 0; }).then(function (s) {
      if (!keepalive) putting = null;
      if (s >= 200 && s < 300) {
        if (unsaved === body) { unsaved = null; setItem(skey, null); }
        stateDelay = 1000;
        return unsaved === null || putState(false);
      } else if (!keepalive && !terminated) {
        clearTimeout(stateTimer);
        stateTimer = setTimeout(function () { putState(false); }, stateDelay);
        stateDelay = Math.min(stateDelay * 2, 30000);
      }
      return false;
    });
    if (!keepalive) putting = done;
    return done;
  }
  function remember(state) { unsaved = state; setItem(skey, state); }
  function within(promise, ms) { return Promise.race([promise, new Promise(function (ok) { setTimeout(ok, ms); })]); }
  /* Finish: the bookmark first, then the held verdict and terminated, last (no PUT after it). */
  function terminate() {
    clearTimeout(saveTimer);
    within(putState(false), 5000).then(function () {
      if (heldFailed && verdictAllowed("failed")) verdict("failed", heldFailed);
      heldFailed = null;
      enqueue(statement("terminated", courseObject(), { duration: iso(Date.now() - started) }));
      terminated = true;
      clearTimeout(stateTimer);
      // The LMS's page after terminated was accepted; an LRS that does not answer must not keep
      // the learner here.
      if (cfg.onExit) setTimeout(cfg.onExit, 8000);
    });
  }

  return {
    start: function () {
      if (session && inSession("terminated")) {
        // This session was finished (e.g. the page reloaded after Finish): the LMS refuses
        // anything more under its token (8.1.2.0-2).
        return { tracked: false };
      }
      var waiting = sendLeftovers(); // verbs of this registration not yet accepted
      own.send(); // anything left from the last launch goes first
      if (!session || !inSession("initialized")) enqueue(statement("initialized", courseObject()));
      var local = unsaved;
      return getText(stateUrl(), 8000).then(function (state) {
        // A bookmark the LRS never confirmed is newer than the LRS's copy.
        var st = local || (isBookmark(state) ? state : null), f = st ? st.split("~") : [];
        if (local) putState(false);
        if (!hotel) hotel = hotelCode(f[7]);
        // The LRS's bookmark says passed and completed were judged (e.g. in another browser): not
        // again, unless one of them still waits in a queue here (it may never arrive: cmi5 refuses
        // an abandoned session's statements, so the result sends it again in this session).
        if (isBookmark(state) && state.split("~")[8] === "1") {
          ["passed", "completed"].forEach(function (v) { if (waiting.indexOf(v) < 0) mark(sentKey, v, true); });
        }
        return { tracked: true, state: st, mode: cfg.mode || "normal", mastery: cfg.mastery,
          hotel: hotel || null, needHotel: !hotel };
      });
    },
    save: function (state, info) {
      if (info && info.hotel && !hotel) hotel = hotelCode(info.hotel);
      if (terminated) return true;
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
      if (cfg.judged === false || terminated) return true; // cmi5 Browse/Review: no verdicts
      if (r.passed) { heldFailed = null; verdict("passed", r); }
      else if (session) heldFailed = r; // sent at Finish, unless the learner passes first
      else verdict("failed", r);
      if (r.completed && !sentBefore("completed") && !inSession("completed")) {
        enqueue(statement("completed", courseObject(), { completion: true, duration: iso(r.durationMs) }));
      }
      return true;
    },
    exit: function () {
      if (terminated) return;
      if (leaving) {
        // A cmi5 session outlives the page (a reload comes back to it): no terminated here.
        if (session) return;
        terminated = true;
        // Leaving (pagehide flushed first): terminated joins the flush's request, so it stays last.
        var st = statement("terminated", courseObject(), { duration: iso(Date.now() - started) });
        mark(sessionKey, "terminated", true);
        own.add(st);
        this.flush();
        return;
      }
      terminate();
    },
    flush: function () {
      leaving = true;
      if (flushing) return;
      flushing = true;
      // A microtask: the pagehide handler may still add terminated (exit) to the same request.
      Promise.resolve().then(function () {
        flushing = false;
        var stateBytes = unsaved === null || terminated ? 0 : bytes(unsaved);
        putState(true);
        own.flush(stateBytes);
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
