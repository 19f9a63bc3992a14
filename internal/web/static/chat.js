// actiongate console: the chat playground streams a turn as it happens.
// The message and decision forms post normally without script; with it,
// the same posts ask for Server-Sent Events and the transcript grows live:
// the answer's text, each tool call with its status, tokens and run, a
// write waiting for confirmation with Approve and Reject, and the turn's
// model usage.
(function () {
  "use strict";
  var csrf = document.body.dataset.csrf || "";
  var transcript = document.getElementById("transcript");
  var form = document.getElementById("chat-form");
  var status = document.getElementById("chat-status");
  if (!transcript || !form) { return; }
  var busy = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function num(n) { return (n || 0).toLocaleString("en-US"); }
  function pretty(raw) {
    if (raw === undefined || raw === null) { return ""; }
    try { return JSON.stringify(typeof raw === "string" ? JSON.parse(raw) : raw, null, 2); } catch (e) { return String(raw); }
  }
  function say(text, cls) {
    status.textContent = "";
    if (text) { status.appendChild(el("p", cls || "error-box", text)); }
  }
  function setBusy(on) {
    busy = on;
    form.querySelectorAll("textarea, button").forEach(function (b) { b.disabled = on; });
    transcript.setAttribute("aria-busy", on ? "true" : "false");
  }

  // One turn as it is rendered: the list item and its current answer text.
  function Turn(li) { this.li = li; this.text = null; this.calls = {}; this.said = false; }
  Turn.prototype.delta = function (d) {
    this.said = true;
    if (!this.text) {
      var box = el("div", "msg msg-assistant");
      box.appendChild(el("span", "msg-role", "Agent"));
      this.text = el("p", "msg-text", "");
      box.appendChild(this.text);
      this.li.appendChild(box);
    }
    this.text.textContent += d;
  };
  Turn.prototype.call = function (tc) {
    var d = this.calls[tc.id] || transcript.querySelector('[data-call="' + CSS.escape(tc.id) + '"]');
    if (!d) {
      d = el("details", "toolcall");
      d.setAttribute("data-call", tc.id);
      var sum = el("summary");
      sum.appendChild(el("span", "toolcall-name mono", tc.name));
      sum.appendChild(document.createTextNode(" "));
      sum.appendChild(el("span", "badge warn toolcall-status", "running"));
      d.appendChild(sum);
      d.appendChild(el("pre", "code toolcall-args", pretty(tc.arguments)));
      this.li.appendChild(d);
      // Text after a tool call is a new answer bubble.
      this.text = null;
    }
    this.calls[tc.id] = d;
    return d;
  };
  Turn.prototype.finished = function (tc) {
    var d = this.call(tc);
    var sum = d.querySelector("summary");
    var badge = d.querySelector(".toolcall-status");
    badge.textContent = tc.status || "done";
    badge.className = "badge toolcall-status " + (tc.status === "ok" ? "ok" : tc.status === "confirmation_required" ? "warn" : "bad");
    if ((tc.raw_tokens || tc.output_tokens) && !d.querySelector(".toolcall-tokens")) {
      sum.appendChild(document.createTextNode(" "));
      sum.appendChild(el("span", "toolcall-tokens small", "tokens " + num(tc.raw_tokens) + " → " + num(tc.output_tokens)));
    }
    if (tc.run_id && !d.querySelector(".toolcall-run")) {
      var a = el("a", "toolcall-run small", "run");
      a.href = "/runs/" + encodeURIComponent(tc.run_id);
      sum.appendChild(document.createTextNode(" "));
      sum.appendChild(a);
    }
  };
  Turn.prototype.confirm = function (tc, preview) {
    this.finished(tc);
    var d = this.calls[tc.id];
    d.open = true;
    var old = d.querySelector(".toolcall-confirm");
    if (old) { old.remove(); }
    var box = el("div", "toolcall-confirm");
    box.setAttribute("role", "group");
    box.appendChild(el("p", "", "This write waits for your confirmation; nothing was sent."));
    if (preview) {
      var line = (preview.method || "") + " " + (preview.url || "");
      box.appendChild(el("pre", "code request", line + (preview.body ? "\n\n" + preview.body : "")));
    }
    var f = el("form", "inline-form");
    f.method = "post";
    f.action = form.action.replace(/\/messages$/, "/decide");
    f.setAttribute("data-chat-decide", "");
    [["csrf", csrf], ["confirmation", tc.confirmation_id]].forEach(function (kv) {
      var i = el("input");
      i.type = "hidden"; i.name = kv[0]; i.value = kv[1];
      f.appendChild(i);
    });
    [["approve", "Approve", "btn btn-primary btn-small"], ["reject", "Reject", "btn btn-small"]].forEach(function (b) {
      var btn = el("button", b[2], b[1]);
      btn.type = "submit"; btn.name = "do"; btn.value = b[0];
      f.appendChild(btn);
      f.appendChild(document.createTextNode(" "));
    });
    box.appendChild(f);
    d.appendChild(box);
    f.querySelector("button").focus();
  };
  Turn.prototype.completed = function (turn) {
    if (!turn) { return; }
    if (turn.message && turn.message.content && !this.said) { this.delta(turn.message.content); }
    var u = turn.usage || {};
    if (u.input_tokens || u.output_tokens) {
      var old = this.li.querySelector(".turn-usage");
      if (old) { old.remove(); }
      this.li.appendChild(el("p", "turn-usage small muted", "Turn · model tokens " + num(u.input_tokens) + " in · " + num(u.output_tokens) + " out"));
    }
    if (turn.status === "waiting_confirmation") {
      say("The turn waits for your confirmation of a write.", "flash warn");
    } else if (turn.status === "failed") {
      say("The turn failed: " + (turn.error || "unknown error"));
    } else {
      say("");
    }
    var waiting = turn.status === "waiting_confirmation";
    form.querySelectorAll("textarea, button").forEach(function (b) { b.disabled = waiting; });
  };

  // post sends a form's fields, asking for the turn's events, and renders
  // them into turn as they arrive.
  function post(url, body, turn) {
    setBusy(true);
    say("");
    var ended = false;
    return fetch(url, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf, "Accept": "text/event-stream", "Content-Type": "application/x-www-form-urlencoded" },
      body: body.toString(),
      credentials: "same-origin"
    }).then(function (res) {
      var ct = res.headers.get("Content-Type") || "";
      if (ct.indexOf("text/event-stream") !== 0) {
        return res.json().then(function (j) { throw new Error(j.error || "The message was not taken."); },
          function () { throw new Error("The message was not taken (HTTP " + res.status + ")."); });
      }
      var reader = res.body.getReader();
      var decoder = new TextDecoder();
      var buf = "";
      function pump() {
        return reader.read().then(function (r) {
          if (r.done) { return; }
          buf += decoder.decode(r.value, { stream: true });
          var i;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            var block = buf.slice(0, i);
            buf = buf.slice(i + 2);
            if (handle(block, turn)) { ended = true; }
          }
          return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      say(err.message);
    }).finally(function () {
      setBusy(false);
      if (!ended) { return; }
      var waiting = transcript.querySelector(".toolcall-confirm form");
      form.querySelectorAll("textarea, button").forEach(function (b) { b.disabled = !!waiting; });
      if (!waiting) { form.querySelector("textarea").focus(); }
    });
  }

  // handle renders one event; it reports whether the turn ended.
  function handle(block, turn) {
    var type = "", data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event:") === 0) { type = line.slice(6).trim(); }
      else if (line.indexOf("data:") === 0) { data += line.slice(5).trim(); }
    });
    if (!data) { return false; }
    var ev;
    try { ev = JSON.parse(data); } catch (e) { return false; }
    switch (type || ev.type) {
      case "message.delta": turn.delta(ev.delta || ""); break;
      case "tool_call.started": turn.call(ev.tool_call); break;
      case "tool_call.finished": turn.finished(ev.tool_call); break;
      case "confirmation.required": turn.confirm(ev.tool_call, ev.preview); break;
      case "message.completed": turn.completed(ev.turn); return true;
      case "error":
        if (ev.turn) { turn.completed(ev.turn); } else { say(ev.error || "The turn failed."); }
        return true;
    }
    return false;
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (busy) { return; }
    var text = form.querySelector("textarea").value.trim();
    if (!text) { return; }
    var li = el("li", "turn");
    var msg = el("div", "msg msg-user");
    msg.appendChild(el("span", "msg-role", "Contact"));
    msg.appendChild(el("p", "msg-text", text));
    li.appendChild(msg);
    transcript.appendChild(li);
    var body = new URLSearchParams(new FormData(form));
    form.querySelector("textarea").value = "";
    post(form.action, body, new Turn(li));
  });

  // Approve or Reject: the resumed turn continues in the same list item.
  document.addEventListener("submit", function (e) {
    var f = e.target.closest("[data-chat-decide]");
    if (!f) { return; }
    e.preventDefault();
    if (busy) { return; }
    var body = new URLSearchParams(new FormData(f));
    body.set("do", e.submitter && e.submitter.value === "reject" ? "reject" : "approve");
    var li = f.closest("li.turn") || transcript.lastElementChild;
    var box = f.closest(".toolcall-confirm");
    var turn = new Turn(li);
    var call = f.closest("details");
    if (call) { turn.calls[call.getAttribute("data-call")] = call; }
    if (box) { box.remove(); }
    post(f.action, body, turn);
  });
})();
