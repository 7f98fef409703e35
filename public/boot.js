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
const query = new URLSearchParams(location.search);
const scheme = query.get("theme");
if (scheme === "dark" || scheme === "light") document.documentElement.dataset.theme = scheme;

// The page's language (docs/I18N.md, "Negotiation"), decided here so that its texts are
// fetched alongside the wasm rather than after it: the one the URL forces (`?locale=`),
// else the one chosen with the switcher, else the browser's languages in order, with
// region and script fallback, else English. The app reads it from <html lang>.
// LOCALES is every locales/<tag>.json (tests/locales.rs checks it).
const LOCALES = ["en", "ar", "de", "es", "fr", "he", "it", "ja", "nl", "pl", "pt", "pt-BR", "zh-Hans"];
const RTL = ["ar", "he"];
const STORAGE_KEY = "sspr.locale";

// What a tag may match, most specific first: zh-CN -> zh-Hans-CN, zh-Hans, zh-CN, zh.
function candidates(tag) {
  const parts = String(tag).replace(/_/g, "-").split("-");
  const language = parts[0].toLowerCase();
  if (!/^[a-z]{2,3}$/.test(language)) return [];
  let script = parts.slice(1).find((part) => /^[a-z]{4}$/i.test(part));
  const region = parts.slice(1).find((part) => /^([a-z]{2}|[0-9]{3})$/i.test(part));
  // Chinese without a script: Traditional in Taiwan, Hong Kong and Macao, else Simplified.
  if (language === "zh" && !script) script = /^(tw|hk|mo)$/i.test(region || "") ? "Hant" : "Hans";
  const out = [];
  if (script && region) out.push(`${language}-${script}-${region}`);
  if (script) out.push(`${language}-${script}`);
  if (region) out.push(`${language}-${region}`);
  out.push(language);
  return out;
}

function shipped(tag) {
  return LOCALES.find((locale) => locale.toLowerCase() === String(tag).toLowerCase());
}

function negotiate(preferred) {
  for (const tag of preferred) {
    for (const candidate of candidates(tag)) {
      const found = shipped(candidate);
      if (found) return found;
    }
  }
  return "en";
}

function remembered() {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

// A forced language the app does not ship leaves the choice to the browser's list.
const forced = query.get("locale");
const saved = forced ? null : remembered();
const locale = negotiate(
  [forced, saved, ...(navigator.languages || [navigator.language])].filter(Boolean),
);
document.documentElement.lang = locale;
document.documentElement.dir = RTL.includes(locale) ? "rtl" : "ltr";

// Where this page's texts are: the reset portal has its own smaller copy (`data-locales`
// on the script tag, locales/reset/ in the build).
const LOCALE_DIR = tag && tag.dataset.locales && NAME.test(tag.dataset.locales)
  ? `/locales/${tag.dataset.locales}`
  : "/locales";
// A language's texts, fetched once per page: both portal bundles ask here.
const texts = {};
function loadTexts(tag) {
  const found = shipped(tag);
  if (!found) return Promise.reject(new Error("no locale " + tag));
  if (!texts[found]) {
    texts[found] = fetch(`${LOCALE_DIR}/${found}.json`)
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.status))))
      .catch((error) => {
        delete texts[found];
        throw error;
      });
  }
  return texts[found];
}
window.sspr = Object.freeze({ locale, texts: loadTexts });
// English is built into the app; another language starts downloading now.
const pageTexts = locale === "en" ? Promise.resolve(null) : loadTexts(locale).catch(() => null);
// What is at a dotted path (`reset.identify.label`) of a locale file, and the text there.
function at(file, path) {
  return path.split(".").reduce((node, key) => node && node[key], file);
}
function textAt(file, path) {
  const text = at(file, path);
  return typeof text === "string" ? text : undefined;
}
// The page's own words (boot.* unless said), in its language once its texts are here.
function say(key, english, namespace = "boot") {
  return pageTexts.then((file) => textAt(file, `${namespace}.${key}`) || english);
}
// The organisation's public configuration for the first step and the no-WebAssembly page:
// the copy the server put into the page (`#sspr-config`), else fetched once (null when it
// cannot be had).
let config = null;
function publicConfig() {
  const embedded = !config && document.getElementById("sspr-config");
  if (embedded) {
    try {
      config = Promise.resolve(JSON.parse(embedded.textContent));
    } catch {
      config = null;
    }
  }
  if (!config) {
    config = fetch("/api/v1/config")
      .then((response) => (response.ok ? response.json() : null))
      .catch(() => null);
  }
  return config;
}
const loading = placeholder && placeholder.querySelector(".boot__message");
if (loading) say("loading", loading.textContent).then((text) => {
  if (loading.isConnected) loading.textContent = text;
});

