/* The forms of issue 14 (become a mentor, all my conversations): sent in place with fetch when
   scripts run. Without JavaScript the same form posts normally and the relay answers with a page.
   Field errors go to #<field>-error; the texts come from the page (data-* attributes,
   translated by the theme's catalogs). */
(function () {
  "use strict";
  if (!window.fetch || !window.URLSearchParams || !window.FormData) { return; }
  Array.prototype.forEach.call(document.querySelectorAll("form.relay-form"), function (form) {
    var status = form.querySelector(".form-status");
    var button = form.querySelector('button[type="submit"]');
    if (form.elements.rendered_at) { form.elements.rendered_at.value = String(Date.now()); }

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
        var target = input && input.length && !input.tagName ? input[0] : input;
        if (target && target.setAttribute) {
          target.setAttribute("aria-invalid", "true");
          if (!first) { first = target; }
        }
      });
      status.setAttribute("data-state", "error");
      status.textContent = reply.message || "";
      (first || status).focus();
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      clearErrors();
      button.disabled = true;
      status.textContent = form.getAttribute("data-sending");
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { "Accept": "application/json" },
        credentials: "omit"
      }).then(function (response) {
        return response.json().then(function (reply) { return { ok: response.ok, reply: reply }; });
      }).then(function (result) {
        if (result.ok) {
          form.reset();
          if (form.elements.rendered_at) { form.elements.rendered_at.value = String(Date.now()); }
          status.setAttribute("data-state", "sent");
          status.textContent = result.reply.message;
          status.setAttribute("tabindex", "-1");
          status.focus();
        } else {
          showErrors(result.reply);
        }
      }).catch(function () {
        status.setAttribute("data-state", "error");
        status.textContent = form.getAttribute("data-network");
      }).then(function () {
        button.disabled = false;
      });
    });
  });
})();
