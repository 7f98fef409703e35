// Time from navigation to a usable user-ID field on the reset portal, in headless
// Chromium (README, Budgets), on loopback and with 4x CPU slowdown + slow 4G.
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
      const started = Date.now();
      await page.goto(url, { waitUntil: 'commit' });
      // Usable: the field is on screen, visible and enabled (the static first step, or
      // the app's when the static one is not shown).
      await page.waitForSelector('#user-id:not([disabled])', { state: 'visible', timeout: 30000 });
      times.push(Date.now() - started);
      // The app has taken the page over (its wasm running; #boot removed).
      await page.waitForFunction(() => !document.getElementById('boot'), null, { timeout: 30000 });
      takeovers.push(Date.now() - started);
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
