// Swagger UI of the wenshu API, from the bundled assets. The token is kept in memory only: persistAuthorization
// false, so nothing is stored in the browser; reloading the page forgets it.
window.onload = function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: new URL(root.dataset.url, window.location.href).href,
    dom_id: "#swagger-ui", deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: "BaseLayout", persistAuthorization: false, validatorUrl: null
  });
};
