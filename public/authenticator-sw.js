// The authenticator page's service worker: a Web Push from the server (RFC 8030, its
// payload decrypted by the browser) means a password reset is waiting for approval. It
// tells an open page to look, or shows a notification that opens the page. The push
// carries no number and no account: the page asks the server, with its signed request.
self.addEventListener("push", (event) => {
  event.waitUntil(
    (async () => {
      const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      for (const page of pages) page.postMessage({ type: "sspr-push" });
      const visible = pages.some((page) => page.visibilityState === "visible");
      if (!visible) {
        const words = await notificationText();
        await self.registration.showNotification(words.title, {
          body: words.body,
          tag: "sspr-request",
          renotify: true,
          requireInteraction: true,
        });
      }
    })(),
  );
});

// The notification's words in the page's language (the page keeps them in Cache Storage:
// src/authenticator/notification_text.rs), English before the page ever ran.
async function notificationText() {
  const english = {
    title: "Password reset request",
    body: "Open your authenticator to approve or deny it.",
  };
  try {
    const cache = await caches.open("sspr-authenticator");
    const kept = await cache.match("/authenticator/notification-text");
    const words = kept ? await kept.json() : null;
    return words && words.title && words.body ? words : english;
  } catch {
    return english;
  }
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(
    (async () => {
      const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = pages.find((page) => new URL(page.url).pathname.startsWith("/authenticator"));
      if (open) return open.focus();
      return self.clients.openWindow("/authenticator");
    })(),
  );
});

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
