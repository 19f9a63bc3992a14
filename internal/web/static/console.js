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

  // Copy buttons: the existing [data-copy] ones, and one on every code
  // block. The clipboard API needs a secure origin; elsewhere the text is
  // selected and copied the older way. A status line says "Copied".
  var copyStatus = document.createElement("span");
  copyStatus.className = "sr-only";
  copyStatus.setAttribute("role", "status");
  document.body.appendChild(copyStatus);
  function copySelected(el) {
    var sel = window.getSelection(), range = document.createRange();
    if (el.select) { el.select(); } else { range.selectNodeContents(el); sel.removeAllRanges(); sel.addRange(range); }
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
    if (!el.select) { sel.removeAllRanges(); }
    return ok;
  }
  function copyFrom(button, src, idle) {
    var field = src.tagName === "INPUT" || src.tagName === "TEXTAREA";
    var text = field ? src.value : src.textContent;
    var done = function (ok) {
      button.textContent = ok ? "Copied" : "Copy failed";
      copyStatus.textContent = "";
      setTimeout(function () { copyStatus.textContent = ok ? "Copied" : "Copy failed: select the text and copy it"; }, 50);
      setTimeout(function () { button.textContent = idle; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(copySelected(src)); });
    } else {
      done(copySelected(src));
    }
  }
  $all("[data-copy]").forEach(function (b) {
    var idle = b.textContent;
    b.hidden = false;
    b.addEventListener("click", function () {
      var src = $(b.getAttribute("data-copy"));
      if (src) { copyFrom(b, src, idle); }
    });
  });
  function addCopyButton(pre) {
    if (pre.parentNode.classList.contains("code-block")) { return; }
    if (pre.id && $('[data-copy="#' + pre.id + '"]')) { return; }
    var wrap = document.createElement("div");
    wrap.className = "code-block";
    pre.parentNode.insertBefore(wrap, pre);
    wrap.appendChild(pre);
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-small code-copy";
    b.textContent = "Copy";
    var name = pre.getAttribute("aria-label");
    b.setAttribute("aria-label", name ? "Copy " + name.toLowerCase() : "Copy code");
    b.addEventListener("click", function () { copyFrom(b, pre, "Copy"); });
    wrap.appendChild(b);
  }

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

  // Code blocks and tables that scripts add later (the test panel's
  // result, the chat's tool calls) get the same treatment.
  function enhance(root) {
    if (root.matches && root.matches("pre.code")) { addCopyButton(root); }
    if (root.matches && root.matches("table.list")) { labelCells(root); }
    $all("pre.code", root).forEach(addCopyButton);
    $all("table.list", root).forEach(labelCells);
  }
  enhance(document);
  new MutationObserver(function (changes) {
    changes.forEach(function (ch) {
      Array.prototype.forEach.call(ch.addedNodes, function (n) { if (n.nodeType === 1) { enhance(n); } });
    });
  }).observe(document.body, { childList: true, subtree: true });

  // Actions list: filter rows as the search is typed; the count says how
  // many show, and when none does the table gives way to the empty state.
  $all("[data-live-search]").forEach(function (input) {
    var table = $(input.getAttribute("data-live-search"));
    if (!table) { return; }
    var count = $(input.getAttribute("data-live-count") || "#none");
    var empty = $(input.getAttribute("data-live-empty") || "#none");
    var wrap = table.closest(".table-wrap") || table;
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase(), shown = 0;
      $all("tbody tr", table).forEach(function (tr) {
        tr.hidden = q !== "" && (tr.getAttribute("data-search") || "").toLowerCase().indexOf(q) < 0;
        if (!tr.hidden) { shown++; }
      });
      if (count) {
        count.textContent = shown + " of " + count.getAttribute("data-total") + " " + count.getAttribute("data-noun");
      }
      if (empty) {
        empty.hidden = shown > 0;
        wrap.hidden = shown === 0;
        $all("[data-live-query]", empty).forEach(function (el) { el.textContent = input.value.trim(); });
      }
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