// The reset portal's first step (index.html's `#first-step`, `data-first-step` on the
// script tag) is on screen before any script: the server fills it in, in the language it
// negotiated (`data-locale`), with the organisation's name and policy, and hides it off
// the first step (server/src/http/reset_page.rs). Here: hidden off the first step all the
// same; in the page's language when the server could not know it (one chosen with the
// switcher) or did not fill it in; a Continue pressed before the app is remembered
// (`data-submitted`). The app takes the step over with what was typed, the caret and the
// focus (src/reset/early_input.rs).
function prepareFirstStep() {
  const step = document.getElementById("first-step");
  const form = document.getElementById("first-step-form");
  const field = document.getElementById("user-id");
  if (!step || !form || !field || !placeholder) return;
  const moved = query.get("step") && query.get("step") !== "identify";
  if (moved || query.get("embed") === "1") {
    step.hidden = true;
    return;
  }
  const prefill = query.get("user") || query.get("user_id");
  if (prefill && !field.value) field.value = prefill;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    form.dataset.submitted = "1";
    form.querySelector("button").setAttribute("aria-disabled", "true");
    say("checking", "Checking you’re not a robot…", "reset.identify").then((text) => {
      const status = document.getElementById("first-step-status");
      const spinner = document.createElement("span");
      spinner.className = "spinner";
      spinner.setAttribute("aria-hidden", "true");
      status.replaceChildren(spinner, text);
    });
  });
  const rendered = step.dataset.locale;
  if (rendered === locale) return;
  // English is in the markup unless the server put another language there.
  const file = rendered ? loadTexts(locale).catch(() => null) : pageTexts;
  Promise.all([publicConfig(), file]).then(([config, file]) => {
    if (!placeholder.isConnected) return; // the app is already here
    for (const element of step.querySelectorAll("[data-text]")) {
      const text = textAt(file, element.dataset.text);
      if (text) element.textContent = text;
    }
    const required = (config && config.methods_required) || 1;
    const lead = document.getElementById("first-step-lead");
    const several = at(file, "reset.intro_several");
    const text =
      required === 1
        ? textAt(file, "reset.intro_single") || lead.dataset.single
        : (several && (several[new Intl.PluralRules(locale).select(required)] || several.other)) ||
          lead.dataset.several;
    lead.textContent = text.replace("{{ count }}", String(required));
    document.getElementById("first-step-organisation").textContent =
      (config && config.organisation_name) || "";
    step.dataset.locale = locale;
  });
}

// Without WebAssembly (Safari's Lockdown Mode, a locked-down kiosk) the page says so and
// gives the other ways to reset: another device, Lockdown Mode off for this site, the help
// desk. There is no plain-form reset: it would skip the CAPTCHA's proof of work.
function explain(reason) {
  console.error("SSPR could not start:", reason);
  if (!placeholder) return;
  placeholder.className = "boot";
  placeholder.setAttribute("role", "alert");
  const element = (tag, text) => {
    const node = document.createElement(tag);
    if (text) node.textContent = text;
    return node;
  };
  const title = element("h1", "This browser cannot open this page");
  const body = element(
    "p",
    "It needs WebAssembly, which this browser does not support or has turned off " +
      "(for example in a locked-down or very old browser). Try another browser or device, " +
      "or contact your help desk."
  );
  const ways = element("h2", "Other ways to reset your password");
  const device = element("li");
  const lockdown = element(
    "li",
    "If Lockdown Mode is on in Safari, turn it off for this website only, then reload the page."
  );
  const helpdesk = element("li", "Contact your help desk");
  const list = element("ul");
  list.id = "other-ways";
  list.append(device, lockdown, helpdesk);
  // The portal's address, left to right in any language, to type on another device.
  const address = element("a", location.host);
  address.href = location.origin + "/";
  address.dir = "ltr";
  const withAddress = (text) => {
    const [before, after] = text.split("{{ address }}");
    device.replaceChildren(before, address, after || "");
  };
  withAddress("On another device, such as your phone, open {{ address }}.");
  placeholder.replaceChildren(title, body, ways, list);
  say("no_wasm_title", title.textContent).then((text) => (title.textContent = text));
  say("no_wasm_body", body.textContent).then((text) => (body.textContent = text));
  say("other_ways", ways.textContent).then((text) => (ways.textContent = text));
  say("lockdown", lockdown.textContent).then((text) => (lockdown.textContent = text));
  say("other_device", "On another device, such as your phone, open {{ address }}.").then(withAddress);
  Promise.all([publicConfig(), pageTexts])
    .then(([config, file]) => {
      const words = textAt(file, "app.helpdesk") || helpdesk.textContent;
      const url = config && config.helpdesk_url;
      if (!url || !/^(https?:|mailto:|tel:)/.test(url)) {
        helpdesk.textContent = words;
        return;
      }
      const link = element("a", words);
      link.href = url;
      link.className = "helpdesk__link";
      helpdesk.replaceChildren(link);
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
  query.get("embed") === "1" && window.parent !== window
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
          placeholder.className = "boot";
          placeholder.setAttribute("role", "alert");
          placeholder.textContent =
            "The page could not load. Check your connection, then reload the page.";
          say("not_loaded", placeholder.textContent).then((text) => (placeholder.textContent = text));
        }
      });
  });
}

if (typeof WebAssembly !== "object" || typeof WebAssembly.instantiate !== "function") {
  explain("no WebAssembly");
} else if (!NAME.test(app)) {
  explain("unknown app " + app);
} else {
  if (tag && "firstStep" in tag.dataset) prepareFirstStep();
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
