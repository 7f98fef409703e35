// Starts the page's area of the web app (the bundle its script tag names in `data-app`:
// `sspr-app` for the reset portal, `sspr-security-info` for the security-info page), or
// explains why it cannot start. Kept outside the HTML because the Content-Security-Policy
// allows no inline script.
const placeholder = document.getElementById("boot");
const tag = document.querySelector('script[type="module"][data-app]');
const app = (tag && tag.dataset.app) || "sspr-app";

function explain(reason) {
  console.error("SSPR could not start:", reason);
  if (!placeholder) return;
  placeholder.setAttribute("role", "alert");
  placeholder.innerHTML =
    "<h1>This browser cannot open this page</h1>" +
    "<p>It needs WebAssembly, which this browser does not support or has turned off " +
    "(for example in a locked-down or very old browser). Try another browser or device, " +
    "or contact your help desk.</p>" +
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
} else if (!/^[a-z0-9-]+$/.test(app)) {
  explain("unknown app " + app);
} else {
  import(`/${app}.js`)
    .then((module) => module.default({ module_or_path: `/${app}_bg.wasm` }))
    .catch(explain);
}
