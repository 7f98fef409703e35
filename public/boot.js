// Starts the page's area of the web app (the bundle its script tag names in `data-app`:
// `sspr-reset-start` for the reset portal's first step, `sspr-security-info` for the
// security-info page, `sspr-authenticator` for the phone's authenticator), or explains why
// it cannot start. Kept outside the HTML because the Content-Security-Policy allows no
// inline script.
//
// `data-then` names a bundle that takes over from the first one (the reset wizard, every
// step after the first): fetched and compiled in the background once the first bundle is
// running, started when the first one asks (the `sspr:continue` event), after that one has
// taken itself down (`sspr:unmount`). See docs/ARCHITECTURE.md, "Bundles".
const placeholder = document.getElementById("boot");
const tag = document.querySelector('script[type="module"][data-app]');
const app = (tag && tag.dataset.app) || "sspr-app";
const then = tag && tag.dataset.then;
const NAME = /^[a-z0-9-]+$/;

// A scheme the page asks for (`?theme=dark` or `light`, as an embedding login page may)
// wins over the browser's preference (/theme.css, from [theme]).
const scheme = new URLSearchParams(location.search).get("theme");
if (scheme === "dark" || scheme === "light") document.documentElement.dataset.theme = scheme;

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

// The bundle that takes over: its glue module and its compiled wasm, fetched once (again
// after a failure).
let next = null;
function loadNext() {
  if (!next) {
    const wasm = fetch(`/${then}_bg.wasm`);
    next = Promise.all([
      import(`/${then}.js`),
      WebAssembly.compileStreaming
        ? WebAssembly.compileStreaming(wasm)
        : wasm.then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(r.status))).then(WebAssembly.compile),
    ]).catch((error) => {
      next = null;
      throw error;
    });
  }
  return next;
}

// Embedded in an organisation's login page (public/embed.js opens `/?embed=1&host=...`):
// `embedded.js` tells that page the portal's events; fetched only then.
const embedded =
  new URLSearchParams(location.search).get("embed") === "1" && window.parent !== window
    ? import("/embedded.js").catch(() => null)
    : null;

let handedOver = false;
if (then && NAME.test(then)) {
  window.addEventListener("sspr:continue", () => {
    loadNext()
      .then(([module, wasm]) => {
        if (handedOver) return;
        handedOver = true;
        window.dispatchEvent(new Event("sspr:unmount"));
        return module.default({ module_or_path: wasm });
      })
      .catch((error) => {
        console.error("SSPR could not load the next step:", error);
        // The first bundle, when it is showing, offers to try again; when it handed over
        // at once (a reload in the middle of a reset), the placeholder says what to do.
        window.dispatchEvent(new Event("sspr:continue-failed"));
        if (placeholder && placeholder.isConnected) {
          placeholder.setAttribute("role", "alert");
          placeholder.textContent =
            "The page could not load. Check your connection, then reload the page.";
        }
      });
  });
}

if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
  explain("no WebAssembly");
} else if (!NAME.test(app)) {
  explain("unknown app " + app);
} else {
  import(`/${app}.js`)
    .then((module) => module.default({ module_or_path: `/${app}_bg.wasm` }))
    .then(() => {
      if (embedded) embedded.then((module) => module && module.ready());
      // The first step is on screen: now the rest, while the person types.
      if (then && NAME.test(then) && !handedOver) {
        setTimeout(() => loadNext().catch(() => {}), 0);
      }
    })
    .catch(explain);
}
