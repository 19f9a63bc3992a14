// actiongate console: small enhancements over pages that work without
// script. Nothing here is needed to create, edit or delete anything.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

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

  // Tables: each cell carries its column's name, shown above the value
  // when the rows stack as cards on narrow screens.
  function labelCells(table) {
    var heads = $all("thead th", table).map(function (th) {
      var c = th.cloneNode(true);
      $all(".sr-only", c).forEach(function (el) { el.remove(); });
      return c.textContent.trim();
    });
    $all("tbody tr", table).forEach(function (tr) {
      var col = 0;
      Array.prototype.forEach.call(tr.children, function (cell) {
        var span = cell.colSpan || 1;
        if (span === 1 && heads[col] && !cell.hasAttribute("data-label")) { cell.setAttribute("data-label", heads[col]); }
        col += span;
      });
    });
  }
  $all("table.list").forEach(labelCells);

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
