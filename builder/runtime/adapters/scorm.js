/* SCORM adapter (1.2 and 2004 4th Edition): data.scorm is "1.2" or "2004".
 * Finds the LMS API the standard way (window.parent chain, then window.opener, bounded), commits
 * as the learner goes and retries a failed commit, telling the learner when saving fails.
 * After LMSFinish/Terminate it calls nothing (an LMS answers every later call with an error and
 * records nothing: issue 12 item 8). In browse/review mode (cmi.core.lesson_mode / cmi.mode) it
 * writes nothing, only initializes and finishes: the recorded attempt stays as it was (item 12). */
window.NoroomAdapter = function (data, hooks) {
  "use strict";
  var v12 = data.scorm === "1.2";
  var E = v12 ? {
    api: "API", init: "LMSInitialize", get: "LMSGetValue", set: "LMSSetValue", commit: "LMSCommit",
    fin: "LMSFinish", err: "LMSGetLastError", loc: "cmi.core.lesson_location", sus: "cmi.suspend_data",
    exit: "cmi.core.exit", time: "cmi.core.session_time", entry: "cmi.core.entry", raw: "cmi.core.score.raw",
    min: "cmi.core.score.min", max: "cmi.core.score.max", mode: "cmi.core.lesson_mode", id: "cmi.core.student_id",
    name: "cmi.core.student_name", wrong: "wrong", resp: "student_response", ts: "time"
  } : {
    api: "API_1484_11", init: "Initialize", get: "GetValue", set: "SetValue", commit: "Commit",
    fin: "Terminate", err: "GetLastError", loc: "cmi.location", sus: "cmi.suspend_data",
    exit: "cmi.exit", time: "cmi.session_time", entry: "cmi.entry", raw: "cmi.score.raw",
    min: "cmi.score.min", max: "cmi.score.max", mode: "cmi.mode", id: "cmi.learner_id",
    name: "cmi.learner_name", wrong: "incorrect", resp: "learner_response", ts: "timestamp"
  };
  var api = null, live = false, writes = false, failing = false, started = Date.now(), done = false;

  function find(win) {
    for (var n = 0; win && n < 12; n++) {
      try { if (win[E.api]) return win[E.api]; } catch (e) { return null; } // cross-origin parent
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  function call(fn, a, b) {
    try { return String(api[fn].apply(api, b === undefined ? [a] : [a, b])); } catch (e) { return "false"; }
  }
  function get(k) { return live ? call(E.get, k) : ""; }
  function set(k, v) { return writes && call(E.set, k, String(v)) === "true"; }

  /* 1.2: HHHH:MM:SS.SS; 2004: ISO 8601 duration (PTnHnMnS). */
  function duration(ms) {
    var cs = Math.round(ms / 10), h = Math.floor(cs / 360000), m = Math.floor(cs / 6000) % 60, s = (cs % 6000) / 100;
    if (!v12) return "PT" + h + "H" + m + "M" + s.toFixed(2).replace(/\.?0+$/, "") + "S";
    function p(x, n) { x = String(x); while (x.length < n) x = "0" + x; return x; }
    return p(Math.min(h, 9999), 4) + ":" + p(m, 2) + ":" + p(s.toFixed(2), 5);
  }

  var pending = null, tries = 0;
  function commit() {
    if (!writes) return Promise.resolve(false);
    if (call(E.commit, "") === "true") {
      if (failing) { failing = false; hooks.notify("save_restored"); }
      tries = 0;
      return Promise.resolve(true);
    }
    // The LMS said no: try again with backoff and tell the learner, never fail silently.
    failing = true;
    hooks.notify("save_failed");
    if (!pending) {
      pending = new Promise(function (resolve) {
        var delay = Math.min(500 * Math.pow(2, tries++), 8000);
        setTimeout(function () { pending = null; resolve(commit()); }, delay);
      });
    }
    return pending;
  }

  return {
    start: function () {
      api = find(window) || (window.opener ? find(window.opener) : null);
      live = !!api && call(E.init, "") === "true";
      if (!live) return { tracked: false };
      var mode = get(E.mode) || "normal";
      writes = mode === "normal";
      var st = get(E.sus);
      var status = v12 ? get("cmi.core.lesson_status") : get("cmi.completion_status");
      done = status === "completed" || status === "passed";
      if (v12 ? status === "not attempted" || status === "" : status === "not attempted" || status === "unknown") {
        set(v12 ? "cmi.core.lesson_status" : "cmi.completion_status", "incomplete");
      }
      if (!v12) set("cmi.score.min", 0), set("cmi.score.max", 100);
      set(E.exit, "suspend");
      commit();
      var m = v12 ? parseFloat(get("cmi.student_data.mastery_score")) / 100 : parseFloat(get("cmi.scaled_passing_score"));
      return { tracked: true, state: st || null, mode: mode, mastery: isNaN(m) ? null : m,
        learner: { id: get(E.id), name: get(E.name) } };
    },
    save: function (state, info) {
      if (!writes) return false;
      set(E.loc, info.location.slice(0, 255));
      set(E.sus, state);
      // 1 only once completed: a learner who failed has seen and answered everything, and an LMS
      // may turn progress_measure 1 into "completed" (Moodle 4.5 does at Terminate whenever a
      // completion threshold is known, whatever completedByMeasure says: issue 12, moodle bench).
      if (!v12) set("cmi.progress_measure", done ? "1" : (Math.min(info.progress, 99) / 100).toFixed(2));
      if (!done) set(E.exit, "suspend");
      return commit();
    },
    page: function () {},
    answer: function (q) {
      if (!writes) return;
      var n = parseInt(get("cmi.interactions._count"), 10) || 0, p = "cmi.interactions." + n + ".";
      set(p + "id", (q.id + "-" + (q.attempt + 1)).slice(0, 255));
      set(p + "type", "choice");
      set(p + E.resp, q.response);
      set(p + "result", q.correct ? "correct" : E.wrong);
      set(p + "correct_responses.0.pattern", q.correctResponse);
      set(p + "weighting", 1);
      if (v12) {
        set(p + "time", new Date().toTimeString().slice(0, 8));
        set(p + "latency", duration(q.latencyMs));
      } else {
        // 2004 description is localized_string_type, SPM 250 characters.
        set(p + "description", q.description.slice(0, 250));
        set(p + "timestamp", new Date().toISOString().slice(0, 19));
        set(p + "latency", duration(q.latencyMs));
      }
    },
    complete: function (r) {
      if (!writes) return false;
      set(E.raw, r.raw); set(E.min, r.min); set(E.max, r.max);
      if (v12) {
        // 1.2 has one status for both: "passed" only once every page is seen as well (issue 3:
        // completion needs both), "incomplete" until then, as Adapt's spoor reports it.
        set("cmi.core.lesson_status", !r.passed ? "failed" : r.completed ? "passed" : "incomplete");
      } else {
        set("cmi.score.scaled", r.scaled.toFixed(4));
        set("cmi.success_status", r.passed ? "passed" : "failed");
        set("cmi.completion_status", r.completed ? "completed" : "incomplete");
        if (r.completed) set("cmi.progress_measure", "1");
      }
      done = r.completed;
      set(E.exit, done ? (v12 ? "" : "normal") : "suspend");
      return commit();
    },
    exit: function (finished) {
      if (!live) return;
      if (writes) {
        set(E.exit, finished || done ? (v12 ? "" : "normal") : "suspend");
        set(E.time, duration(Date.now() - started));
        call(E.commit, "");
      }
      call(E.fin, "");
      live = writes = false; // the session is over: no call of any kind from here on
    },
    flush: function () { if (writes) call(E.commit, ""); }
  };
};
