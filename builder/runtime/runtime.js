/* No Room course runtime: one page per step, state committed as the learner goes.
 * No dependencies, ES5 plus Promise. This core never talks to an LMS or LRS itself: tracking lives
 * in the format's adapters (adapters/*.js), which the build puts before this core in the package's
 * one runtime.js (two or three when a format needs them, e.g. "xapi+scorm+lrs").
 *
 * Adapter contract: window.NoroomAdapter(data, hooks) -> object with
 *   start()            -> {tracked, state: string|null, mode: "normal"|"browse"|"review",
 *                          mastery: 0..1|null, hotel: string|null, needHotel: bool} (or a Promise)
 *   save(state, {location, progress 0..100, hotel}) -> bool | Promise<bool>   commit the bookmark
 *   page({id, module, progress})             a page was seen for the first time
 *   answer({id, module, response, correct, correctResponse, description, attempt, latencyMs,
 *           choices})                        a question was answered
 *   complete({passed, completed, scaled, raw, min, max, durationMs}) -> maybe a Promise
 *   exit(finished)     terminate once (pagehide or the Finish button)
 *   flush()            page is being hidden: push what is queued (keepalive)
 * hooks.notify(key) shows ui[key] to the learner ("save_failed", "save_restored", ...).
 * The core calls no adapter method after exit() (issue 12 item 8: an LMS refuses every call after
 * LMSFinish/Terminate), and never complete() in "browse" or "review" mode (item 12: no new result).
 * data (the page's #noroom-data JSON) holds the structure, ui strings and data.xapi vocabulary.
 */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  var data = JSON.parse(doc.getElementById("noroom-data").textContent);
  var ui = data.ui;
  var steps = [], cur = 0, adapter = null, tracked = false, mode = "normal", mastery = data.mastery;
  var state = { role: -1, seen: {}, answers: {}, att: 0, seed: 0, hotel: "", done: 0, picks: {} };
  var started = Date.now(), qShown = {}, needHotel = false, finishedOnce = false, judgedAtt = -1, practice = null;
  /* The adapter while the session is open; null once exit() was called, so nothing reaches an
   * LMS that has finished the session (issue 12 item 8). */
  function tracker() { return finishedOnce ? null : adapter; }
  /* Browse/review (SCORM cmi.core.lesson_mode / cmi.mode, cmi5 moveOn launch mode): the learner
   * looks, nothing new is recorded as a result (issue 12 item 12). */
  function recording() { return mode === "normal"; }

  function $(sel, el) { return (el || doc).querySelector(sel); }
  function $$(sel, el) { return Array.prototype.slice.call((el || doc).querySelectorAll(sel)); }
  function fmt(s, v) { return String(s).replace(/\{(\w+)\}/g, function (m, k) { return k in v ? v[k] : m; }); }
  function when(x) { return x && typeof x.then === "function" ? x : Promise.resolve(x); }

  /* Seeded PRNG so a learner's answer order is stable across resumes (mulberry32). */
  function rng(seed) {
    return function () {
      seed |= 0; seed = seed + 0x6D2B79F5 | 0;
      var t = Math.imul(seed ^ seed >>> 15, 1 | seed);
      t = t + Math.imul(t ^ t >>> 7, 61 | t) ^ t;
      return ((t ^ t >>> 14) >>> 0) / 4294967296;
    };
  }

  /* ---- state <-> compact string (fits SCORM 1.2's 4096 characters by a wide margin) ----
   * One character per page (seen 0/1) and per question: the chosen option's index in base 36
   * (the loader allows at most 36 options), "-" when unanswered. Indexes 0-9 read the same as in
   * the earlier decimal encoding, so bookmarks already in an LMS still resume. Field 10: the
   * practice choices (practice.js) alike; older bookmarks resume with none. */
  function encode() {
    var seen = data.pages.map(function (p) { return state.seen[p.id] ? "1" : "0"; }).join("");
    var ans = data.questions.map(function (q) {
      var a = state.answers[q.id]; return a == null ? "-" : a.toString(36);
    }).join("");
    var picks = data.choices.map(function (c) {
      var a = state.picks[c.id]; return a == null ? "-" : a.toString(36);
    }).join("");
    return ["2", state.role, cur, seen, ans, state.att, state.seed.toString(36), state.hotel, state.done, picks].join("~");
  }
  function decode(s) {
    var f = String(s || "").split("~");
    if (f[0] !== "2" || f.length < 9) return null;
    var st = { role: +f[1], seen: {}, answers: {}, att: +f[5] || 0, seed: parseInt(f[6], 36) || 1,
      hotel: /^[A-Z0-9-]{0,40}$/.test(f[7]) ? f[7] : "", done: +f[8] ? 1 : 0, step: +f[2] || 0, picks: {} };
    if (!(st.role >= -1 && st.role < data.roles.length)) return null;
    data.pages.forEach(function (p, i) { if (f[3].charAt(i) === "1") st.seen[p.id] = 1; });
    data.questions.forEach(function (q, i) {
      var a = parseInt(f[4].charAt(i), 36);
      if (a >= 0 && a < q.options.length) st.answers[q.id] = a;
    });
    data.choices.forEach(function (c, i) {
      var a = parseInt((f[9] || "").charAt(i), 36);
      if (a >= 0 && a < c.options.length) st.picks[c.id] = a;
    });
    return st;
  }

  /* ---- the learner's path ---- */
  function roleId() { return state.role >= 0 ? data.roles[state.role].id : null; }
  function onPath(module) {
    var r = data.moduleRoles[module]; return !r || r === roleId();
  }
  function pathPages() { return data.pages.filter(function (p) { return onPath(p.module); }); }
  function pathQuestions() { return data.questions.filter(function (q) { return onPath(q.module); }); }
  function buildSteps() {
    var s = [];
    data.pages.forEach(function (p) { if (p.module === data.pages[0].module) s.push("page:" + p.id); });
    s.push("role");
    if (needHotel) s.push("hotel");
    if (state.role >= 0) {
      pathPages().forEach(function (p, k, pp) {
        if (p.module === data.pages[0].module) return;
        s.push("page:" + p.id);
        // A module's checks (practice.js) follow its last page; steps, not pages.
        if (!pp[k + 1] || pp[k + 1].module !== p.module) {
          data.choices.forEach(function (c) { if (c.after === p.module) s.push("check:" + c.id); });
        }
      });
      s.push("quiz");
      pathQuestions().forEach(function (q) { s.push("q:" + q.id); });
      s.push("result");
    }
    steps = s;
    orderAll();
  }
  /* Before a role is chosen the path is unknown: count the first role's path (all are alike). */
  function totalSteps() {
    if (state.role >= 0) return steps.length;
    state.role = 0; buildSteps(); var n = steps.length; state.role = -1; buildSteps();
    return n;
  }
  function progress() {
    var pp = pathPages(), qq = pathQuestions(), n = 0;
    pp.forEach(function (p) { if (state.seen[p.id]) n++; });
    // Answered in any attempt counts: a retake keeps the bar (issue 16).
    qq.forEach(function (q) { if (state.answers[q.id] != null || state.att > 0) n++; });
    return state.role < 0 ? 0 : Math.round(100 * n / (pp.length + qq.length));
  }
  function score() {
    var qq = pathQuestions(), ok = 0;
    qq.forEach(function (q) { if (q.options[state.answers[q.id]] === q.correct) ok++; });
    return { correct: ok, total: qq.length, scaled: qq.length ? ok / qq.length : 0 };
  }

  /* ---- notices ---- */
  function notify(key) {
    var n = $("#notice");
    if (!n || !ui[key]) return;
    n.textContent = ui[key];
    n.className = "notice notice-" + key;
    n.hidden = false;
    if (key === "save_restored") setTimeout(function () { if (n.className.indexOf("restored") > 0) n.hidden = true; }, 4000);
  }

  /* ---- living in an LMS's frame (issue 12 item 11) ----
   * Moodle's frame reaches below its window (and its popup is 500 px high): nothing may scroll
   * the LMS's page. Focus without scrolling, then scroll only this document, if at all. */
  function focusHere(el) {
    if (!el) return;
    el.focus({ preventScroll: true });
    var r = el.getBoundingClientRect(), room = window.innerHeight - hiddenBelow();
    if (r.top < 0 || r.bottom > room) window.scrollBy(0, r.top - Math.max(0, (room - r.height) / 3));
  }
  /* A new step starts at its top. If the LMS's page was scrolled (a wheel or finger chaining from
   * the course to it) so that the frame's top is above its window, scroll that page back up just
   * enough to show the frame's top (moodle bench: the result's score sat above the window);
   * never down, never otherwise. */
  function topInSight() {
    try {
      var f = window.frameElement, t = f ? f.getBoundingClientRect().top : 0;
      if (t < 0) f.ownerDocument.defaultView.scrollBy(0, t);
    } catch (e) { /* a cross-origin parent: leave its page alone */ }
  }
  /* How much of this document's viewport lies below the visible part of the (top) window,
   * through every same-origin frame above us; 0 when not framed or when we may not look. */
  function hiddenBelow() {
    var w = window, top = 0, visible = window.innerHeight;
    try {
      while (w.parent !== w && w.frameElement) {
        var f = w.frameElement;
        top += f.getBoundingClientRect().top + f.clientTop; // our top, in w.parent's viewport
        w = w.parent;
        visible = Math.min(visible, w.innerHeight - top);
      }
    } catch (e) { /* a cross-origin parent: nothing to measure */ }
    return Math.max(0, Math.min(window.innerHeight - visible, window.innerHeight - 200));
  }
  /* The Back/Next bar follows the content (never fixed to the frame's bottom, which may be out of
   * sight): room below it as tall as the frame's hidden part lets the learner scroll this
   * document until the bar is in sight, without scrolling the LMS's page. */
  function fitFrame() { var below = hiddenBelow(); doc.body.style.paddingBottom = below ? below + "px" : ""; }

  function save() {
    var to = tracker();
    if (!to) return Promise.resolve(false);
    return when(to.save(encode(), { location: steps[cur] || "", progress: progress(), hotel: state.hotel }))
      .catch(function () { return false; });
  }

  /* ---- rendering a step ---- */
  function show(i, focus) {
    cur = Math.max(0, Math.min(i, steps.length - 1));
    var id = steps[cur];
    $$(".step").forEach(function (el) { el.classList.toggle("current", el.getAttribute("data-step") === id); });
    var el = $('.step[data-step="' + id + '"]');
    if (id.indexOf("page:") === 0) {
      var pid = id.slice(5), first = !state.seen[pid];
      state.seen[pid] = 1;
      var page = data.pages.filter(function (p) { return p.id === pid; })[0];
      if (first && tracker()) adapter.page({ id: pid, module: page.module, progress: progress() });
      if (first) judgeLate();
    }
    if (id.indexOf("q:") === 0) prepareQuestion(id.slice(2), el);
    root.classList.remove("card-shown");
    practice.show(el);
    if (id === "result") showResult();
    if (id === "quiz") $("#quiz-count").textContent = fmt(ui.quiz_count, { total: pathQuestions().length });
    if (id === "role") $$('input[name="role"]').forEach(function (r, k) { r.checked = k === state.role; });
    if (id === "hotel") { $("#hotel-code").value = state.hotel; hotelMessage("", ""); }
    stopReading();
    var bar = $(".progress"), pct = progress();
    bar.setAttribute("aria-valuenow", pct);
    $(".progress span").style.width = pct + "%";
    $("#stepinfo").textContent = fmt(ui.page_of, { n: cur + 1, total: totalSteps() });
    // Back is closed on a passed result, except with a page unseen (answers stay locked); after
    // a fail it leads to the answered questions (issue 16).
    var closed = id === "result" && state.done === 1 && passes(score().scaled);
    $("#back").disabled = cur === 0 || closed;
    updateNext();
    if (focus !== false) { window.scrollTo(0, 0); topInSight(); focusHere(el && $("h1", el)); }
    fitFrame();
    save();
  }
  /* An unchecked question's id: Next reads "Check answer" there (issue 16). */
  function openQuestion() {
    var id = steps[cur] || "";
    return id.indexOf("q:") === 0 && state.answers[id.slice(2)] == null ? id.slice(2) : null;
  }
  function updateNext() {
    var id = steps[cur], ok = true;
    if (id === "role") ok = state.role >= 0;
    else if (id === "hotel") ok = !!(state.hotel || $("#hotel-code").value.trim());
    else if (id === "result" || cur === steps.length - 1) ok = false;
    $("#next").disabled = !ok;
    $("#next").hidden = id === "result";
    $("#next").textContent = openQuestion() ? ui.check_answer : ui.next;
  }

  /* Seeded Fisher-Yates from the authored order: the same order on every resume, new per attempt. */
  function orderOptions(q) {
    var el = $('.step[data-step="q:' + q.id + '"]'), box = $(".options", el);
    var opts = q.options.map(function (o) { return $('.opt input[value="' + o + '"]', box).parentNode; });
    var r = rng(state.seed + 7919 * state.att + data.questions.indexOf(q));
    for (var k = opts.length - 1; k > 0; k--) { var j = Math.floor(r() * (k + 1)); var t = opts[k]; opts[k] = opts[j]; opts[j] = t; }
    opts.forEach(function (o) { box.appendChild(o); });
  }
  function orderAll() { data.questions.forEach(orderOptions); }

  function prepareQuestion(qid, el) {
    var q = data.questions.filter(function (x) { return x.id === qid; })[0];
    var a = state.answers[qid];
    $$("input", el).forEach(function (inp) {
      inp.checked = a != null && inp.value === q.options[a];
      inp.disabled = a != null;
    });
    // Checked: the right option and a wrong pick marked in words and icon, both explained.
    $$(".opt", el).forEach(function (o) {
      var val = $("input", o).value, right = a != null && val === q.correct;
      var wrong = a != null && !right && val === q.options[a], old = $(".mark", o);
      if (old) old.parentNode.removeChild(old);
      o.className = "opt" + (right ? " is-right" : wrong ? " is-wrong" : "");
      $(".feedback", o).hidden = !right && !wrong;
      if (right || wrong) {
        var m = doc.createElement("span");
        m.className = "mark";
        m.textContent = right ? ui.right_answer : ui.your_answer;
        $("label", o).insertBefore(m, $("label", o).firstChild);
      }
    });
    var v = $(".verdict", el);
    v.textContent = a == null ? "" : (q.options[a] === q.correct ? ui.correct : ui.incorrect);
    v.className = "verdict" + (a == null ? "" : q.options[a] === q.correct ? " ok" : " wrong");
    var qq = pathQuestions();
    $("h1", el).textContent = fmt(ui.question_of, { n: qq.indexOf(q) + 1, total: qq.length });
    // The answer's latency runs from here (issue 12 item 9): only while the question is open, so
    // re-rendering it after the check does not reset the clock.
    if (a == null) qShown[qid] = Date.now();
  }

  function checkAnswer(qid) {
    var el = $('.step[data-step="q:' + qid + '"]');
    var picked = $("input:checked", el);
    if (!picked) { var v = $(".verdict", el); v.textContent = ui.choose_answer_first; v.className = "verdict hint error"; focusHere(v); return; }
    var q = data.questions.filter(function (x) { return x.id === qid; })[0];
    var idx = q.options.indexOf(picked.value), latencyMs = Date.now() - (qShown[qid] || started);
    state.answers[qid] = idx;
    prepareQuestion(qid, el);
    focusHere($(".verdict", el));
    if (tracker()) adapter.answer({ id: qid, module: q.module, response: picked.value, correct: picked.value === q.correct,
      correctResponse: q.correct, description: q.description, attempt: state.att,
      latencyMs: latencyMs, choices: q.options });
    updateNext();
    save();
  }

  function unseenPages() { return pathPages().filter(function (p) { return !state.seen[p.id]; }); }
  /* At or over the mastery score; the tolerance absorbs floating-point sums of question weights. */
  function passes(scaled) { return scaled + 1e-9 >= mastery; }
  /* The verdict, to the adapter: passed at the mastery score, completed once every page of the
   * path has been seen too (issue 3: completion needs both). */
  function judge(quiet) {
    var s = score(), pct = Math.round(100 * s.scaled), passed = passes(s.scaled);
    var all = !unseenPages().length;
    if (passed && all && recording()) state.done = 1;
    if (tracker() && recording() && !quiet) when(adapter.complete({ passed: passed, completed: passed && all, scaled: s.scaled, raw: pct, min: 0, max: 100,
      durationMs: Date.now() - started })).then(save);
    return { passed: passed, pct: pct };
  }
  function showResult() {
    // Reported once per attempt: after a fail Back and Next pass by here again.
    var r = judge(judgedAtt === state.att), unseen = r.passed ? unseenPages() : [];
    judgedAtt = state.att;
    showMissed(r.passed);
    if ($("#card")) $("#card").hidden = !r.passed;
    root.classList.toggle("card-shown", r.passed && !!$("#card"));
    // Passed with a page of the path unseen (e.g. a bookmark from before the page was added):
    // not complete yet in any format, so name each page, with a button that opens it.
    var text = !recording() ? ui.result_review : !r.passed ? ui.result_failed
      : unseen.length ? ui.result_unseen : ui.result_passed;
    $("#result-text").textContent = fmt(text, { score: r.pct, mastery: Math.round(mastery * 100) });
    $("#retry").hidden = r.passed;
    var list = $("#unseen");
    list.textContent = "";
    unseen.forEach(function (p) {
      var li = doc.createElement("li"), b = doc.createElement("button");
      b.type = "button";
      b.textContent = $('.step[data-step="page:' + p.id + '"] h1').textContent;
      b.addEventListener("click", function () { show(steps.indexOf("page:" + p.id)); });
      li.appendChild(b); list.appendChild(li);
    });
    list.hidden = !unseen.length;
  }
  /* After a fail, the missed questions (issue 16), shown until Retake starts afresh. */
  function showMissed(passed) {
    var qq = pathQuestions(), any = false;
    data.questions.forEach(function (q, k) {
      var li = $$("#missed-list > li")[k], i = qq.indexOf(q);
      li.hidden = passed || i < 0 || q.options[state.answers[q.id]] === q.correct;
      any = any || !li.hidden;
      $("h3", li).textContent = fmt(ui.question_of, { n: i + 1, total: qq.length });
    });
    $("#missed").hidden = !any;
  }
  /* The quiz was passed before this page was first seen: the last unseen page completes the
   * course right away, wherever the learner goes next. */
  function judgeLate() {
    var answered = pathQuestions().every(function (q) { return state.answers[q.id] != null; });
    if (state.done !== 1 && answered && !unseenPages().length && passes(score().scaled)) judge();
  }

  function retry() {
    state.att += 1;
    pathQuestions().forEach(function (q) { delete state.answers[q.id]; });
    orderAll();
    show(steps.indexOf("quiz"));
  }

  /* Close the training: the last save, then exit() ends the LMS session. Nothing on screen may
   * need the LMS after that (issue 12 item 8: a retake after LMSFinish was lost), so the result
   * stays, every button goes, and a learner who failed is told to open the training again from
   * the learning platform to retake the quiz (the LMS resumes on the result, with Retake). */
  function finish() {
    if (finishedOnce) return;
    var last = save(), failed = tracked && recording() && !passes(score().scaled);
    finishedOnce = true;
    last.then(function () { if (adapter) adapter.exit(state.done === 1); });
    $$("#retry, #finish, #unseen, #back, #next").forEach(function (b) { b.hidden = true; });
    $("#result-text").textContent += " " + ui.finished + (failed ? " " + ui.finished_retake : "");
    focusHere($("#result-text"));
  }

  /* ---- the hotel code (issue 16) ----
   * Checked when the learner leaves the field or presses Next, never while typing. With a
   * roster baked in (`noroom build --hotels`), an unknown code is refused and a known one is
   * confirmed by the hotel's name ("You work at ...: correct?"): a typo must not credit another
   * hotel. Names are roster data, so they only ever go in as text. */
  function hotelMessage(err, name) {
    var e = $("#hotel-error"), hc = $("#hotel-code");
    e.textContent = fmt(err, { example: data.hotel.example });
    e.hidden = !err;
    hc.setAttribute("aria-invalid", err ? "true" : "false");
    $("#hotel-confirm").hidden = !name;
    $("#hotel-confirm-text").textContent = name ? fmt(ui.hotel_confirm, { hotel: name }) : "";
  }
  /* -> "" (empty), "bad" (error shown), "ask" (confirm shown) or "ok" (state.hotel set). */
  function hotelCheck() {
    var v = $("#hotel-code").value.trim().toUpperCase(), known = data.hotels;
    var has = known && Object.prototype.hasOwnProperty.call(known, v);
    var err = !v ? "" : !new RegExp(data.hotel.pattern).test(v) ? ui.hotel_invalid
      : known && !has ? ui.hotel_unknown : "";
    state.hotel = v && !err && !known ? v : "";
    hotelMessage(err, v && has ? known[v] : "");
    updateNext();
    return !v ? "" : err ? "bad" : known ? "ask" : "ok";
  }
  function next() {
    if (practice.stop($('.step[data-step="' + steps[cur] + '"]'))) return;  // practice.js
    if (steps[cur] === "hotel" && !state.hotel) {
      var r = hotelCheck();
      if (r !== "ok") { focusHere(r === "ask" ? $("#hotel-yes") : $("#hotel-code")); return; }
    }
    var q = openQuestion();  // on a question the primary button checks the answer first
    if (q) checkAnswer(q); else show(cur + 1);
  }

  /* ---- read aloud (issue 16 §5) ----
   * The browser's own speech synthesis in the page's language: nothing is downloaded, and the
   * button stays hidden where the device has no voice for that language. */
  var speech = window.speechSynthesis, reading = null;
  function readable() {
    var lang = data.lang.toLowerCase(), ok = !!speech && speech.getVoices().some(function (v) {
      return String(v.lang).toLowerCase().split(/[-_]/)[0] === lang;
    });
    $$(".read").forEach(function (b) { b.hidden = !ok; });
  }
  function stopReading() {
    if (reading) reading.textContent = ui.read_aloud;
    reading = null;
    if (speech) speech.cancel();
  }
  function readAloud(b) {
    var mine = reading === b;
    stopReading();
    if (mine) return;
    var parts = [];
    // Only what shows: a scenario's feedback and model answer stay unread until chosen.
    $$("h1, .note, p, li, h2, .pick", b.parentNode).forEach(function (el) {
      if (el.getClientRects().length && !el.parentNode.closest("p, li, .note")) parts.push(el.innerText);
    });
    reading = b; b.textContent = ui.read_stop;
    parts.forEach(function (text, i) {
      var u = new SpeechSynthesisUtterance(text);
      u.lang = data.lang;
      if (i === parts.length - 1) u.onend = u.onerror = function () { if (reading === b) stopReading(); };
      speech.speak(u);
    });
  }

  /* ---- wiring ---- */
  function bind() {
    $("#next").addEventListener("click", next);
    $("#back").addEventListener("click", function () { show(cur - 1); });
    $$('input[name="role"]').forEach(function (r, k) {
      r.addEventListener("change", function () {
        if (state.role !== k) { state.role = k; buildSteps(); }
        // Paths differ in length ("other" has no module of its own): count the chosen one.
        $("#stepinfo").textContent = fmt(ui.page_of, { n: cur + 1, total: totalSteps() });
        updateNext(); save();
      });
    });
    var hc = $("#hotel-code");
    hc.addEventListener("input", function () { state.hotel = ""; hotelMessage("", ""); updateNext(); });
    // Leaving the field for Next: Next checks it (an error shown on blur would move Next away
    // from under the pointer before the click lands).
    hc.addEventListener("blur", function (e) { if (e.relatedTarget !== $("#next")) hotelCheck(); });
    $("#hotel-yes").addEventListener("click", function () {
      state.hotel = hc.value.trim().toUpperCase(); show(cur + 1);
    });
    $("#hotel-no").addEventListener("click", function () { hc.value = ""; hotelCheck(); focusHere(hc); });
    $$(".read").forEach(function (b) { b.addEventListener("click", function () { readAloud(b); }); });
    if (speech) { readable(); speech.addEventListener("voiceschanged", readable); }
    $("#webnote-ok").addEventListener("click", function () {
      $("#webnote").hidden = true;
      if (adapter && adapter.dismiss) adapter.dismiss();
      focusHere($(".step.current h1"));
    });
    $$(".options input").forEach(function (r) {
      r.addEventListener("change", function () { var v = $(".step.current .verdict.hint"); if (v) { v.textContent = ""; v.className = "verdict"; } });
    });
    if ($("#print-card")) $("#print-card").addEventListener("click", function () { window.print(); });
    $("#retry").addEventListener("click", retry);
    $("#finish").addEventListener("click", finish);
    $("#resume-yes").addEventListener("click", function () { resumeChoice(true); });
    $("#resume-no").addEventListener("click", function () { resumeChoice(false); });
    // Commit when the page is hidden or left: `unload` is unreliable on phones and blocks bfcache.
    doc.addEventListener("visibilitychange", function () {
      if (doc.visibilityState === "hidden" && tracker()) { save(); if (adapter.flush) adapter.flush(); }
    });
    window.addEventListener("pagehide", function () {
      if (!tracker()) return;
      save();
      if (adapter.flush) adapter.flush();
      finishedOnce = true; adapter.exit(state.done === 1);
    });
    window.addEventListener("resize", fitFrame);
    try { if (window.top !== window) window.top.addEventListener("resize", fitFrame); } catch (e) { /* cross-origin */ }
  }

  var saved = null;
  /* Where a saved state was: its step's heading and "step n of N" on its path (issue 16). */
  function place(st) {
    var keep = state; state = st; buildSteps();
    var i = Math.min(st.step, steps.length - 1), h = $('.step[data-step="' + steps[i] + '"] h1');
    var where = { page: h ? h.textContent : "", n: i + 1, total: steps.length };
    state = keep; buildSteps();
    return where;
  }
  function resumeChoice(yes) {
    if (yes && saved) {
      var step = saved.step; delete saved.step;
      state = saved; buildSteps(); show(Math.min(step, steps.length - 1));
    } else {
      var hotel = state.hotel; state = fresh(); state.hotel = hotel; buildSteps(); show(0);
    }
  }
  function fresh() {
    return { role: -1, seen: {}, answers: {}, att: 0, seed: 1 + Math.floor(Math.random() * 2147483646), hotel: "", done: 0, picks: {} };
  }

  function begin(info) {
    info = info || {};
    mode = info.mode || "normal";
    tracked = !!info.tracked;
    if (typeof info.mastery === "number" && info.mastery > 0 && info.mastery <= 1) mastery = info.mastery;
    // The web package keeps progress in this browser: one note saying so, until dismissed.
    if (info.local) $("#webnote").hidden = !info.note;
    else if (!info.tracked) notify("not_saved");
    else if (!recording()) notify("review_mode");
    state = fresh();
    needHotel = !!info.needHotel;
    saved = decode(info.state);
    if (info.hotel) state.hotel = info.hotel;
    if (saved && !saved.hotel) saved.hotel = state.hotel;
    buildSteps();
    if (saved && (saved.step > 0 || saved.role >= 0)) {
      // Ask first: a learner on a shared computer may not be the one who left off.
      $$(".step").forEach(function (el) { el.classList.toggle("current", el.getAttribute("data-step") === "resume"); });
      $("#back").disabled = true; $("#next").hidden = true; $("#stepinfo").textContent = "";
      $("#resume-where").textContent = fmt(ui.resume_where, place(saved));
      focusHere($('.step[data-step="resume"] h1'));
      fitFrame();
      return;
    }
    show(0, false);
  }

  function init() {
    root.className = root.className.replace("no-js", "js");
    practice = window.NoroomPractice(data, { picks: function () { return state.picks; },
      seed: function () { return state.seed; }, rng: rng, focus: focusHere, chosen: save });
    bind();
    data.hooks = { notify: notify };
    try {
      adapter = window.NoroomAdapter ? window.NoroomAdapter(data, { notify: notify }) : null;
      when(adapter ? adapter.start() : { tracked: false }).then(begin, function () { begin({ tracked: false }); });
    } catch (e) {
      adapter = null; begin({ tracked: false });
    }
  }
  window.NoroomRuntime = { encode: encode, decode: decode, state: function () { return state; }, steps: function () { return steps.slice(); } };
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", init); else init();
})();
