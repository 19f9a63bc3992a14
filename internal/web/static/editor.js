// actiongate action editor: conveniences over a form that works without
// script. Loaded on the action page only.
(function () {
  "use strict";
  var form = document.getElementById("action-form");
  if (!form) { return; }

  // A refused delete says who uses the action: read it first.
  var blocked = document.getElementById("delete-blocked");
  if (blocked) { blocked.focus(); }

  // The error summary's links move the focus to the input, not only the
  // view, so typing fixes the problem at once.
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.addEventListener("click", function (e) {
      var a = e.target.closest("a[href^='#']");
      var input = a && document.getElementById(a.getAttribute("href").slice(1));
      if (!input) { return; }
      e.preventDefault();
      var details = input.closest("details");
      if (details) { details.open = true; }
      input.focus();
      var label = document.querySelector("label[for='" + input.id.replace(/'/g, "\\'") + "']");
      (label && !label.classList.contains("sr-only") ? label : input).scrollIntoView({ block: "center" });
    });
  }
})();
