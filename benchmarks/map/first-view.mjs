// Time to the map's first rendered view in Debian's headless Chromium with software WebGL (SwiftShader): from the
// navigation's start to MapLibre's first `idle` event (every tile, glyph and layer of the first view drawn), read
// from the page's own clock (window.povertyMapFirstIdle = performance.now() at that event). Each run is a new browser
// process with an empty profile (nothing cached). Prints each run, the median, and what the first view transferred.
//
// usage: node first-view.mjs URL [runs] [width] [height]
import { chromium } from 'playwright-core';

const [url, runsArg = '7', width = '1280', height = '800'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node first-view.mjs URL [runs] [width] [height]');
  process.exit(2);
}

const args = ['--no-sandbox', '--enable-unsafe-swiftshader', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-default-apps'];
const times = [];
let weights = null;
for (let run = 0; run < Number(runsArg); run++) {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
  const context = await browser.newContext({ viewport: { width: Number(width), height: Number(height) } });
  const page = await context.newPage();
  const transfers = [];
  context.on('requestfinished', async request => {
    const sizes = await request.sizes().catch(() => null);
    if (sizes) {
      transfers.push({ url: request.url(), bytes: sizes.responseBodySize });
    }
  });
  await page.goto(url);
  const idle = await page.waitForFunction(() => window.povertyMapFirstIdle, null, { timeout: 60000 }).then(h => h.jsonValue());
  times.push(idle);
  console.log(`run ${run + 1}: first idle ${idle.toFixed(0)} ms`);
  weights ??= transfers;
  await browser.close();
}

const sorted = [...times].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)];
console.log(`median ${median.toFixed(0)} ms over ${times.length} runs (min ${sorted[0].toFixed(0)}, max ${sorted[sorted.length - 1].toFixed(0)})`);
const group = t => t.url.includes('/map/lib/') ? 'maplibre' : t.url.includes('/tiles/poverty/') ? 'tiles' : t.url.includes('/fonts/') ? 'glyphs' : 'page, style and API';
const totals = {};
for (const t of weights) {
  totals[group(t)] = (totals[group(t)] ?? 0) + t.bytes;
}

for (const [name, bytes] of Object.entries(totals)) {
  console.log(`transferred (first run), ${name}: ${(bytes / 1024).toFixed(1)} KB`);
}
