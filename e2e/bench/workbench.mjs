// Browser figures of the health-score workbench (issue 10 item 6, see
// BENCHMARKS.md): the real app in headless Chromium against a running
// server, signed in as the demo manager. It is a measurement script, not a
// test: it asserts nothing about time.
//
//   KIZUNA_BASE_URL=http://127.0.0.1:8197 KIZUNA_DEMO_PASSWORD=… \
//     node e2e/bench/workbench.mjs [moves=200]
//
// Figures (performance.now() in the page):
// - scoring-data transfer + decode: the app's own timing from the start of
//   the fetch to the decoded columns in wasm memory (`wb-load` data-ms);
// - Panel::update per slider move (re-score, bands, histogram, MRR per band,
//   movers, back-test) as the app times it (`wb-update` data-ms);
// - slider input → painted frame: from dispatching the `input` event to the
//   first task after the next animation frame (Leptos' effects, the charts'
//   canvas redraws, layout and paint all happen before it).
import { chromium } from '@playwright/test';

const base = process.env.KIZUNA_BASE_URL ?? 'http://127.0.0.1:8080';
const password = process.env.KIZUNA_DEMO_PASSWORD ?? '';
const moves = Number(process.argv[2] ?? 200);

function pct(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}
const fmt = (v) => v.toFixed(2);

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
const login = await page.request.post('/api/v1/session', {
  data: { email: 'manager@demo.kizuna', password },
  headers: { 'x-kizuna-csrf': '1' },
});
if (!login.ok()) throw new Error(`sign-in: ${login.status()}`);
await page.goto('/workbench');
await page.getByTestId('wb-load').waitFor({ timeout: 600_000 });
await page.waitForFunction(() => document.querySelector('[data-testid="wb-load"]')?.dataset.ms, null, { timeout: 600_000 });
const accounts = await page.getByTestId('wb-load').getAttribute('data-accounts');
const loadMs = Number(await page.getByTestId('wb-load').getAttribute('data-ms'));
const measures = await page.locator('[data-testid^="measure-"]').count();

const { frame, update } = await page.evaluate(async (moves) => {
  const slider = document.querySelector('[data-testid="measure-0"] [data-testid="weight-slider"]');
  const out = document.querySelector('[data-testid="wb-update"]');
  const painted = () => new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const frame = [];
  const update = [];
  for (let i = 0; i < moves; i += 1) {
    const t0 = performance.now();
    slider.value = String(10 + (i % 80));
    slider.dispatchEvent(new Event('input', { bubbles: true }));
    await painted();
    frame.push(performance.now() - t0);
    update.push(Number(out.dataset.ms));
  }
  return { frame, update };
}, moves);

console.log(`accounts ${accounts}, measures ${measures}, moves ${moves}`);
console.log(`scoring data transfer + decode: ${fmt(loadMs)} ms`);
console.log(`Panel::update   p50 ${fmt(pct(update, 50))} ms  p95 ${fmt(pct(update, 95))} ms`);
console.log(`input → painted p50 ${fmt(pct(frame, 50))} ms  p95 ${fmt(pct(frame, 95))} ms`);
await browser.close();
