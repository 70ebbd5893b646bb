/* Plain web adapter (issue 16): no LMS, so the learner's progress is kept in this browser's
 * localStorage, one record per course and language ({v: 1, state, dismissed}). A record of
 * another version, corrupt JSON or storage that refuses to read or write (private mode, over
 * quota) only means starting afresh or not saving: the course itself always works. */
window.NoroomAdapter = function (data) {
  "use strict";
  var key = "noroom.progress." + data.course + "." + data.lang, rec = { v: 1 };
  try {
    var got = JSON.parse(window.localStorage.getItem(key));
    if (got && got.v === 1) rec = got;
  } catch (e) { /* unreadable: start afresh */ }
  function write() {
    try { window.localStorage.setItem(key, JSON.stringify(rec)); return true; } catch (e) { return false; }
  }
  function none() {}
  return {
    start: function () {
      return { tracked: false, local: true, note: !rec.dismissed,
        state: typeof rec.state === "string" ? rec.state : null };
    },
    save: function (state) { rec.state = state; return write(); },
    dismiss: function () { rec.dismissed = 1; write(); },
    page: none, answer: none, complete: none, exit: none
  };
};
