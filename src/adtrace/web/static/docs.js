// Swagger UI over this app's /openapi.json; no validator badge (it would call an outside server).
"use strict";
window.addEventListener("DOMContentLoaded", () => {
  window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: false,
    requestInterceptor: (request) => {
      const meta = document.querySelector('meta[name="csrf-token"]');
      if (meta) request.headers["X-CSRF-Token"] = meta.content;
      return request;
    },
  });
});
