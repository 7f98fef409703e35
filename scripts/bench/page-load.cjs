// Time from navigation to a usable user-ID field on the reset portal, in headless
// Chromium (README, Budgets), on loopback and with 4x CPU slowdown + slow 4G.
// Measured inside the page, from its navigation start: the first frame in which the
// field is displayed and enabled (checked before each frame, and no earlier than the
// first contentful paint), so the figure is the page's, not the time Playwright takes to
// look (a bare page with one field measures about 80 ms here on loopback).
// Usage: node page-load.cjs URL [RUNS]   (prints one JSON line per profile)
// playwright-core is found through NODE_PATH (scripts/bench.sh sets it).
const { chromium } = require('playwright-core');

const url = process.argv[2];
const runs = Number(process.argv[3] || 15);
const executablePath = process.env.CHROME_BIN || '/usr/bin/chromium';

const profiles = [
  { name: 'loopback', cpu: 1, network: null },
  {
    name: '4x CPU slowdown + slow 4G',
    cpu: 4,
    // Lighthouse's "slow 4G": 150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up.
    network: { offline: false, latency: 150, downloadThroughput: 1.6e6 / 8, uploadThroughput: 750e3 / 8 },
  },
];

// Runs in the page before its own scripts: notes the first frame with a usable field and
// the first with the app in charge.
const WATCH = () => {
  const usable = (field) =>
    field && !field.disabled && field.getClientRects().length > 0 &&
    getComputedStyle(field).visibility !== 'hidden';
  const frame = () => {
    const now = performance.now();
    if (!window.__sspr_usable && usable(document.getElementById('user-id'))) window.__sspr_usable = now;
    if (!window.__sspr_app && document.readyState !== 'loading' && !document.getElementById('boot')) {
      window.__sspr_app = now;
    }
    if (!window.__sspr_usable || !window.__sspr_app) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  for (const profile of profiles) {
    const times = [];
    const takeovers = [];
    for (let i = 0; i < runs; i++) {
      // A fresh context each run: nothing cached, as on a first visit.
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      if (profile.network) await cdp.send('Network.emulateNetworkConditions', profile.network);
      await cdp.send('Emulation.setCPUThrottlingRate', { rate: profile.cpu });
      await page.addInitScript(WATCH);
      await page.goto(url, { waitUntil: 'commit' });
      // Usable: the field on screen and enabled (the first step the server sent, or the
      // app's when that one is not shown); then the app has taken the page over (its
      // wasm running; #boot removed).
      await page.waitForFunction(() => window.__sspr_usable && window.__sspr_app, null, { timeout: 30000 });
      const { usable, app } = await page.evaluate(() => {
        const paint = performance.getEntriesByName('first-contentful-paint')[0];
        const painted = paint ? paint.startTime : 0;
        return {
          usable: Math.round(Math.max(window.__sspr_usable, painted)),
          app: Math.round(window.__sspr_app),
        };
      });
      times.push(usable);
      takeovers.push(app);
      await context.close();
    }
    times.sort((a, b) => a - b);
    takeovers.sort((a, b) => a - b);
    console.log(JSON.stringify({
      profile: profile.name, runs,
      median_ms: percentile(times, 50), p95_ms: percentile(times, 95),
      min_ms: times[0], max_ms: times[times.length - 1],
      app_median_ms: percentile(takeovers, 50), app_p95_ms: percentile(takeovers, 95),
    }));
  }
  await browser.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
