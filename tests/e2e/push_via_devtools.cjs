// Delivers a Web Push message to the authenticator page's service worker through the
// DevTools protocol (ServiceWorker.deliverPushMessage), as a push service would: the test's
// Chromium has no push service to reach. Usage: node push_via_devtools.cjs <debugger
// address> <origin>. Prints the registration it pushed to.
const { chromium } = require("playwright-core");

async function main() {
  const [address, origin] = process.argv.slice(2);
  const browser = await chromium.connectOverCDP(`http://${address}`);
  try {
    const context = browser.contexts()[0];
    const page = context.pages().find((p) => p.url().includes("/authenticator"));
    if (!page) throw new Error("no authenticator page open");
    const cdp = await context.newCDPSession(page);
    const registration = new Promise((resolve) => {
      cdp.on("ServiceWorker.workerRegistrationUpdated", (event) => {
        const found = event.registrations.find(
          (r) => !r.isDeleted && r.scopeURL.startsWith(`${origin}/authenticator`),
        );
        if (found) resolve(found.registrationId);
      });
    });
    await cdp.send("ServiceWorker.enable");
    const registrationId = await Promise.race([
      registration,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("no service worker registration")), 10000),
      ),
    ]);
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin,
      registrationId,
      data: JSON.stringify({ type: "approval" }),
    });
    console.log(`delivered to registration ${registrationId}`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
