// actiongate console, the action editor's test panel: testing the action
// as drafted without leaving the page, re-filtering the last response as the filter
// is edited, and the field picker. The panel works without it.
(function () {
  "use strict";
  var csrf = document.body.dataset.csrf || "";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // Test panel: preview or send the action as the editor holds it, without
  // leaving the page; writes ask first. The panel's inputs and buttons
  // belong to the editor's form, so a test posts the editor's fields.
  var editor = $("#action-form");
  var lastMode = "preview";
  function isWrite() {
    var m = field("method"), c = field("confirm");
    if (c && c.value === "always") { return true; }
    if (m) { return ["POST", "PUT", "PATCH", "DELETE"].indexOf(m.value) >= 0; }
    var form = $("#test-form");
    return !!(form && form.getAttribute("data-write"));
  }
  function runTest(submitter) {
    var mode = submitter.value === "send" ? "send" : "preview";
    lastMode = mode;
    var body = new URLSearchParams(new FormData(editor));
    body.set("mode", mode);
    if (mode === "send" && isWrite()) {
      if (!window.confirm("This request changes data in the upstream API. Send it now?")) { return; }
      body.set("confirmed", "1");
    }
    var sentFilter = filterValues();
    var panel = $("#test");
    var buttons = $all("[data-test-mode]", panel);
    buttons.forEach(function (b) { b.disabled = true; });
    var out = $("#test-result");
    out.setAttribute("aria-busy", "true");
    var focused = document.activeElement && panel.contains(document.activeElement) ? document.activeElement.id : "";
    fetch(submitter.getAttribute("formaction").split("#")[0], {
      method: "POST",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (res) {
      if ((res.headers.get("Content-Type") || "").indexOf("application/json") === 0) {
        return res.json().then(function (j) { throw new Error(j.error || "The test failed."); });
      }
      return res.text();
    }).then(function (html) {
      panel.innerHTML = html;
      var again = focused && document.getElementById(focused);
      if (again) { again.focus(); }
      remember(sentFilter);
      showSelectProblem();
      linkProblems();
    }).catch(function (err) {
      buttons.forEach(function (b) { b.disabled = false; });
      out.removeAttribute("aria-busy");
      out.textContent = "";
      var p = document.createElement("p");
      p.className = "error-box";
      p.textContent = err.message;
      out.appendChild(p);
    });
  }
  // linkProblems points the links of a draft's problems at the editor's
  // rows as they are on the page: the server numbers the rows it read
  // (empty ones dropped) from 0, the page keeps the numbers it made.
  function linkProblems() {
    $all('#test-result .test-problems a[href^="#f-"]').forEach(function (a) {
      var id = decodeURIComponent(a.hash.slice(1));
      if (document.getElementById(id)) { return; }
      var m = /^f-(query|headers|params)\.(\d+)\.(.+)$/.exec(id);
      if (!m) { return; }
      var rows = $all('[data-rows="' + m[1] + '"] > [data-row]').filter(function (row) {
        return $all("input, textarea", row).some(function (el) {
          return el.type === "checkbox" ? el.checked : el.value.trim() !== "";
        });
      });
      var row = rows[Number(m[2])];
      var target = row && $all("[name]", row).filter(function (el) { return el.name.slice(-(m[3].length + 1)) === "." + m[3]; })[0];
      if (target && target.id) { a.setAttribute("href", "#" + target.id); }
    });
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest && e.target.closest('.test-problems a[href^="#f-"]');
    var target = a && document.getElementById(decodeURIComponent(a.hash.slice(1)));
    if (!target) { return; }
    e.preventDefault();
    target.scrollIntoView({ block: "center" });
    target.focus();
  });
  if (editor) {
    editor.addEventListener("submit", function (e) {
      var submitter = e.submitter;
      if (!submitter || !submitter.hasAttribute("data-test-mode")) { return; }
      e.preventDefault();
      runTest(submitter);
    });
    // Enter in a test input runs the button chosen last (Preview at first),
    // instead of saving the editor.
    var inTestField = function (e) {
      return e.key === "Enter" && !e.isComposing && e.target.closest && e.target.closest("#test-form") &&
        (e.target.tagName === "INPUT" || e.target.tagName === "SELECT");
    };
    document.addEventListener("keydown", function (e) {
      if (!inTestField(e)) { return; }
      e.preventDefault();
      var btn = $('#test-form [data-test-mode][value="' + lastMode + '"]');
      if (btn && !btn.disabled) { runTest(btn); }
    });
    // The form is submitted on the key press Enter makes, which some
    // input methods deliver on its own.
    document.addEventListener("keypress", function (e) {
      if (inTestField(e)) { e.preventDefault(); }
    });
  }

  // Re-filter the last response as the filter fields change, without
  // calling the API again. What the panel shows as what the model reads is
  // the run's own output until the filter is edited; edited back, the
  // run's output returns. Only a successful response went through the
  // filter, so only one is re-filtered.
  var filterNames = ["response.select", "response.exclude", "response.compact", "response.max_items", "response.max_string", "response.max_tokens", "response.format"];
  var refilterTimer = null, refilterSeq = 0;
  // ran is the filter the shown run was made with and what it produced.
  var ran = null;
  function field(name) { return document.querySelector('#action-form [name="' + name + '"]'); }
  function filterValues() {
    var v = {};
    filterNames.forEach(function (name) {
      var el = field(name);
      v[name] = !el ? "" : (el.type === "checkbox" ? String(el.checked) : el.value);
    });
    return JSON.stringify(v);
  }
  function textOf(sel) { var el = $(sel); return el ? el.textContent : null; }
  function setText(sel, text) { var el = $(sel); if (el && text !== null) { el.textContent = text; } }
  // remember notes the run shown and the filter it ran with.
  function remember(filter) {
    var result = $("#test-result .result");
    if (!result || !$("#filtered-output")) { ran = null; return; }
    var records = $("#records-kept");
    ran = {
      filter: filter,
      filterable: result.getAttribute("data-filterable") === "1",
      output: textOf("#filtered-output"),
      tokensOut: textOf("#tokens-out"),
      tokensRaw: textOf("#tokens-raw"),
      records: textOf("#records-of"),
      recordsHidden: records ? records.hidden : true,
      status: textOf("#filter-status")
    };
  }
  function setStatus(text, isError) {
    var status = $("#filter-status");
    if (!status) { return; }
    status.textContent = text;
    status.classList.toggle("field-error", !!isError);
  }
  function restore() {
    setText("#filtered-output", ran.output);
    setText("#tokens-out", ran.tokensOut);
    setText("#tokens-raw", ran.tokensRaw);
    setText("#records-of", ran.records);
    var records = $("#records-kept");
    if (records) { records.hidden = ran.recordsHidden; }
    setStatus(ran.status || "", false);
  }
  function refilter() {
    var raw = $("#raw-body");
    var outEl = $("#filtered-output");
    if (!ran || !raw || !outEl || !field("response.select")) { return; }
    var seq = ++refilterSeq;
    if (filterValues() === ran.filter) { restore(); selectProblem(""); return; }
    if (!ran.filterable) {
      setStatus("This run's response was not filtered (the filter applies to successful responses), so this is what the model read.", false);
      return;
    }
    var req = {
      content_type: raw.getAttribute("data-content-type") || "",
      body: raw.value,
      select: field("response.select").value,
      exclude: field("response.exclude").value,
      compact: field("response.compact").checked,
      max_items: field("response.max_items").value,
      max_string: field("response.max_string").value,
      max_tokens: field("response.max_tokens").value,
      format: field("response.format").value
    };
    fetch("/console/refilter", {
      method: "POST",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" },
      body: JSON.stringify(req),
      credentials: "same-origin"
    }).then(function (res) { return res.json(); }).then(function (j) {
      if (seq !== refilterSeq) { return; }
      if (j.error) {
        selectProblem(j.select_error ? j.error : "");
        setStatus("Not re-filtered: " + j.error, true);
        return;
      }
      selectProblem("");
      outEl.textContent = j.output;
      var tokOut = $("#tokens-out"), tokRaw = $("#tokens-raw");
      if (tokOut) {
        tokOut.textContent = j.output_tokens.toLocaleString("en-US");
        tokOut.classList.remove("flash-tokens");
        void tokOut.offsetWidth;
        tokOut.classList.add("flash-tokens");
      }
      if (tokRaw) { tokRaw.textContent = j.raw_tokens.toLocaleString("en-US"); }
      var records = $("#records-kept"), recordsOf = $("#records-of");
      if (records && recordsOf) {
        records.hidden = !(j.records_total > 0);
        recordsOf.textContent = j.records_kept.toLocaleString("en-US") + " of " + j.records_total.toLocaleString("en-US");
      }
      setStatus("Re-filtered with the edited filter: not what the model read in this run" + (j.note ? " — " + j.note : "") + ". Save to keep it.", false);
    }).catch(function () {
      setStatus("Could not re-filter; check your connection.", true);
    });
  }
  // selectProblem shows a problem of the select beside the Select field
  // ("" clears it).
  function selectProblem(text) {
    var sel = field("response.select");
    if (!sel) { return; }
    var box = sel.parentNode.querySelector(".select-problem");
    if (!text) {
      if (box) { box.remove(); sel.removeAttribute("aria-invalid"); }
      return;
    }
    if (!box) {
      box = document.createElement("p");
      box.className = "field-error select-problem";
      box.id = "select-problem";
      box.setAttribute("aria-live", "polite");
      sel.parentNode.appendChild(box);
    }
    box.textContent = text;
    sel.setAttribute("aria-invalid", "true");
  }
  filterNames.forEach(function (name) {
    var el = field(name);
    if (!el) { return; }
    el.addEventListener(el.type === "checkbox" ? "change" : "input", function () {
      clearTimeout(refilterTimer);
      refilterTimer = setTimeout(refilter, 250);
    });
  });
  // showSelectProblem shows beside the Select field the problem the
  // shown run's select had with its response.
  function showSelectProblem() {
    var result = $("#test-result .result");
    var text = result ? result.getAttribute("data-select-problem") : "";
    if (text) { selectProblem(text); }
  }
  remember(filterValues());
  showSelectProblem();

  // ---- Field picker -------------------------------------------------
  // The test panel's field tree: ticking fields writes the select (a jq
  // projection) and re-filters; a select typed by hand re-ticks the boxes,
  // or disables them when the picker cannot represent it.
  var pickSeq = 0, pickTimer = null;
  function pick(req) {
    return fetch("/console/pick", {
      method: "POST",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" },
      body: JSON.stringify(req),
      credentials: "same-origin"
    }).then(function (res) { return res.json(); });
  }
  function pickBoxes() { return $all("#field-picker [data-pick-path]"); }
  function pickNote(text) {
    var note = $("#picker-note");
    if (note) { note.textContent = text; }
  }
  function syncPicker() {
    var sel = field("response.select");
    if (!sel || pickBoxes().length === 0) { return; }
    var seq = ++pickSeq;
    pick({ select: sel.value }).then(function (j) {
      if (seq !== pickSeq || j.error) { return; }
      var ticked = {};
      (j.paths || []).forEach(function (p) { ticked[JSON.stringify(p)] = true; });
      pickBoxes().forEach(function (box) {
        box.disabled = !j.ok;
        box.checked = j.ok && ticked[box.getAttribute("data-pick-path")] === true;
      });
      pickNote(j.ok ? "Tick the fields the model needs; the select is written for you." : j.note);
    });
  }
  document.addEventListener("change", function (e) {
    if (!e.target.matches || !e.target.matches("#field-picker [data-pick-path]")) { return; }
    var sel = field("response.select");
    if (!sel) { return; }
    var paths = pickBoxes().filter(function (b) { return b.checked; }).map(function (b) {
      return JSON.parse(b.getAttribute("data-pick-path"));
    });
    var seq = ++pickSeq;
    pick({ paths: paths }).then(function (j) {
      if (seq !== pickSeq || j.error) { return; }
      sel.value = j.select;
      sel.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-pick-exclude]");
    var ex = field("response.exclude");
    if (!btn || !ex) { return; }
    var name = btn.getAttribute("data-pick-exclude");
    var have = ex.value.split(/[,\n]/).map(function (s) { return s.trim(); }).filter(Boolean);
    if (have.indexOf(name) < 0) {
      have.push(name);
      ex.value = have.join(", ");
      ex.dispatchEvent(new Event("input", { bubbles: true }));
    }
  });
  var pickSelect = field("response.select");
  if (pickSelect) {
    pickSelect.addEventListener("input", function () {
      clearTimeout(pickTimer);
      pickTimer = setTimeout(syncPicker, 250);
    });
  }
  var pickResult = $("#test");
  if (pickResult && window.MutationObserver) {
    new MutationObserver(syncPicker).observe(pickResult, { childList: true });
  }
  syncPicker();
})();
