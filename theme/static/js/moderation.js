/* The moderators' page: the queue and the decisions, over the relay's moderation API
   (/api/moderation/*, docs/architecture.md). Message texts are written with textContent only:
   a message can never become markup here. The token lives in sessionStorage (this tab only):
   a pasted one locally, the access token of the Cognito sign-in (code + PKCE) on AWS. */
(function () {
  "use strict";
  var root = document.getElementById("moderation");
  if (!root || !window.fetch || !window.sessionStorage) { return; }

  var API = root.getAttribute("data-api");
  var LANG = root.getAttribute("data-lang") === "en" ? "en" : "fr";
  var T = JSON.parse(document.getElementById("moderation-strings").textContent);
  var KEY = "passerelle.moderator-token";
  var $ = function (id) { return document.getElementById(id); };

  var state = { token: null, items: [], index: -1, review: null, reasons: [], alerts: [] };
  // On AWS, /moderation/auth.json (written by invoke deploy) names the Cognito sign-in:
  // authorization code + PKCE, no pasted token. Without it (make serve), a local token.
  var SIGN_IN = null;
  var PKCE = "passerelle.pkce";

  function say(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (_, name) {
      return values && name in values ? String(values[name]) : "{" + name + "}";
    });
  }

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  /* The text as written, with the contact details screening masked and the ones it was unsure
     of highlighted (`spans`, UTF-16 offsets); every piece is written with textContent. */
  function showOriginal(box, m) {
    clear(box);
    if (m.body === null) { box.textContent = T.erased_text; return; }
    var position = 0;
    (m.spans || []).forEach(function (span) {
      if (span.start < position) { return; }
      if (span.start > position) { box.appendChild(document.createTextNode(m.body.slice(position, span.start))); }
      var possible = span.kind === "contact_possible";
      var mark = el("mark", possible ? "span-possible" : "span-masked", m.body.slice(span.start, span.end));
      mark.title = possible ? T.span_possible : T.span_masked;
      box.appendChild(mark);
      position = span.end;
    });
    if (position < m.body.length) { box.appendChild(document.createTextNode(m.body.slice(position))); }
  }

  function status(text) { $("status").textContent = text || ""; }
  function alarm(text) { $("alert").textContent = text || ""; }

  // A region being filled is announced as busy until it is done, whatever the outcome.
  function busy(element, on) {
    if (on) { element.setAttribute("aria-busy", "true"); } else { element.removeAttribute("aria-busy"); }
  }

  // --- the API ------------------------------------------------------------------------------

  function ApiError(status, body) { this.status = status; this.body = body || {}; }

  function api(path, body) {
    var options = {
      method: body ? "POST" : "GET",
      headers: { "Accept": "application/json", "Accept-Language": LANG, "Authorization": "Bearer " + state.token },
      credentials: "omit",
      cache: "no-store"
    };
    if (body) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(API + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status === 401) { signOut(T.session_over); throw new ApiError(401, data); }
        if (!response.ok) { throw new ApiError(response.status, data); }
        return data;
      });
    }, function () { throw new ApiError(0, {}); });
  }

  // --- signing in -----------------------------------------------------------------------------

  function b64url(bytes) {
    var text = "";
    for (var i = 0; i < bytes.length; i++) { text += String.fromCharCode(bytes[i]); }
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function random(n) { return b64url(crypto.getRandomValues(new Uint8Array(n))); }
  function backHere() { return location.origin + location.pathname; }

  function useHostedSignIn(config) {
    SIGN_IN = config;
    Array.prototype.forEach.call(
      root.querySelectorAll("label[for=token], #token, #token-hint"),
      function (node) { node.hidden = true; }
    );
  }

  function startHostedSignIn() {
    var verifier = random(32);
    var nonce = random(16);
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)).then(function (hash) {
      sessionStorage.setItem(PKCE, JSON.stringify({ verifier: verifier, state: nonce }));
      var query = new URLSearchParams({
        response_type: "code", client_id: SIGN_IN.client_id, redirect_uri: backHere(),
        scope: "openid email", state: nonce,
        code_challenge: b64url(new Uint8Array(hash)), code_challenge_method: "S256"
      });
      location.assign(SIGN_IN.domain + "/oauth2/authorize?" + query.toString());
    });
  }

  function finishHostedSignIn(params) {
    var saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(PKCE) || "null"); } catch (e) { saved = null; }
    sessionStorage.removeItem(PKCE);
    history.replaceState(null, "", location.pathname);  // the code is single-use: off the URL
    if (!saved || !params.get("code") || saved.state !== params.get("state")) {
      $("token-error").textContent = T.session_over;
      return;
    }
    fetch(SIGN_IN.domain + "/oauth2/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code", client_id: SIGN_IN.client_id, code: params.get("code"),
        redirect_uri: backHere(), code_verifier: saved.verifier
      }).toString(),
      credentials: "omit",
      cache: "no-store"
    }).then(function (response) {
      if (!response.ok) { throw new Error("token " + response.status); }
      return response.json();
    }).then(function (tokens) {
      signIn(tokens.access_token, false);  // access tokens carry cognito:groups
    }).catch(function () { $("token-error").textContent = T.network; });
  }

  function signIn(token, fromForm) {
    state.token = token;
    return api("/me").then(function (me) {
      sessionStorage.setItem(KEY, token);
      $("token").value = "";
      $("token-error").textContent = "";
      $("login").hidden = true;
      $("workspace").hidden = false;
      $("whoami").textContent = say(T.signed_in_as, { actor: me.actor });
      return api("/reasons").then(function (data) {
        state.reasons = data.reasons || [];
        renderReasons();
        return load();
      });
    }).catch(function (error) {
      if (error.status === 401) {
        $("token-error").textContent = fromForm ? T.bad_token : T.session_over;
        $("token").setAttribute("aria-invalid", "true");
        $("token").focus();
      } else {
        $("token-error").textContent = T.network;
      }
    });
  }

  function signOut(why) {
    sessionStorage.removeItem(KEY);
    state.token = null;
    state.items = [];
    state.alerts = [];
    renderQueue();
    renderAlerts();
    select(-1, false);
    $("workspace").hidden = true;
    $("login").hidden = false;
    $("token-error").textContent = why || "";
    $("token").focus();
  }

  // --- the queue ------------------------------------------------------------------------------

  function ago(iso) {
    var seconds = (Date.parse(iso) - Date.now()) / 1000;
    var format = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(LANG, { numeric: "auto" }) : null;
    var steps = [["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var i = 0; i < steps.length; i++) {
      if (Math.abs(seconds) >= steps[i][1] || i === steps.length - 1) {
        var value = Math.round(seconds / steps[i][1]);
        return format ? format.format(value, steps[i][0]) : iso;
      }
    }
    return iso;
  }

  /* Québec time, as people write it: "5 décembre 2026 à 14 h 05", "December 5, 2026 at 2:05 p.m.". */
  var WHEN = window.Intl ? new Intl.DateTimeFormat(LANG === "en" ? "en-CA" : "fr-CA",
    { dateStyle: "long", timeStyle: "short", timeZone: "America/Montreal" }) : null;

  function when(iso) {
    var date = new Date(iso);
    return (WHEN ? WHEN.format(date) : iso) + " (" + ago(iso) + ")";
  }

  function flagNames(m) {
    return m.flags.map(function (flag, i) { return [flag, (m.flag_names && m.flag_names[i]) || flag]; });
  }

  function load(keepId, note) {
    loadAlerts();
    busy($("queue"), true);
    return api("/queue").then(function (data) {
      state.items = data.items || [];
      var at = keepId ? indexOf(keepId) : -1;
      renderQueue();
      status(note || "");
      select(at >= 0 ? at : (state.items.length ? Math.min(Math.max(state.index, 0), state.items.length - 1) : -1), false);
    }).catch(function (error) { if (error.status !== 401) { alarm(T.network); } })
      .then(function () { busy($("queue"), false); });
  }

  function indexOf(id) {
    for (var i = 0; i < state.items.length; i++) { if (state.items[i].message.id === id) { return i; } }
    return -1;
  }

  function renderQueue() {
    var list = $("queue");
    clear(list);
    var n = state.items.length;
    $("queue-count").textContent = n === 0 ? T.empty : (n === 1 ? T.count_one : say(T.count_many, { n: n }));
    state.items.forEach(function (item, i) {
      var m = item.message, t = item.thread;
      var li = el("li");
      var button = el("button", "queue-item");
      button.type = "button";
      button.setAttribute("data-index", String(i));
      button.setAttribute("data-message", m.id);
      var head = el("span", "queue-head");
      head.appendChild(el("span", "priority", say(T.priority, { n: m.priority })));
      head.appendChild(el("span", "age", ago(m.created_at)));
      button.appendChild(head);
      var marks = el("span", "marks");
      if (m.escalated) { marks.appendChild(el("span", "badge badge-escalated", T.escalated)); }
      if (t.minor) { marks.appendChild(el("span", "badge badge-minor", T.minor)); }
      flagNames(m).forEach(function (f) { marks.appendChild(el("span", flagClass(f[0]), f[1])); });
      button.appendChild(marks);
      button.appendChild(el("span", "preview", (m.author === "mentor" ? T.author_mentor : T.author_mentee) + " · " + (t.mentor_name || t.mentor)));
      var preview = (m.delivered_text || "").replace(/\s+/g, " ");
      button.appendChild(el("span", "preview-text", preview.length > 90 ? preview.slice(0, 89) + "…" : preview));
      button.addEventListener("click", function () { select(i, true); });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function flagClass(flag) {
    return "badge flag" + (String(flag).indexOf("risk:") === 0 ? " flag-risk" : "");
  }

  // --- undeliverable e-mails ------------------------------------------------------------------
  // E-mails refused for good, or still failing after several attempts (GET /undeliverable):
  // what, to which side, how often, why; a moderator resends or closes each (POST /jobs/<id>/...).

  function loadAlerts() {
    return api("/undeliverable").then(function (data) {
      state.alerts = data.items || [];
      renderAlerts();
    }).catch(function () { /* the queue's own load reports a network or session problem */ });
  }

  function alertState(alert) {
    if (alert.permanent) { return T.state_refused; }
    return alert.state === "failed" ? T.state_failed : T.state_retrying;
  }

  function decideJob(alert, action) {
    api("/jobs/" + encodeURIComponent(alert.job_id) + "/" + action, {}).then(function () {
      status(action === "resend" ? T.resent : T.closed);
      return loadAlerts();
    }).catch(function (error) {
      if (error.status === 409 || error.status === 404) {
        alarm(T.job_changed);
        return loadAlerts();
      }
      if (error.status !== 401) { alarm(T.failed); }
    });
  }

  function renderAlerts() {
    var list = $("undeliverable-list");
    clear(list);
    var n = state.alerts.length;
    $("undeliverable").hidden = n === 0;
    $("undeliverable-count").textContent = n === 1 ? T.undeliverable_one : say(T.undeliverable_many, { n: n });
    state.alerts.forEach(function (alert, i) {
      var li = el("li", "alert-item");
      li.setAttribute("data-message", alert.message.id);
      li.setAttribute("data-job", alert.job_id);
      var facts = el("dl", "facts");
      var toMentor = alert.recipient === "mentor";
      var retrying = alert.state === "queued";
      [[T.kind, T["kind_" + alert.kind] || alert.kind, "kind"],
        [T.state, alertState(alert), "state"],
        [retrying ? T.next_try : T.gave_up_at, when(alert.at), "gave-up"],
        [T.attempts, alert.attempts, "attempts"],
        [T.recipient, toMentor ? T.to_mentor : T.to_mentee, "recipient"],
        [T.error, alert.error || "—", "error"], [T.thread, alert.thread_id, "thread-id"]
      ].forEach(function (fact) {
        facts.appendChild(el("dt", null, fact[0]));
        facts.appendChild(el("dd", fact[2], fact[1]));
      });
      li.appendChild(facts);
      var actions = el("div", "alert-actions");
      [["resend", T.resend, "button"], ["close", T.close, "button secondary"]].forEach(function (spec) {
        var act = el("button", spec[2] + " " + spec[0], spec[1]);
        act.type = "button";
        act.addEventListener("click", function () { decideJob(alert, spec[0]); });
        actions.appendChild(act);
      });
      li.appendChild(actions);
      var events = el("ol", "events");
      events.id = "alert-events-" + i;
      events.hidden = true;
      var button = el("button", "button secondary history", T.show_history);
      button.type = "button";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", events.id);
      button.addEventListener("click", function () { toggleEvents(button, events, alert.thread_id); });
      li.appendChild(button);
      li.appendChild(events);
      list.appendChild(li);
    });
  }

  function toggleEvents(button, list, threadId) {
    var open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    button.textContent = open ? T.show_history : T.hide_history;
    list.hidden = open;
    if (open) { return; }
    clear(list);
    list.appendChild(el("li", "hint", T.loading));
    api("/threads/" + encodeURIComponent(threadId) + "/events").then(function (data) {
      clear(list);
      var events = data.events || [];
      if (!events.length) { list.appendChild(el("li", "hint", T.no_events)); }
      events.forEach(function (event) {
        var li = el("li", "event");
        li.appendChild(el("span", "meta", when(event.at) + " · " + event.actor));
        li.appendChild(el("strong", "action", event.action));
        var detail = Object.keys(event.detail || {}).sort().map(function (key) {
          var value = event.detail[key];
          return key + "=" + (value !== null && typeof value === "object" ? JSON.stringify(value) : String(value));
        }).join(" ");
        if (detail) { li.appendChild(el("span", "detail", detail)); }
        list.appendChild(li);
      });
    }).catch(function (error) {
      clear(list);
      if (error.status !== 401) { list.appendChild(el("li", "field-error", T.history_failed)); }
    });
  }

  // --- one message ----------------------------------------------------------------------------

  function select(i, focus) {
    closeForms();
    state.index = i;
    state.review = null;
    var buttons = $("queue").querySelectorAll(".queue-item");
    Array.prototype.forEach.call(buttons, function (b, k) {
      if (k === i) { b.setAttribute("aria-current", "true"); } else { b.removeAttribute("aria-current"); }
    });
    if (i < 0 || i >= state.items.length) {
      // Nothing chosen: keep no message text in the page, not even hidden.
      ["badges", "flags", "history", "masked", "original", "fact-mentor", "fact-pseudonym",
        "fact-age", "fact-region", "fact-situation", "fact-received"].forEach(function (id) { clear($(id)); });
      busy($("history"), false);
      $("edit-text").value = "";
      $("detail-body").hidden = true;
      $("detail-empty").hidden = false;
      return;
    }
    if (focus && buttons[i]) { buttons[i].focus(); }
    var item = state.items[i];
    render({ message: item.message, thread: item.thread, history: null });
    api("/messages/" + encodeURIComponent(item.message.id)).then(function (review) {
      if (state.index === i && state.items[i] && state.items[i].message.id === review.message.id) { render(review); }
    }).catch(function (error) {
      busy($("history"), false);
      if (error.status === 404) { alarm(T.gone); load(); }
    });
  }

  function render(review) {
    state.review = review;
    var m = review.message, t = review.thread;
    $("detail-empty").hidden = true;
    $("detail-body").hidden = false;
    var badges = $("badges");
    clear(badges);
    badges.appendChild(el("li", "badge", m.author === "mentor" ? T.author_mentor : T.author_mentee));
    badges.appendChild(el("li", "badge" + (t.minor ? " badge-minor" : ""), t.minor ? T.minor : T.adult));
    badges.appendChild(el("li", "badge", say(T.priority, { n: m.priority })));
    if (m.escalated) { badges.appendChild(el("li", "badge badge-escalated", T.escalated)); }
    $("fact-mentor").textContent = t.mentor_name || t.mentor;
    $("fact-pseudonym").textContent = t.pseudonym || "—";
    $("fact-age").textContent = t.minor ? T.minor : T.adult;
    $("fact-region").textContent = t.region_name;
    $("fact-situation").textContent = t.situation_name;
    $("fact-received").textContent = when(m.created_at);
    var flags = $("flags");
    clear(flags);
    if (!m.flags.length) { flags.appendChild(el("li", "badge", T.no_flags)); }
    flagNames(m).forEach(function (f) { flags.appendChild(el("li", flagClass(f[0]), f[1])); });
    $("masked").textContent = m.delivered_text === null ? T.erased_text : m.delivered_text;
    showOriginal($("original"), m);
    var history = $("history");
    clear(history);
    if (review.history === null) {
      busy(history, true);
      history.appendChild(el("li", "hint", T.loading));
      return;
    }
    busy(history, false);
    if (!review.history.length) { history.appendChild(el("li", "hint", T.no_history)); }
    review.history.forEach(function (h) {
      var li = el("li", "history-item history-" + h.author);
      var meta = (h.author === "mentor" ? T.mentor : T.mentee) + " · " + (T["status_" + h.status] || h.status) + " · " + when(h.created_at);
      li.appendChild(el("p", "meta", meta));
      var passed = h.status === "approved" || h.status === "delivered";
      var text = passed ? h.delivered_text : h.body;
      li.appendChild(el("div", "text", text === null ? T.erased_text : text));
      history.appendChild(li);
    });
  }

  // --- decisions ------------------------------------------------------------------------------

  function current() { return state.index >= 0 ? state.items[state.index] : null; }

  function decide(action, extra, done) {
    var item = current();
    if (!item) { return Promise.resolve(); }
    var m = (state.review && state.review.message.id === item.message.id) ? state.review.message : item.message;
    var body = { version: m.version };
    Object.keys(extra || {}).forEach(function (k) { body[k] = extra[k]; });
    setBusy(true);
    status("");
    alarm("");
    return api("/messages/" + encodeURIComponent(m.id) + "/" + action, body).then(function () {
      closeForms();
      return load(action === "escalate" ? m.id : null, done);
    }).catch(function (error) {
      if (error.status === 409) {
        alarm(say(T.conflict, { status: T["status_" + error.body.status] || error.body.status || "?" }));
        closeForms();
        return load();
      }
      if (error.status === 404) { alarm(T.gone); closeForms(); return load(); }
      if (error.status === 422) {
        var fields = error.body.fields || {};
        alarm(say(T.invalid, { fields: Object.keys(fields).map(function (k) { return k + " (" + fields[k] + ")"; }).join(", ") }));
        return;
      }
      if (error.status !== 401) { alarm(error.status ? T.failed : T.network); }
    }).then(function () { setBusy(false); });
  }

  function setBusy(busy) {
    Array.prototype.forEach.call(root.querySelectorAll("#detail button"), function (b) { b.disabled = busy; });
  }

  function closeForms() {
    $("edit-form").hidden = true;
    $("reject-form").hidden = true;
    $("edit-error").textContent = "";
    $("reject-error").textContent = "";
  }

  function openEdit() {
    if (!current() || !state.review) { return; }
    closeForms();
    var text = state.review.message.delivered_text;
    $("edit-text").value = text === null ? "" : text;
    $("edit-form").hidden = false;
    $("edit-text").focus();
  }

  function renderReasons() {
    var box = $("reasons");
    clear(box);
    var other = LANG === "fr" ? "en" : "fr";
    state.reasons.forEach(function (reason, i) {
      var row = el("div", "reason");
      var input = el("input");
      input.type = "radio";
      input.name = "reason";
      input.value = reason.code;
      input.id = "reason-" + i;
      var label = el("label");
      label.htmlFor = input.id;
      label.appendChild(el("strong", null, reason.code));
      label.appendChild(el("span", "reason-text", reason[LANG]));
      var translation = el("span", "reason-other", reason[other]);
      translation.lang = other;
      label.appendChild(translation);
      row.appendChild(input);
      row.appendChild(label);
      box.appendChild(row);
    });
  }

  function openReject() {
    if (!current()) { return; }
    closeForms();
    $("reject-form").hidden = false;
    var first = $("reasons").querySelector("input");
    if (first) { first.focus(); }
  }

  // --- wiring ---------------------------------------------------------------------------------

  $("login-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (SIGN_IN) { startHostedSignIn(); return; }
    var token = $("token").value.trim();
    if (!token) { $("token-error").textContent = T.bad_token; $("token").focus(); return; }
    signIn(token, true);
  });
  $("logout").addEventListener("click", function () {
    signOut("");
    if (SIGN_IN) {  // end the Cognito session too, then come back to this page
      location.assign(SIGN_IN.domain + "/logout?" + new URLSearchParams({
        client_id: SIGN_IN.client_id, logout_uri: backHere()
      }).toString());
    }
  });
  $("reload").addEventListener("click", function () { alarm(""); load(current() && current().message.id); });
  $("approve").addEventListener("click", function () { decide("approve", null, T.approved); });
  $("edit").addEventListener("click", openEdit);
  $("reject").addEventListener("click", openReject);
  $("escalate").addEventListener("click", function () { decide("escalate", null, T.escalated_done); });
  $("edit-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var text = $("edit-text").value.trim();
    if (!text) { $("edit-error").textContent = T.edit_empty; $("edit-text").focus(); return; }
    decide("approve", { text: text }, T.approved_edited);
  });
  $("reject-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var chosen = $("reject-form").querySelector("input[name=reason]:checked");
    if (!chosen) { $("reject-error").textContent = T.choose_reason; return; }
    decide("reject", { reason: chosen.value }, T.rejected);
  });
  $("reasons").addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); $("reject-form").requestSubmit(); }
  });
  Array.prototype.forEach.call(root.querySelectorAll("[data-cancel]"), function (button) {
    button.addEventListener("click", closeForms);
  });

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    if (tag === "textarea" || tag === "select" || target.isContentEditable) { return true; }
    return tag === "input" && !/^(radio|checkbox|button|submit)$/i.test(target.type || "");
  }

  document.addEventListener("keydown", function (event) {
    if ($("workspace").hidden || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") {
      if (!$("edit-form").hidden || !$("reject-form").hidden) { closeForms(); $("approve").focus(); }
      return;
    }
    if (typing(event.target) || !$("edit-form").hidden || !$("reject-form").hidden) { return; }
    var actions = {
      j: function () { if (state.index < state.items.length - 1) { select(state.index + 1, true); } },
      k: function () { if (state.index > 0) { select(state.index - 1, true); } },
      a: function () { decide("approve", null, T.approved); },
      e: openEdit,
      r: openReject,
      x: function () { decide("escalate", null, T.escalated_done); },
      u: function () { alarm(""); load(current() && current().message.id); }
    };
    var action = actions[event.key];
    if (action) { event.preventDefault(); action(); }
  });

  function start() {
    var params = new URLSearchParams(location.search);
    if (SIGN_IN && (params.get("code") || params.get("error"))) { finishHostedSignIn(params); return; }
    var saved = sessionStorage.getItem(KEY);
    if (saved) { signIn(saved, false); } else if (!SIGN_IN) { $("token").focus(); }
  }

  fetch(new URL("/moderation/auth.json", location.href).toString(), { credentials: "omit", cache: "no-store" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .catch(function () { return null; })
    .then(function (config) {
      if (config && config.domain && config.client_id && window.crypto && crypto.subtle) {
        useHostedSignIn(config);
      }
      start();
    });
})();
