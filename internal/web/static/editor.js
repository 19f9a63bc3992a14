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

  // Secret picker: put {{secret.NAME}} into the header value last in
  // focus (or the last header, or a new one) at its cursor.
  var lastValue = null;
  form.addEventListener("focusin", function (e) {
    if (e.target.matches("[data-rows='headers'] input[name$='.value']")) { lastValue = e.target; }
  });
  form.addEventListener("click", function (e) {
    if (!e.target.closest("[data-secret-insert]")) { return; }
    var pick = document.getElementById("secret-insert");
    var values = form.querySelectorAll("[data-rows='headers'] input[name$='.value']");
    var input = lastValue && form.contains(lastValue) ? lastValue : values[values.length - 1];
    if (!input) {
      form.querySelector("[data-add-row='headers']").click();
      input = form.querySelector("[data-rows='headers'] input[name$='.value']");
    }
    var text = "{{secret." + pick.value + "}}";
    var at = input.selectionStart === null ? input.value.length : input.selectionStart;
    var end = input.selectionEnd === null ? at : input.selectionEnd;
    input.value = input.value.slice(0, at) + text + input.value.slice(end);
    input.focus();
    input.setSelectionRange(at + text.length, at + text.length);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });

  // A credential or secret created in another tab shows up in the
  // pickers when this tab is back in front.
  var stale = false;
  document.addEventListener("click", function (e) {
    if (e.target.closest("[data-refresh-pickers]")) { stale = true; }
  });
  window.addEventListener("focus", function () {
    if (!stale) { return; }
    stale = false;
    fetch(location.pathname, { credentials: "same-origin" }).then(function (res) {
      return res.ok ? res.text() : Promise.reject(res.status);
    }).then(function (html) {
      var doc = new DOMParser().parseFromString(html, "text/html");
      var auth = document.getElementById("f-auth"), freshAuth = doc.getElementById("f-auth");
      if (auth && freshAuth) {
        var chosen = auth.value;
        auth.innerHTML = freshAuth.innerHTML;
        auth.value = chosen;
      }
      var picker = document.getElementById("secret-picker"), freshPicker = doc.getElementById("secret-picker");
      if (picker && freshPicker) { picker.replaceWith(document.importNode(freshPicker, true)); }
    }).catch(function () { stale = true; });
  });

  // Unsaved changes: the save bar says so and leaving the page asks
  // first, until the form is submitted. A page showing a failed save
  // holds changes that are not stored yet.
  var saveButton = form.querySelector(".save-bar .btn-primary");
  var state = document.getElementById("save-state");
  var fields = function () { return new URLSearchParams(new FormData(form)).toString(); };
  var saved = fields();
  var failed = !!summary;
  var submitting = false;
  var dirty = function () { return !submitting && (failed || fields() !== saved); };
  var showState = function () {
    if (state) { state.textContent = dirty() ? "Unsaved changes" : ""; }
  };
  form.addEventListener("input", showState);
  form.addEventListener("change", showState);
  // Rows added or removed by script change the form without an input event.
  form.addEventListener("click", function () { setTimeout(showState, 0); });
  showState();
  form.addEventListener("submit", function () { submitting = true; });
  window.addEventListener("pageshow", function () { submitting = false; showState(); });
  window.addEventListener("beforeunload", function (e) {
    if (!dirty()) { return; }
    e.preventDefault();
    e.returnValue = "";
  });

  // Ctrl+S (Cmd+S on a Mac) saves, as the save button does.
  document.addEventListener("keydown", function (e) {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey || (e.key !== "s" && e.key !== "S")) { return; }
    e.preventDefault();
    if (!submitting && saveButton) { form.requestSubmit(saveButton); }
  });
})();
