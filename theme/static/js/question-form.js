/* Question form: submits in place with fetch and shows the outcome next to each field.
   Without JavaScript the same form posts normally and the relay answers with a page.
   Field names and error slots are the contract in docs/architecture.md "The question form". */
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  if (!form || !window.fetch || !window.URLSearchParams) { return; }

  var status = document.getElementById("question-form-status");
  var button = form.querySelector('button[type="submit"]');
  var lang = (form.elements.lang && form.elements.lang.value) || document.documentElement.lang || "fr";
  var TEXT = {
    fr: { sending: "Envoi en cours…", network: "Impossible de joindre Passerelle. Vérifiez votre connexion et réessayez : votre texte est conservé." },
    en: { sending: "Sending…", network: "Cannot reach Passerelle. Check your connection and try again: your text is kept." }
  }[lang === "en" ? "en" : "fr"];

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID().replace(/-/g, ""); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  form.elements.rendered_at.value = String(Date.now());
  form.elements.idempotency_key.value = newKey();

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
        status.setAttribute("tabindex", "-1");
        status.focus();
      } else {
        if (result.reply.error === "idempotency_mismatch") {
          form.elements.idempotency_key.value = newKey();
        }
        showErrors(result.reply);
      }
    }).catch(function () {
      status.setAttribute("data-state", "error");
      status.textContent = TEXT.network;
    }).then(function () {
      button.disabled = false;
    });
  });
})();
