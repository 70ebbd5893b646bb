/* Practice choices (issue 16 §1; docs/runtime.md): choose, read why, then the model answer.
 * Never scored, never given to the adapter; the choice lives in the core's bookmark. */
window.NoroomPractice = function (data, api) {
  "use strict";
  function all(sel, el) { return Array.prototype.slice.call(el.querySelectorAll(sel)); }
  function meta(box) {
    var id = box.getAttribute("data-choice");
    return data.choices.filter(function (c) { return c.id === id; })[0];
  }
  /* Seeded shuffle from the authored order, as the quiz's: the same on every resume. */
  function order(box, c) {
    var list = box.querySelector(".picks"), r = api.rng(api.seed() + 104729 * (1 + data.choices.indexOf(c)));
    var b = c.options.map(function (o) { return list.querySelector('[data-option="' + o + '"]'); });
    for (var k = b.length - 1; k > 0; k--) { var j = Math.floor(r() * (k + 1)), t = b[k]; b[k] = b[j]; b[j] = t; }
    b.forEach(function (x) { list.appendChild(x); });
  }
  function render(box) {
    var c = meta(box), a = api.picks()[c.id], o = a == null ? null : c.options[a];
    order(box, c);
    box.classList.toggle("done", o != null);
    all(".pick", box).forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-option") === o));
      b.disabled = o != null;
    });
    all(".practice-fb", box).forEach(function (f) { f.hidden = f.getAttribute("data-option") !== o; });
    if (o != null) box.querySelector(".practice-hint").hidden = true;
  }
  all(".practice", document).forEach(function (box) {
    all(".pick", box).forEach(function (b) {
      b.addEventListener("click", function () {
        var c = meta(box);
        api.picks()[c.id] = c.options.indexOf(b.getAttribute("data-option"));
        render(box);
        api.focus(box.querySelector(".practice-fb:not([hidden])"));
        api.chosen();
      });
    });
  });
  return {
    show: function (step) { all(".practice", step).forEach(render); },
    /* Next before a choice stays (Next is never disabled): hint shown, focus on an option. */
    stop: function (step) {
      var box = all(".practice:not(.done)", step)[0];
      if (!box) return false;
      box.querySelector(".practice-hint").hidden = false;
      api.focus(box.querySelector(".pick"));
      return true;
    }
  };
};
