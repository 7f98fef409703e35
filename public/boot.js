// Starts the web app, or explains why it cannot start. Kept outside index.html because the
// Content-Security-Policy allows no inline script.
const placeholder = document.getElementById("boot");

function explain(reason) {
  console.error("SSPR could not start:", reason);
  if (!placeholder) return;
  placeholder.setAttribute("role", "alert");
  placeholder.innerHTML =
    "<h1>This browser cannot open the password reset page</h1>" +
    "<p>It needs WebAssembly, which this browser does not support or has turned off " +
    "(for example in a locked-down or very old browser). Try another browser or device, " +
    "or contact your help desk to reset your password.</p>" +
    '<p id="boot-helpdesk"></p>';
  fetch("/api/v1/config")
    .then((response) => (response.ok ? response.json() : null))
    .then((config) => {
      const url = config && config.helpdesk_url;
      const slot = document.getElementById("boot-helpdesk");
      if (!url || !slot || !/^(https?:|mailto:|tel:)/.test(url)) return;
      const link = document.createElement("a");
      link.href = url;
      link.textContent = "Contact your help desk";
      slot.appendChild(link);
    })
    .catch(() => {});
}

if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
  explain("no WebAssembly");
} else {
  import("/sspr-app.js")
    .then((app) => app.default({ module_or_path: "/sspr-app_bg.wasm" }))
    .catch(explain);
}
