/* The header's search box: without JavaScript it asks the relay, whose results page keeps the
   query (a static page cannot read it); with JavaScript it opens the site's own search page,
   which searches in the browser. */
(function () {
  "use strict";
  var form = document.querySelector("form.header-search[data-site-action]");
  if (form) { form.action = form.getAttribute("data-site-action"); }
})();
