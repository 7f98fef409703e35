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
        await self.registration.showNotification("Password reset request", {
          body: "Open your authenticator to approve or deny it.",
          tag: "sspr-request",
          renotify: true,
          requireInteraction: true,
        });
      }
    })(),
  );
});

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
