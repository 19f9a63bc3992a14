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
})();
