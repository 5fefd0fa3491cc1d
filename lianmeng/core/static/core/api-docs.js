/* Starts Swagger UI on /api/v1/docs (no inline script: the settings come from #swagger-settings). */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("swagger-settings").textContent);
  var csrfToken = document.body.dataset.csrfToken;
  config.dom_id = "#swagger-ui";
  config.presets = [SwaggerUIBundle.presets.apis];
  // "Try it out" with the browser's session: same-origin requests carry the CSRF token, as the site's
  // own forms do (Bearer-token requests do not need it, and it is never sent to another origin).
  config.requestInterceptor = function (req) {
    var url = new URL(req.url, window.location.href);
    if (csrfToken && url.origin === window.location.origin) {
      req.headers["X-CSRFToken"] = csrfToken;
    }
    return req;
  };
  window.ui = SwaggerUIBundle(config);
})();
