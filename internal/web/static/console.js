// actiongate console: small enhancements over pages that work without
// script. Nothing here is needed to create, edit or delete anything.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var csrf = document.body.dataset.csrf || "";

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $all(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  // Forms that destroy something ask first.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });

  // Focus the error summary so keyboard and screen reader users hear it.
  var summary = $("#error-summary");
  if (summary) { summary.focus(); }

  // Table rows: add from a <template>, remove in place.
  var rowCounter = 500;
  document.addEventListener("click", function (e) {
    var add = e.target.closest("[data-add-row]");
    if (add) {
      var table = add.getAttribute("data-add-row");
      var tpl = document.getElementById("tpl-" + table);
      var rows = $('[data-rows="' + table + '"]');
      if (!tpl || !rows) { return; }
      e.preventDefault();
      var idx = String(rowCounter++);
      var frag = tpl.content.cloneNode(true);
      $all("*", frag).forEach(function (el) {
        ["id", "name", "for", "value", "aria-describedby"].forEach(function (a) {
          var v = el.getAttribute(a);
          if (v && v.indexOf("__i__") >= 0) { el.setAttribute(a, v.split("__i__").join(idx)); }
        });
      });
      var first = frag.querySelector("input, select, textarea");
      rows.appendChild(frag);
      if (first) { first.focus(); }
      return;
    }
    var remove = e.target.closest("[data-remove-row]");
    if (remove) {
      var row = remove.closest("[data-row]");
      if (!row) { return; }
      e.preventDefault();
      var next = row.nextElementSibling || row.previousElementSibling;
      row.remove();
      var focusTo = next && next.querySelector("input");
      if (focusTo) { focusTo.focus(); }
    }
  });

  // Placeholder highlighting, live as the template is typed.
  var phPattern = /\{\{\s*([^{}]*?)\s*\}\}/g;
  function sourceOf(name) {
    var dot = name.indexOf(".");
    var src = dot > 0 ? name.slice(0, dot) : "";
    return (src === "contact" || src === "vars" || src === "secret") ? src : "param";
  }
  function renderTemplate(target, text) {
    target.textContent = "";
    var last = 0, m;
    phPattern.lastIndex = 0;
    while ((m = phPattern.exec(text)) !== null) {
      target.appendChild(document.createTextNode(text.slice(last, m.index)));
      var mark = document.createElement("mark");
      mark.className = "ph ph-" + sourceOf(m[1]);
      mark.textContent = m[0];
      target.appendChild(mark);
      last = m.index + m[0].length;
    }
    target.appendChild(document.createTextNode(text.slice(last)));
    if (!text) { target.textContent = ""; }
  }
  $all("[data-preview]").forEach(function (input) {
    var target = $(input.getAttribute("data-preview"));
    if (!target) { return; }
    input.addEventListener("input", function () { renderTemplate(target, input.value); });
  });

  // Test panel: send without leaving the page; writes ask first.
  var testForm = $("#test-form");
  if (testForm) {
    testForm.addEventListener("submit", function (e) {
      e.preventDefault();
      var submitter = e.submitter;
      var mode = submitter && submitter.value === "send" ? "send" : "preview";
      var body = new URLSearchParams(new FormData(testForm));
      body.set("mode", mode);
      if (mode === "send" && testForm.getAttribute("data-write")) {
        if (!window.confirm("This request changes data in the upstream API. Send it now?")) { return; }
        body.set("confirm", "1");
      }
      var buttons = $all("button", testForm);
      buttons.forEach(function (b) { b.disabled = true; });
      var out = $("#test-result");
      out.setAttribute("aria-busy", "true");
      fetch(testForm.action.split("#")[0], {
        method: "POST",
        headers: { "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" },
        body: body.toString(),
        credentials: "same-origin"
      }).then(function (res) {
        if (res.headers.get("Content-Type").indexOf("application/json") === 0) {
          return res.json().then(function (j) { throw new Error(j.error || "The test failed."); });
        }
        return res.text();
      }).then(function (html) {
        out.innerHTML = html;
        refilter();
      }).catch(function (err) {
        out.textContent = "";
        var p = document.createElement("p");
        p.className = "error-box";
        p.textContent = err.message;
        out.appendChild(p);
      }).finally(function () {
        buttons.forEach(function (b) { b.disabled = false; });
        out.removeAttribute("aria-busy");
      });
    });
  }

  // Re-filter the last response as the filter fields change, without
  // calling the API again.
  var filterNames = ["response.select", "response.exclude", "response.compact", "response.max_items", "response.max_string", "response.max_tokens", "response.format"];
  var refilterTimer = null, refilterSeq = 0;
  function field(name) { return document.querySelector('#action-form [name="' + name + '"]'); }
  function refilter() {
    var raw = $("#raw-body");
    var outEl = $("#filtered-output");
    if (!raw || !outEl || !field("response.select")) { return; }
    var seq = ++refilterSeq;
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
    var status = $("#filter-status");
    fetch("/console/refilter", {
      method: "POST",
      headers: { "X-CSRF-Token": csrf, "Content-Type": "application/json" },
      body: JSON.stringify(req),
      credentials: "same-origin"
    }).then(function (res) { return res.json(); }).then(function (j) {
      if (seq !== refilterSeq) { return; }
      if (j.error) {
        if (status) { status.textContent = "Filter not applied: " + j.error; status.classList.add("field-error"); }
        return;
      }
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
      if (status) {
        status.classList.remove("field-error");
        status.textContent = "Re-filtered with the unsaved filter" + (j.note ? " — " + j.note : "") + ". Save to keep it.";
      }
    }).catch(function () {
      if (status) { status.textContent = "Could not re-filter; check your connection."; }
    });
  }
  filterNames.forEach(function (name) {
    var el = field(name);
    if (!el) { return; }
    el.addEventListener(el.type === "checkbox" ? "change" : "input", function () {
      clearTimeout(refilterTimer);
      refilterTimer = setTimeout(refilter, 250);
    });
  });

  // Credential editor: show only the section of the chosen type.
  var credType = $("[data-cred-type]");
  if (credType) {
    var showType = function () {
      $all("[data-cred-section]").forEach(function (s) {
        if (s.getAttribute("data-cred-section") === credType.value) { s.removeAttribute("data-inactive"); }
        else { s.setAttribute("data-inactive", ""); }
      });
    };
    credType.addEventListener("change", showType);
    showType();
  }

  // Copy buttons.
  $all("[data-copy]").forEach(function (b) {
    if (!navigator.clipboard) { return; }
    b.hidden = false;
    b.addEventListener("click", function () {
      var src = $(b.getAttribute("data-copy"));
      navigator.clipboard.writeText(src.value || src.textContent).then(function () {
        b.textContent = "Copied";
        setTimeout(function () { b.textContent = "Copy"; }, 1500);
      });
    });
  });

  // Actions list: filter rows as the search is typed.
  $all("[data-live-search]").forEach(function (input) {
    var table = $(input.getAttribute("data-live-search"));
    if (!table) { return; }
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      $all("tbody tr", table).forEach(function (tr) {
        tr.hidden = q !== "" && (tr.getAttribute("data-search") || "").toLowerCase().indexOf(q) < 0;
      });
    });
  });
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
  var pickResult = $("#test-result");
  if (pickResult && window.MutationObserver) {
    new MutationObserver(syncPicker).observe(pickResult, { childList: true });
  }
  syncPicker();
  // ---- Import ------------------------------------------------------
  // The operations of an import: the search filters the rows as it is
  // typed and says how many match; tag buttons tick or untick every
  // operation of a tag (or every operation, for the empty tag).
  var opsTable = $("[data-op-search]") && $($("[data-op-search]").getAttribute("data-op-search"));
  if (opsTable) {
    var opsSearch = $("[data-op-search]");
    var opsCount = $("#ops-count"), opsEmpty = $("#ops-empty");
    var opsRows = $all("tbody tr", opsTable).map(function (tr) {
      var tags = tr.getAttribute("data-tags");
      return { tr: tr, box: $("input[type=checkbox]", tr), search: tr.getAttribute("data-search") || "", tags: tags ? tags.split("\n") : [] };
    });
    var opsTotal = Number(opsCount.getAttribute("data-total")) || opsRows.length;
    var filterOps = function () {
      var q = opsSearch.value.trim().toLowerCase(), shown = 0;
      opsRows.forEach(function (row) {
        var hit = q === "" || row.search.indexOf(q) >= 0;
        row.tr.hidden = !hit;
        if (hit) { shown++; }
      });
      opsCount.textContent = shown.toLocaleString("en-US") + " of " + opsTotal.toLocaleString("en-US") + " operations";
      opsEmpty.hidden = shown > 0;
    };
    opsSearch.addEventListener("input", filterOps);
    opsSearch.form.addEventListener("submit", function (e) { e.preventDefault(); filterOps(); });
    document.addEventListener("click", function (e) {
      var btn = e.target.closest && e.target.closest("[data-tag-select]");
      if (!btn) { return; }
      e.preventDefault();
      var tag = btn.getAttribute("data-tag-select"), on = btn.getAttribute("data-on") === "1";
      opsRows.forEach(function (row) {
        if (tag === "" || row.tags.indexOf(tag) >= 0) { row.box.checked = on; }
      });
    });
  }
})();
