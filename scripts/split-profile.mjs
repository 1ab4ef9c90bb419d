// Called by scripts/split.sh (release builds): runs the staged page with a wasm-split-instrumented
// module in headless Chromium, and writes the profiles wasm-split reads (which functions ran, in
// order) of seven starts: a first visit that answers `kubectl get nodes`, typed at the page or
// ahead of it at index.html's boot prompt; with history stored, a start by a link to a lesson and
// by a share link, without and with lines typed ahead; with a lesson under way, a start that
// resumes it and one by a share link of it. Each page stays idle a moment after it has started.
//
//   node scripts/split-profile.mjs STAGING_DIR INSTRUMENTED.wasm PROFILE_LIST
//
// writes PROFILE_LIST.0 … .6 and, in PROFILE_LIST, their names, one per line (for
// `wasm-split --merge-profiles`).
// The staged files are served as they are, except the module, which is the instrumented one.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { launchChromium } from '../tests/e2e/lib.mjs';

const [dir, instrumented, out] = process.argv.slice(2);
if (!dir || !instrumented || !out) {
  console.error('usage: node scripts/split-profile.mjs STAGING_DIR INSTRUMENTED.wasm PROFILE_OUT');
  process.exit(2);
}
const wasmName = fs.readdirSync(dir).find((f) => /^kubeplay-[0-9a-f]+_bg\.wasm$/.test(f));
if (!wasmName) throw new Error(`split-profile: no kubeplay-*_bg.wasm in ${dir}`);

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };
const server = http.createServer((req, res) => {
  let rel = decodeURIComponent(new URL(req.url, 'http://localhost').pathname).slice(1) || 'index.html';
  const file = rel === wasmName ? path.resolve(instrumented) : path.resolve(dir, rel);
  if (!(file === path.resolve(instrumented) || file.startsWith(path.resolve(dir) + path.sep)) || !fs.existsSync(file)) {
    res.writeHead(404);
    return res.end();
  }
  // The instrumented module differs from the one index.html names by its integrity: leave it out.
  let body = fs.readFileSync(file);
  if (rel === 'index.html') body = Buffer.from(body.toString('utf8').replace(/ integrity="[^"]*"/g, ''));
  res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-store' });
  res.end(body);
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

// Each start is profiled on its own page; split.sh merges the profiles. The page's
// `window.kubeplayRestReady` (which the split page has) is stubbed as never ready, as on a split
// page whose rest has not arrived: what waits for the rest (opening a fetched lesson, replaying a
// share link) does not run, and stays in the rest.
const browser = await launchChromium();
const written = [];
async function profiled(context, address, what, act = async () => {}, typeAhead = null) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => { window.__kpWasm = e.detail.wasm; });
    window.kubeplayRestReady = () => new Promise(() => {});
  });
  // Type-ahead: the module is held back until lines have been entered at index.html's boot prompt.
  let release = () => {};
  if (typeAhead) {
    const gate = new Promise((r) => { release = r; });
    await page.route(`**/${wasmName}`, async (route) => { await gate; await route.continue(); });
  }
  await page.goto(address, { waitUntil: typeAhead ? 'domcontentloaded' : 'load' });
  if (typeAhead) {
    const boot = page.locator('#boot #term-input');
    for (const line of typeAhead.lines) {
      await boot.fill(line);
      await boot.press('Enter');
    }
    await boot.fill(typeAhead.partial);
    release();
  }
  await page.locator('.app[data-boot]').waitFor({ timeout: 60_000 });
  await act(page);
  await page.waitForTimeout(1500);
  const bytes = await page.evaluate(() => {
    const w = window.__kpWasm;
    const len = 1 << 22;
    const ptr = w.__wbindgen_malloc(len, 8);
    const n = w.__write_profile(ptr, len);
    const copy = Array.from(new Uint8Array(w.memory.buffer, ptr, n));
    w.__wbindgen_free(ptr, len, 8);
    return copy;
  });
  if (errors.length) throw new Error(`split-profile: the instrumented page failed (${what}): ${errors.join('; ')}`);
  if (bytes.length < 16) throw new Error(`split-profile: no profile (${what}: ${bytes.length} bytes)`);
  const file = `${out}.${written.length}`;
  fs.writeFileSync(file, Buffer.from(bytes));
  written.push(file);
  await page.close();
  console.log(`split-profile: ${bytes.length} bytes of profile from ${what}`);
}
const typeLine = async (page, line, answer) => {
  await page.locator('#term-input').fill(line);
  await page.locator('#term-input').press('Enter');
  await page.locator('#term-output', { hasText: answer }).waitFor({ timeout: 30_000 });
};
/** A share link of a session made on a page of `context` (the rest at hand); `lesson`: in that lesson. */
async function shareLink(context, lesson) {
  const page = await context.newPage();
  await page.goto(lesson ? `${url}?lesson=${lesson}` : url);
  await page.locator(lesson ? '#lesson-panel[data-view="lesson"]' : '.app[data-boot]').waitFor({ timeout: 60_000 });
  await typeLine(page, 'kubectl create deployment web --image=nginx', 'deployment.apps/web created');
  await page.locator('#share-btn').click();
  const link = await page.locator('#share-url').inputValue();
  await page.close();
  return link;
}
try {
  // No service worker: a page it serves loads the whole module before it starts, and it would
  // answer the requests held back for type-ahead.
  const options = { viewport: { width: 1440, height: 900 }, serviceWorkers: 'block' };
  // A first visit: start, and `kubectl get nodes`.
  const visitor = await browser.newContext(options);
  // Then the page left idle for a few virtual minutes (at 100x): what an idle cluster does
  // periodically (kubelets' status, leases, the node lifecycle controller's checks) must not need
  // the rest, or a page whose rest is slow to arrive would stop for it.
  await profiled(visitor, url, 'a start, `kubectl get nodes`, then a few idle virtual minutes', async (page) => {
    await typeLine(page, 'kubectl get nodes', 'kind-control-plane');
    await page.locator('#speed').selectOption('100');
    await page.waitForTimeout(2500);
  });
  // Lines typed at the boot prompt before the module has arrived (and one half-typed).
  await profiled(visitor, url, 'a start with lines typed ahead',
    (page) => page.locator('#term-output', { hasText: 'kind-control-plane' }).waitFor({ timeout: 30_000 }),
    { lines: ['kubectl get nodes', 'kubectl get pods -A'], partial: 'kubectl get po' });
  // Later visits (history stored): by a link to a lesson, by a share link.
  await profiled(visitor, `${url}?lesson=first-deployment`, 'a start by a link to a lesson, with history stored');
  const share = await shareLink(visitor);
  await profiled(visitor, share, 'a start by a share link');
  // Lines typed ahead of a share link "from the start": they wait for its replay.
  await profiled(visitor, `${share}&start=1`, 'a start by a share link with lines typed ahead', async () => {},
    { lines: ['kubectl get deployments'], partial: '' });
  await visitor.close();
  // A learner with a lesson under way: a start that resumes it, and one by a share link of it.
  const learner = await browser.newContext(options);
  const lessonShare = await shareLink(learner, 'first-deployment');
  await profiled(learner, url, 'a start that resumes a lesson');
  await profiled(learner, lessonShare, 'a start by a share link of a lesson');
  await learner.close();
  fs.writeFileSync(out, written.join('\n') + '\n');
} finally {
  await browser.close();
  server.close();
}
