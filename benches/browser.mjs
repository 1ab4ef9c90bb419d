// In-browser benchmark of the release build (a measurement, not a test: it never fails on a slow
// number). Run `trunk build --release` first, then `node benches/browser.mjs` (or `scripts/bench.sh`).
//
//   (a) bytes: every file the first load requests (recorded from the network, not guessed), raw,
//       gzip -9 and brotli -q 11;
//   (b) first answer: navigation -> typed `kubectl get nodes` -> its answer on screen, against the
//       same journey on a trivial page whose input echoes (the floor of this machine and harness);
//       alternated, REPS times each, medians;
//   (c) frames: the cluster view redrawing at 100, 1,000 and 10,000 pods (a Deployment created from
//       the terminal, nodes added so the pods fit, run until every replica is ready, then WINDOW_MS
//       of normal play at 1x): the interval between animation frames, and long animation frames.
//
// Environment: KUBEPLAY_DIST (default dist/), CHROMIUM (default /usr/bin/chromium),
// BENCH_REPS (default 7), BENCH_PODS (default "100,1000,10000"), BENCH_WINDOW_MS (default 5000),
// BENCH_JSON (write the results there as JSON too), BENCH_CHROMIUM_ARGS (extra Chromium switches,
// space-separated, e.g. '--js-flags=--liftoff-only' to see what V8's tier-up costs).
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DIST, launchChromium } from '../tests/e2e/lib.mjs';

const REPS = Number(process.env.BENCH_REPS ?? 7);
const PODS = (process.env.BENCH_PODS ?? '100,1000,10000').split(',').map(Number).filter((n) => n > 0);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 5000);
/** kind's default `pods` capacity (110) minus the two DaemonSet pods (kube-proxy, kindnet). */
const PODS_PER_NODE = 108;
const DEFAULT_WORKERS = 2;

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.yaml': 'text/plain; charset=utf-8',
};

/** The floor: the same journey on a page that does nothing but echo its input. */
const TRIVIAL = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>trivial</title></head>
<body><pre id="term-output"></pre><input id="term-input" autofocus>
<script>
  const i = document.getElementById('term-input');
  const o = document.getElementById('term-output');
  i.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') { o.textContent += '$ ' + i.value + '\\n' + i.value + '\\n'; i.value = ''; }
  });
