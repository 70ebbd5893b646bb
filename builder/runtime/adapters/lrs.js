/* Dual tracking for SCORM packages (noroom build --lrs-endpoint ...): the SCORM adapter defined
 * before this file stays in charge of the LMS; this wrapper also sends xAPI statements to the
 * programme's LRS through NoroomXapi, with the LMS account as actor ({homePage: the configured LMS
 * URL, name: cmi.core.student_id / cmi.learner_id}). The hotel comes from the student id (its
 * leading hotel code), from the learner (ask), or is fixed per package. */
(function () {
  "use strict";
  var scormAdapter = window.NoroomAdapter;
  window.NoroomAdapter = function (data, hooks) {
    var scorm = scormAdapter(data, hooks), cfg = data.lrs, x = null;
    function both(name) {
      return function () {
        var r = scorm[name].apply(scorm, arguments);
        if (x) x[name].apply(x, arguments);
        return r;
      };
    }
    function hotelFor(id) {
      if (cfg.hotelFrom === "ask") return "";
      if (cfg.hotelFrom !== "student_id") return cfg.hotelFrom;
      var m = String(id).toUpperCase().match(new RegExp(data.hotel.pattern.replace(/\$$/, "")));
      return m ? m[0] : "";
    }
    function registration(id) {
      var key = "noroom.registration." + data.course + "." + id, reg = null;
      try { reg = localStorage.getItem(key); } catch (e) {}
      if (!reg) {
        reg = window.crypto && crypto.randomUUID ? crypto.randomUUID() : null;
        try { if (reg) localStorage.setItem(key, reg); } catch (e) {}
      }
      return reg;
    }
    return {
      start: function () {
        var info = scorm.start();
        if (!info.tracked || !info.learner || !info.learner.id) return info;
        var hotel = hotelFor(info.learner.id);
        x = window.NoroomXapi(data, hooks, { endpoint: cfg.endpoint, auth: cfg.auth,
          actor: { objectType: "Agent", account: { homePage: cfg.homePage, name: info.learner.id } },
          registration: registration(info.learner.id), course: data.xapi.course, hotel: hotel });
        x.start(); // the LMS holds the bookmark; the LRS gets the statements
        info.needHotel = !hotel;
        if (hotel) info.hotel = hotel;
        return info;
      },
      save: both("save"), page: both("page"), answer: both("answer"), complete: both("complete"),
      exit: both("exit"), flush: both("flush")
    };
  };
})();
