// Time to the map's first rendered view in Debian's headless Chromium with software WebGL (SwiftShader): from the
// navigation's start to MapLibre's first `idle` event (every tile, glyph and layer of the first view drawn), read
// from the page's own clock (window.povertyMapFirstIdle = performance.now() at that event). Each run is a new browser
// process with an empty profile (nothing cached). Baseline, interleaved run by run: the same MapLibre from the same
// server drawing an empty style (a background only) in a page of the same size, i.e. what starting Chromium, WebGL
// and MapLibre costs on this machine at this moment. Prints each run, the medians, and what the first view transferred.
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
const baselinePage = `<!doctype html><html><head><link rel="stylesheet" href="/map/lib/maplibre-gl.css"></head>
<body style="margin:0"><div id="map" style="position:absolute;inset:0"></div><script type="module">
import * as maplibregl from '/map/lib/maplibre-gl.mjs';
const map = new maplibregl.Map({ container: 'map', style: { version: 8, sources: {}, layers: [{ id: 'bg', type: 'background', paint: { 'background-color': '#e4eaee' } }] } });
map.once('idle', () => { window.povertyMapFirstIdle = performance.now(); });
</script></body></html>`;
const baselineUrl = new URL('/__first-view-baseline', url).href;

async function baseline() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args });
  const page = await browser.newPage({ viewport: { width: Number(width), height: Number(height) } });
  await page.route(baselineUrl, route => route.fulfill({ contentType: 'text/html', body: baselinePage }));
  await page.goto(baselineUrl);
  const idle = await page.waitForFunction(() => window.povertyMapFirstIdle, null, { timeout: 60000 }).then(h => h.jsonValue());
  await browser.close();
  return idle;
}

const times = [];
const baselines = [];
let weights = null;
for (let run = 0; run < Number(runsArg); run++) {
  baselines.push(await baseline());
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
  const t = await page.evaluate(() => ({ ...window.povertyMapTimings, domContentLoaded: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd }));
  console.log(`run ${run + 1}: baseline ${baselines[run].toFixed(0)} ms, map first idle ${idle.toFixed(0)} ms (page ready ${t.domContentLoaded.toFixed(0)}, modules ${t.modules.toFixed(0)}, style ${t.style.toFixed(0)}, map load ${t.load.toFixed(0)})`);
  weights ??= transfers;
  await browser.close();
}

const medianOf = values => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const sorted = [...times].sort((a, b) => a - b);
console.log(`median ${medianOf(times).toFixed(0)} ms over ${times.length} runs (min ${sorted[0].toFixed(0)}, max ${sorted[sorted.length - 1].toFixed(0)}); `
  + `baseline median ${medianOf(baselines).toFixed(0)} ms; median of run-by-run differences ${medianOf(times.map((t, i) => t - baselines[i])).toFixed(0)} ms`);
const group = t => t.url.includes('/map/lib/') ? 'maplibre' : t.url.includes('/tiles/poverty/') ? 'tiles' : t.url.includes('/fonts/') ? 'glyphs' : 'page, style and API';
const totals = {};
for (const t of weights) {
  totals[group(t)] = (totals[group(t)] ?? 0) + t.bytes;
}

for (const [name, bytes] of Object.entries(totals)) {
  console.log(`transferred (first run), ${name}: ${(bytes / 1024).toFixed(1)} KB`);
}