</script></body></html>`;

function serve() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/__trivial.html') {
      res.writeHead(200, { 'Content-Type': TYPES['.html'], 'Cache-Control': 'no-store' });
      return res.end(TRIVIAL);
    }
    let rel = decodeURIComponent(url.pathname).slice(1);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(DIST, rel);
    if (!file.startsWith(DIST + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404);
      return res.end('not found');
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] : NaN;
};
const ms = (x) => (Number.isFinite(x) ? x.toFixed(1) : '-');
const num = (x) => x.toLocaleString('en-US');

/**
 * Per-page instrumentation, installed before any page script runs: the interval between animation
 * frames (a frame cannot be drawn while the main thread is busy, so this is the frame time the
 * learner sees), and long animation frames (> 50 ms, with the time their scripts took). Script time
 * per simulation tick is not timed from outside: Yew yields to the browser every 16 ms and finishes
 * in later tasks, so a wrapper around the tick would miss part of the work.
 */
function instrument() {
  window.__bench = { frames: [], loafs: [], loafScript: [], measuring: false };
  const b = window.__bench;
  let last = null;
  const raf = (t) => {
    if (b.measuring && last !== null) b.frames.push(t - last);
    last = t;
    requestAnimationFrame(raf);
  };
  requestAnimationFrame(raf);
  try {
    new PerformanceObserver((l) => {
      if (!b.measuring) return;
      for (const e of l.getEntries()) {
        b.loafs.push(e.duration);
        b.loafScript.push((e.scripts ?? []).reduce((a, s) => a + s.duration, 0));
      }
    }).observe({ type: 'long-animation-frame' });
  } catch { /* not supported */ }
}

/** (a) What the first load requests, and each file's raw / gzip / brotli bytes. */
async function measureBytes(browser, base) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const urls = [];
  const finished = [];
  page.on('request', (r) => urls.push(r.url()));
  page.on('requestfinished', (r) => finished.push(r.url()));
  // What the page needs to answer a first command: a split release (scripts/split.sh) fetches the
  // rest of its module once it has started; held here until the answer is on screen, it is
  // counted in the total but not in what the answer needed.
  let answered;
  const gate = new Promise((r) => { answered = r; });
  await page.route('**/*_bg.rest.wasm', async (route) => { await gate; await route.continue(); });
  await page.goto(base, { waitUntil: 'load' });
  await page.locator('.app[data-boot] #term-input').waitFor({ state: 'visible', timeout: 60_000 });
  await page.locator('#term-input').fill('kubectl get nodes');
  await page.locator('#term-input').press('Enter');
  await page.locator('#term-output', { hasText: 'kind-control-plane' }).waitFor({ timeout: 60_000 });
  const beforeAnswer = new Set(finished);
  answered();
  await page.waitForLoadState('networkidle');
  await page.waitForTimeout(2000);
  await page.waitForLoadState('networkidle');
  await context.close();
  const rows = [];
  for (const u of [...new Set(urls)]) {
    const rel = decodeURIComponent(new URL(u).pathname).slice(1) || 'index.html';
    const file = path.join(DIST, rel);
    if (!fs.existsSync(file)) continue;
    const buf = fs.readFileSync(file);
    rows.push({
      file: rel.replace(/-[0-9a-f]{16}(?=[._])/, ''),
      toAnswer: beforeAnswer.has(u),
      raw: buf.length,
      gzip: zlib.gzipSync(buf, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(buf, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
          [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
        },
      }).length,
    });
  }
  return rows;
}

/** (b) One journey: navigate, type `kubectl get nodes`, wait for `expect` in the output. */
async function journey(browser, url, expect) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript((want) => {
    window.__answerAt = null;
    window.__inputAt = null;
    window.__startedAt = null;
    const check = () => {
      if (window.__inputAt === null && document.getElementById('term-input')) window.__inputAt = performance.now();
      // The page has started (index.html's boot prompt has been taken over).
      if (window.__startedAt === null && document.querySelector('.app[data-boot]')) window.__startedAt = performance.now();
      if (window.__answerAt === null && (document.getElementById('term-output')?.textContent ?? '').includes(want)) {
        window.__answerAt = performance.now();
      }
    };
    new MutationObserver(check).observe(document, { subtree: true, childList: true, characterData: true });
  }, expect);
  await page.goto(url, { waitUntil: 'commit' });
  const input = page.locator('#term-input');
  // Polled at every animation frame: `locator.waitFor` retries with back-off (0, 20, 100, 100,
  // 500 ms), which added up to ~200 ms to whichever page was not ready at the first look — the
  // harness's delay, not the page's.
  await page.waitForFunction(() => {
    const i = document.getElementById('term-input');
    return i !== null && i.getClientRects().length > 0;
  }, null, { polling: 'raf', timeout: 60_000 });
  await input.click();
  await input.fill('kubectl get nodes');
  await input.press('Enter');
  await page.waitForFunction(() => window.__answerAt !== null, null, { timeout: 60_000, polling: 'raf' });
  const t = await page.evaluate(() => ({
    answer: window.__answerAt,
    input: window.__inputAt,
    started: window.__startedAt,
    wasm: performance.getEntriesByType('resource').find((e) => e.name.endsWith('.wasm'))?.responseEnd ?? null,
  }));
  await context.close();
  return t;
}

async function measureFirstAnswer(browser, base) {
  const app = [];
  const trivial = [];
  await journey(browser, base, 'kind-control-plane'); // warm the OS file cache and Chromium itself
  const appInput = [];
  const appWasm = [];
  const appStarted = [];
  for (let i = 0; i < REPS; i++) {
    trivial.push((await journey(browser, `${base}__trivial.html`, 'kubectl get nodes')).answer);
    const a = await journey(browser, base, 'kind-control-plane');
    app.push(a.answer);
    appInput.push(a.input);
    appWasm.push(a.wasm);
    appStarted.push(a.started);
  }
  return { app, trivial, appInput, appWasm, appStarted };
}

async function typeLine(page, line) {
  const input = page.locator('#term-input');
  await input.waitFor({ state: 'visible', timeout: 60_000 });
  await input.fill(line);
  await input.press('Enter');
}

/** (c) Frame times with `pods` replicas running. */
async function measureFrames(browser, base, pods) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(instrument);
  await page.goto(base, { waitUntil: 'load' });
  await page.locator('#term-input').waitFor({ state: 'visible', timeout: 60_000 });
  const workers = Math.ceil(pods / PODS_PER_NODE);
  const extra = Math.max(0, workers - DEFAULT_WORKERS);
  const started = Date.now();
  // Nodes in batches: one typed line per batch keeps each command short.
  for (let left = extra; left > 0; left -= 25) {
    await typeLine(page, Array(Math.min(25, left)).fill('sim node add').join('; '));
  }
  await page.selectOption('select#speed', '100');
  await typeLine(page, `kubectl create deployment big --image=nginx --replicas=${pods}`);
  const converged = await page.waitForFunction(
    (n) => [...document.querySelectorAll('[data-inspect-kind="Deployment"][data-inspect-name="big"]')]
      .some((e) => (e.getAttribute('aria-label') ?? '').includes(`READY ${n}/${n}`)),
    pods,
    { timeout: 15 * 60_000, polling: 500 },
  ).then(() => true, () => false);
  const convergeS = (Date.now() - started) / 1000;
  await page.selectOption('select#speed', '1');
  await page.waitForTimeout(1000);
  await page.evaluate(() => { window.__bench.measuring = true; });
  await page.waitForTimeout(WINDOW_MS);
  const r = await page.evaluate(() => { window.__bench.measuring = false; return window.__bench; });
  const dom = await page.evaluate(() => document.getElementsByTagName('*').length);
  const shot = path.join(path.dirname(DIST), 'target', 'bench', `cluster-${pods}.png`);
  fs.mkdirSync(path.dirname(shot), { recursive: true });
  await page.screenshot({ path: shot });
  await context.close();
  return { pods, workers: DEFAULT_WORKERS + extra, converged, convergeS, dom, ...r, shot };
}

function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, `
    + `${os.type()} ${os.release()}, load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;
}

const server = await serve();
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchChromium((process.env.BENCH_CHROMIUM_ARGS ?? '').split(' ').filter(Boolean));
const out = { date: new Date().toISOString(), machine: machine(), chromium: browser.version() };
try {
  console.log(`# kubeplay browser benchmark\n${out.date}\nmachine: ${out.machine}\nChromium ${out.chromium}, dist ${DIST}\n`);

  out.bytes = await measureBytes(browser, base);
  const tot = out.bytes.reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip, brotli: a.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  const first = out.bytes.filter((r) => r.toAnswer).reduce((a, r) => ({ raw: a.raw + r.raw, gzip: a.gzip + r.gzip, brotli: a.brotli + r.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  console.log('## (a) first load downloads\n\n| file | raw | gzip -9 | brotli -q 11 | needed for the first answer |\n|---|---|---|---|---|');
  for (const r of out.bytes) console.log(`| \`${r.file}\` | ${num(r.raw)} | ${num(r.gzip)} | ${num(r.brotli)} | ${r.toAnswer ? 'yes' : 'no'} |`);
  console.log(`| **needed for the first answer** | ${num(first.raw)} | ${num(first.gzip)} | ${num(first.brotli)} (${(first.brotli / 1024).toFixed(0)} KiB) | |`);
  console.log(`| **total, network idle** | ${num(tot.raw)} | ${num(tot.gzip)} | ${num(tot.brotli)} (${(tot.brotli / 1024).toFixed(0)} KiB) | |\n`);

  out.firstAnswer = await measureFirstAnswer(browser, base);
  const fa = out.firstAnswer;
  const ratio = median(fa.app) / median(fa.trivial);
  console.log(`## (b) navigation -> answer of a typed \`kubectl get nodes\` (${REPS} runs each, alternated)\n`);
  console.log(`| page | median ms | min | max |\n|---|---|---|---|`);
  console.log(`| trivial echo page (floor) | ${ms(median(fa.trivial))} | ${ms(Math.min(...fa.trivial))} | ${ms(Math.max(...fa.trivial))} |`);
  console.log(`| kubeplay | ${ms(median(fa.app))} | ${ms(Math.min(...fa.app))} | ${ms(Math.max(...fa.app))} |`);
  console.log(`\nratio of medians: ${ratio.toFixed(2)}x (target <= 1.5x). kubeplay medians: wasm downloaded at `
    + `${ms(median(fa.appWasm))} ms, prompt in the DOM at ${ms(median(fa.appInput))} ms `
    + `(index.html's boot prompt, which takes type-ahead), page started at ${ms(median(fa.appStarted))} ms.\n`);

  out.frames = [];
  console.log(`## (c) cluster view redrawing while the simulation plays at 1x (${WINDOW_MS / 1000} s window)\n`);
  console.log('| pods | workers | all ready after | DOM elements | frames | frame ms median / p95 / p99 / max | frames > 16.7 ms | frames > 50 ms (script ms, max) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const n of PODS) {
    const f = await measureFrames(browser, base, n);
    out.frames.push(f);
    const over = (t) => f.frames.filter((x) => x > t).length;
    console.log(`| ${num(n)} | ${f.workers} | ${f.converged ? `${f.convergeS.toFixed(0)} s` : `not converged (${f.convergeS.toFixed(0)} s)`} | ${num(f.dom)} | ${f.frames.length} `
      + `| ${ms(median(f.frames))} / ${ms(pct(f.frames, 95))} / ${ms(pct(f.frames, 99))} / ${ms(Math.max(...f.frames))} `
      + `| ${over(16.7 + 1)} | ${over(50)}${f.loafs.length ? ` (${ms(Math.max(...f.loafScript))})` : ''} |`);
  }
} finally {
  await browser.close();
  server.close();
}
if (process.env.BENCH_JSON) fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify(out, null, 2));
