// Called by scripts/split.sh (release builds): runs the staged page with a wasm-split-instrumented
// module in headless Chromium — the page starts and answers `kubectl get nodes`, then stays idle a
// moment — and writes the profile wasm-split reads (which functions ran, in order).
//
//   node scripts/split-profile.mjs STAGING_DIR INSTRUMENTED.wasm PROFILE_OUT
//
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

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => addEventListener('TrunkApplicationStarted', (e) => { window.__kpWasm = e.detail.wasm; }));
  await page.goto(url);
  await page.locator('.app[data-boot]').waitFor({ timeout: 60_000 });
  await page.locator('#term-input').fill('kubectl get nodes');
  await page.locator('#term-input').press('Enter');
  await page.locator('#term-output', { hasText: 'kind-control-plane' }).waitFor({ timeout: 30_000 });
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
  if (errors.length) throw new Error(`split-profile: the instrumented page failed: ${errors.join('; ')}`);
  if (bytes.length < 16) throw new Error(`split-profile: no profile (${bytes.length} bytes)`);
  fs.writeFileSync(out, Buffer.from(bytes));
  console.log(`split-profile: ${bytes.length} bytes of profile from a start and \`kubectl get nodes\``);
} finally {
  await browser.close();
  server.close();
}
