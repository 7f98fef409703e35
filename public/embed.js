// SSPR's widget for an organisation's own login page (README, "Embedding"). The host page
// adds this script and an element:
//
//   <script src="https://sspr.contoso.example/embed.js" defer></script>
//   <div data-sspr-reset data-user="adele@contoso.example" data-locale="fr"></div>
//   or <sspr-reset mode="modal" label="Can't access your account?"></sspr-reset>
//
// It opens the reset portal in an iframe inside that element (or in a modal dialog behind
// a button, with `data-mode="modal"`), sizes the frame to its content, and re-emits the
// portal's events as DOM CustomEvents on the element: `sspr:ready`, `sspr:step` (detail:
// { step }), `sspr:completed` and `sspr:cancelled`. The password is typed inside the
// frame, in the portal's own origin: the host page's scripts cannot read it.
//
// Messages from the frame are taken only from the portal's origin, from that element's own
// frame, and in the expected shape; anything else is ignored. Nothing is added to the host
// page's globals (but the `sspr-reset` element), its `<html>` or its styles.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var portal = new URL(script.src).origin;
  var EVENTS = { ready: 1, step: 1, completed: 1, cancelled: 1 };
  var STEP = /^[a-z0-9_-]{1,64}$/;
  // The widget's own words (embed.open, embed.close, embed.frame_title of each
  // locales/<tag>.json; tests/locales.rs keeps them equal), in the element's language
  // (`data-locale`), else the host page's, else the browser's.
  var WORDS = {
    "ar": ["ألا يمكنك الوصول إلى حسابك؟", "إغلاق", "إعادة تعيين كلمة المرور"],
    "de": ["Kein Zugriff auf Ihr Konto?", "Schließen", "Kennwort zurücksetzen"],
    "en": ["Can’t access your account?", "Close", "Password reset"],
    "es": ["¿No puedes acceder a tu cuenta?", "Cerrar", "Restablecimiento de contraseña"],
    "fr": ["Vous ne parvenez pas à accéder à votre compte ?", "Fermer", "Réinitialisation du mot de passe"],
    "he": ["אין לך גישה לחשבון?", "סגירה", "איפוס סיסמה"],
    "it": ["Non riesci ad accedere al tuo account?", "Chiudi", "Reimpostazione password"],
    "ja": ["アカウントにアクセスできませんか？", "閉じる", "パスワードのリセット"],
    "nl": ["Geen toegang tot je account?", "Sluiten", "Wachtwoord opnieuw instellen"],
    "pl": ["Nie możesz uzyskać dostępu do konta?", "Zamknij", "Resetowanie hasła"],
    "pt-BR": ["Não consegue acessar sua conta?", "Fechar", "Redefinição de senha"],
    "pt": ["Não consegue aceder à sua conta?", "Fechar", "Reposição de palavra-passe"],
    "zh-Hans": ["无法访问你的帐户？", "关闭", "密码重置"],
  };

  function words(element) {
    var asked = [element.getAttribute("data-locale") || element.getAttribute("locale"), document.documentElement.lang]
      .concat(navigator.languages || [navigator.language]);
    for (var i = 0; i < asked.length; i++) {
      var tag = String(asked[i] || "").replace(/_/g, "-");
      var language = tag.split("-")[0].toLowerCase();
      if (!language) continue;
      for (var known in WORDS) {
        if (known.toLowerCase() === tag.toLowerCase()) return WORDS[known];
      }
      if (language === "zh" && !/-(hant|tw|hk|mo)\b/i.test(tag)) return WORDS["zh-Hans"];
      if (WORDS[language]) return WORDS[language];
    }
    return WORDS.en;
  }

  function frameFor(element) {
    var url = new URL("/", portal);
    url.searchParams.set("embed", "1");
    url.searchParams.set("host", window.location.origin);
    var user = element.getAttribute("data-user") || element.getAttribute("user");
    var locale = element.getAttribute("data-locale") || element.getAttribute("locale");
    var theme = element.getAttribute("data-theme") || element.getAttribute("theme");
    if (user) url.searchParams.set("user", user);
    if (locale && /^[A-Za-z0-9-]{2,35}$/.test(locale)) url.searchParams.set("locale", locale);
    if (theme === "dark" || theme === "light") url.searchParams.set("theme", theme);
    var frame = document.createElement("iframe");
    frame.src = url.href;
    frame.title = element.getAttribute("data-title") || words(element)[2];
    frame.setAttribute("allow", "clipboard-write");
    frame.style.cssText = "display:block;width:100%;height:32rem;border:0;color-scheme:normal";
    return frame;
  }

  function listen(element, frame, onEvent) {
    window.addEventListener("message", function (event) {
      if (event.origin !== portal || event.source !== frame.contentWindow) return;
      var data = event.data;
      if (!data || typeof data !== "object" || data.source !== "sspr") return;
      if (data.type === "resize") {
        var height = Number(data.height);
        if (height > 0 && height < 20000) frame.style.height = Math.ceil(height) + "px";
        return;
      }
      if (!EVENTS[data.type]) return;
      var detail = {};
      if (data.type === "step") {
        if (typeof data.step !== "string" || !STEP.test(data.step)) return;
        detail.step = data.step;
      }
      element.dispatchEvent(new CustomEvent("sspr:" + data.type, { detail: detail, bubbles: true }));
      if (onEvent) onEvent(data.type);
    });
  }

  function inline(element) {
    var frame = frameFor(element);
    listen(element, frame);
    element.appendChild(frame);
  }

  function modal(element) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent =
      element.getAttribute("data-label") || element.getAttribute("label") || words(element)[0];
    var dialog = document.createElement("dialog");
    dialog.style.cssText = "width:min(40rem,100vw - 2rem);padding:0;border:0;border-radius:8px";
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = element.getAttribute("data-close-label") || words(element)[1];
    close.style.cssText = "display:block;margin:0.5rem 0.5rem 0 auto";
    close.addEventListener("click", function () {
      dialog.close();
    });
    var frame = null;
    button.addEventListener("click", function () {
      if (!frame) {
        frame = frameFor(element);
        listen(element, frame);
        dialog.appendChild(frame);
      }
      dialog.showModal();
    });
    dialog.appendChild(close);
    element.appendChild(button);
    element.appendChild(dialog);
  }

  var mounted = new WeakSet();
  function mount(element) {
    if (mounted.has(element)) return;
    mounted.add(element);
    var mode = element.getAttribute("data-mode") || element.getAttribute("mode");
    if (mode === "modal") modal(element);
    else inline(element);
  }

  function mountAll() {
    var found = document.querySelectorAll("[data-sspr-reset], sspr-reset");
    for (var i = 0; i < found.length; i++) mount(found[i]);
  }

  if (window.customElements && !window.customElements.get("sspr-reset")) {
    window.customElements.define(
      "sspr-reset",
      class extends HTMLElement {
        connectedCallback() {
          mount(this);
        }
      }
    );
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
