// The portal embedded in an organisation's login page (public/embed.js opens it as
// `/?embed=1&host=<the page's origin>`), imported by boot.js only then. The portal's
// events (`sspr:step`, `sspr:completed`, `sspr:cancelled`, fired on `window` by the app,
// src/embed.rs) and its height go to that page with `postMessage`, only when `host` is one
// of the configured `embedding_origins`, and always with it as the exact target origin.
// The portal takes no message from the host page.
const host = new URLSearchParams(location.search).get("host");

const style = document.createElement("link");
style.rel = "stylesheet";
style.href = "/embedded.css";
document.head.appendChild(style);
document.documentElement.classList.add("embedded");

const post = fetch("/api/v1/config")
  .then((response) => (response.ok ? response.json() : null))
  .then((config) => {
    const allowed = (config && config.embedding_origins) || [];
    if (!host || !allowed.includes(host)) {
      console.warn("SSPR: not telling", host, "(not in [server] embedding_origins)");
      return null;
    }
    return (message) => window.parent.postMessage({ source: "sspr", ...message }, host);
  })
  .catch(() => null);

function tell(message) {
  post.then((send) => send && send(message));
}

// The step's name (a method's page is `method`: its id stays in the portal).
window.addEventListener("sspr:step", () => {
  const step = new URLSearchParams(location.search).get("step") || "identify";
  tell({ type: "step", step: step.startsWith("method-") ? "method" : step });
});
window.addEventListener("sspr:completed", () => tell({ type: "completed" }));
window.addEventListener("sspr:cancelled", () => tell({ type: "cancelled" }));
if (typeof ResizeObserver === "function") {
  new ResizeObserver(() =>
    tell({ type: "resize", height: document.body.getBoundingClientRect().height }),
  ).observe(document.body);
}

// The portal is on screen.
export function ready() {
  tell({ type: "ready" });
}
