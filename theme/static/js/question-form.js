/* Question form: submits in place with fetch and shows the outcome next to each field.
   Without JavaScript the same form posts normally and the relay answers with a page.
   Field names and error slots are the contract in docs/architecture.md "The question form". */
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  if (!form || !window.fetch || !window.URLSearchParams) { return; }

  var status = document.getElementById("question-form-status");
  var button = form.querySelector('button[type="submit"]');
  /* Its sentences come from the theme's catalogs, as data-* attributes of its <script> tag. */
  var script = document.currentScript || document.querySelector("script[data-sending]");
  var data = (script && script.dataset) || {};
  var TEXT = {
    sending: data.sending || "…", network: data.network || "", helpTitle: data.helpTitle || "",
    helpLead: data.helpLead || "", call: data.call || "{number}", text: data.text || "{number}"
  };

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID().replace(/-/g, ""); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  form.elements.rendered_at.value = String(Date.now());
  form.elements.idempotency_key.value = newKey();

  /* A question about self-harm or abuse: the relay's answer lists where to get help now
     (data/help_resources.yaml); shown under the status line, written with textContent. */
  function showHelp(resources) {
    var old = document.getElementById("question-help");
    if (old) { old.parentNode.removeChild(old); }
    if (!resources || !resources.length) { return null; }
    var section = document.createElement("section");
    section.id = "question-help";
    section.className = "help";
    section.setAttribute("aria-labelledby", "question-help-title");
    var title = document.createElement("h3");
    title.id = "question-help-title";
    title.textContent = TEXT.helpTitle;
    var lead = document.createElement("p");
    lead.textContent = TEXT.helpLead;
    var list = document.createElement("ul");
    resources.forEach(function (r) {
      var item = document.createElement("li");
      var name = document.createElement("strong");
      name.textContent = r.name;
      item.appendChild(name);
      item.appendChild(document.createTextNode(" — " + r.how + " "));
      [["call", "tel:", TEXT.call], ["text", "sms:", TEXT.text]].forEach(function (kind) {
        if (!r[kind[0]]) { return; }
        var link = document.createElement("a");
        link.href = kind[1] + r[kind[0]];
        link.textContent = kind[2].replace("{number}", r[kind[0] + "_label"]);
        item.appendChild(link);
        item.appendChild(document.createTextNode(" "));
      });
      list.appendChild(item);
    });
    section.appendChild(title);
    section.appendChild(lead);
    section.appendChild(list);
    status.parentNode.insertBefore(section, status.nextSibling);
    return section;
  }

  /* The mentor became full or paused meanwhile: the relay's refusal names up to 3 similar
     mentors who can answer (issue 14); linked under the status line, written with textContent. */
  function showSimilar(similar) {
    var old = document.getElementById("question-similar");
    if (old) { old.parentNode.removeChild(old); }
    if (!similar || !similar.length) { return; }
    var list = document.createElement("ul");
    list.id = "question-similar";
    list.className = "similar-mentors";
    similar.forEach(function (m) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = m.url;
      link.textContent = m.name;
      item.appendChild(link);
      list.appendChild(item);
    });
    status.parentNode.insertBefore(list, status.nextSibling);
  }

  function clearErrors() {
    Array.prototype.forEach.call(form.querySelectorAll(".field-error"), function (slot) { slot.textContent = ""; });
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) { el.removeAttribute("aria-invalid"); });
    status.textContent = "";
    status.removeAttribute("data-state");
  }

  function showErrors(reply) {
    var first = null;
    Object.keys(reply.fields || {}).forEach(function (name) {
      var slot = document.getElementById(name + "-error");
      var input = form.elements[name];
      if (slot) { slot.textContent = reply.fields[name]; }
      if (input && input.setAttribute) {
        input.setAttribute("aria-invalid", "true");
        if (!first) { first = input; }
      }
    });
    status.setAttribute("data-state", "error");
    status.textContent = reply.message || "";
    if (first) { first.focus(); }
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearErrors();
    button.disabled = true;
    status.textContent = TEXT.sending;
    var body = new URLSearchParams(new FormData(form));
    fetch(form.action, {
      method: "POST",
      body: body,
      headers: { "Accept": "application/json" },
      credentials: "omit"
    }).then(function (response) {
      return response.json().then(function (reply) { return { ok: response.ok, reply: reply }; });
    }).then(function (result) {
      if (result.ok) {
        form.reset();
        form.elements.rendered_at.value = String(Date.now());
        form.elements.idempotency_key.value = newKey();
        status.setAttribute("data-state", "sent");
        status.textContent = result.reply.message;
        var help = showHelp(result.reply.help);
        var target = help || status;
        target.setAttribute("tabindex", "-1");
        target.focus();
      } else {
        if (result.reply.error === "idempotency_mismatch") {
          form.elements.idempotency_key.value = newKey();
        }
        showErrors(result.reply);
        showSimilar(result.reply.similar);
        showHelp(result.reply.help); /* refused, but help comes at once all the same */
      }
    }).catch(function () {
      status.setAttribute("data-state", "error");
      status.textContent = TEXT.network;
    }).then(function () {
      button.disabled = false;
    });
  });
})();
