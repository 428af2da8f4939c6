// Small helps for keyboard and screen-reader users; every page works without them.
(function () {
  "use strict";

  // A form came back with errors: put the focus on their summary, read first.
  function focusErrorSummary() {
    var summary = document.getElementById("resume-erreurs");
    if (summary) summary.focus();
  }

  // A link of the summary puts the focus in its field, its label in view.
  function followSummaryLinks() {
    document.querySelectorAll("#resume-erreurs a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        var input = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
        if (!input) return;
        event.preventDefault();
        var label = document.querySelector("label[for='" + input.id + "']") || target;
        label.scrollIntoView();
        input.focus({ preventScroll: true });
      });
    });
  }

  // A table wider than the screen scrolls in its box: the keyboard must reach it.
  function scrollableTables() {
    document.querySelectorAll(".tableau").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) box.setAttribute("tabindex", "0");
      else box.removeAttribute("tabindex");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    followSummaryLinks();
    scrollableTables();
    window.addEventListener("resize", scrollableTables);
  });
})();
