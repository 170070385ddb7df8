// Live availability: the build wrote each mentor's state at build time; the relay's
// /api/availability.json (one fetch per page, cached 60 s) says who can take a question now.
// Pills follow it, and a profile whose mentor is full or paused shows, instead of its form,
// a sentence and the first similar mentors who can answer. Without this script, the
// build-time state stays and the relay's refusal lists similar mentors itself.
(function () {
  "use strict";

  var script = document.currentScript;
  var SHOWN = 3;

  function label(state) {
    var key = state === "at_capacity" ? "atCapacity" : state;
    return script.dataset[key] || "";
  }

  function updatePills(states) {
    document.querySelectorAll("[data-availability]").forEach(function (pill) {
      var state = states[pill.dataset.availability];
      if (!state) return;
      pill.classList.toggle("open", state === "accepting");
      pill.classList.toggle("closed", state !== "accepting");
      pill.dataset.state = state;
      pill.textContent = label(state);
    });
  }

  function keepOpenSimilar(states) {
    document.querySelectorAll(".similar-open").forEach(function (box) {
      var shown = 0;
      box.querySelectorAll("li[data-slug]").forEach(function (item) {
        var open = states[item.dataset.slug] === "accepting" && shown < SHOWN;
        item.hidden = !open;
        if (open) shown += 1;
      });
      box.hidden = shown === 0;
    });
  }

  function closeForm(states) {
    var ask = document.querySelector("[data-availability-form]");
    var closed = document.getElementById("availability-closed");
    if (!ask || !closed) return;
    var state = states[ask.dataset.availabilityForm];
    if (!state || state === "accepting") return;
    ask.hidden = true;
    ask.querySelectorAll("input, select, textarea, button").forEach(function (field) {
      field.disabled = true;
    });
    closed.hidden = false;
  }

  if (!script || !document.querySelector("[data-availability], [data-availability-form]")) return;
  fetch((script.dataset.relay || "") + "/api/availability.json", {
    credentials: "omit",
    headers: { Accept: "application/json" },
  })
    .then(function (response) {
      return response.ok ? response.json() : null;
    })
    .then(function (doc) {
      var states = doc && doc.mentors;
      if (!states) return;
      updatePills(states);
      keepOpenSimilar(states);
      closeForm(states);
    })
    .catch(function () {
      // The relay is unreachable: the build-time state stays, the relay refuses if it must.
    });
})();
