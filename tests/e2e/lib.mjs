// Shared pieces of the end-to-end tests: a static server for dist/ and a headless system Chromium.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { before, after } from 'node:test';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const DIST = path.resolve(process.env.KUBEPLAY_DIST ?? path.join(ROOT, 'dist'));
export const ARTIFACTS = path.join(ROOT, 'target', 'e2e');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Fails early, with the fix, when there is no release build to serve. */
export function assertDistBuilt() {
  if (!fs.existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(`${DIST}/index.html not found: run \`trunk build --release\` first (scripts/test.sh does)`);
  }
}

/**
 * True when dist/index.html refers to its assets relatively (Trunk's `public_url = "./"`), so the
 * site also works from a sub-path of a static host.
 */
export function distIsRelative() {
  const html = fs.readFileSync(path.join(DIST, 'index.html'), 'utf8');
  const absolute = /(?:src|href)=["']\/(?!\/)|from\s*["']\/(?!\/)|import\(["']\/(?!\/)|["']\/[^"'\/]+\.wasm["']/;
  return !absolute.test(html);
}

/**
 * Serves dist/ (or `root`) on 127.0.0.1 at a free port, under `prefix` ("/" or e.g. "/kubeplay/").
 * Anything requested outside the prefix, or missing, is a 404 and is recorded in `misses`.
 */
export async function serveDist(prefix = '/', root = DIST) {
  const misses = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://localhost');
    let pathname = decodeURIComponent(url.pathname);
    if (prefix !== '/' && pathname === prefix.replace(/\/$/, '')) {
      res.writeHead(301, { Location: prefix });
      return res.end();
    }
    if (!pathname.startsWith(prefix)) {
      if (pathname !== '/favicon.ico') misses.push(pathname);
      res.writeHead(404);
      return res.end('not found');
    }
    let rel = pathname.slice(prefix.length);
    if (rel === '' || rel.endsWith('/')) rel += 'index.html';
    const file = path.resolve(root, rel);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      misses.push(pathname);
      res.writeHead(404);
      return res.end('not found');
    }
    res.writeHead(200, {
      'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    misses,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** Headless Debian Chromium (never a downloaded browser). */
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      ...extraArgs,
    ],
  });
}

/**
 * Opens a page that records what went wrong (uncaught errors, console errors, failed requests) and
 * every status each `.pod` chip ever showed, in order, in `window.__podStatuses`.
 */
export async function openPage(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = { pageErrors: [], consoleErrors: [], failedRequests: [] };
  page.on('pageerror', (e) => problems.pageErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') problems.consoleErrors.push(m.text()); });
  page.on('requestfailed', (r) => problems.failedRequests.push(`${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    // Chromium asks for /favicon.ico on its own; a page without one is not broken.
    if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) problems.failedRequests.push(`${r.url()} HTTP ${r.status()}`);
  });
  await page.addInitScript(() => {
    const log = [];
    const last = new Map();
    window.__podStatuses = log;
    const record = () => {
      for (const el of document.querySelectorAll('.pod')) {
        const pod = el.getAttribute('data-pod');
        const status = el.getAttribute('data-status');
        if (pod && last.get(pod) !== status) {
          last.set(pod, status);
          log.push({ pod, status, node: el.getAttribute('data-node'), t: Math.round(performance.now()) });
        }
      }
    };
    new MutationObserver(record).observe(document, {
      subtree: true, childList: true, attributes: true, attributeFilter: ['data-pod', 'data-status', 'class'],
    });
  });
  return { context, page, problems };
}

/**
 * Waits until the page has started (its `.app` carries `data-boot`). Before that, `#term-input` is
 * index.html's boot prompt, which takes type-ahead but no Tab completion or shortcuts.
 */
export async function waitForApp(page, timeout = 30_000) {
  await page.locator('.app[data-boot] #term-input').waitFor({ state: 'attached', timeout });
}

/**
 * Holds every request of `page` for URLs matching `glob` until `release()` is called; `requests()`
 * tells how many were asked for so far.
 */
export async function holdRequests(page, glob) {
  let release;
  const gate = new Promise((r) => { release = r; });
  let n = 0;
  await page.route(glob, async (route) => { n++; await gate; await route.continue(); });
  return { release, requests: () => n };
}

/** Types one line into the terminal and submits it with Enter. */
export async function typeCommand(page, line) {
  await waitForApp(page);
  const input = page.locator('#term-input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.click();
  await input.fill(line);
  await input.press('Enter');
}

/**
 * The narration draws only its newest lines (`NARR_WINDOW` in src/ui/app.rs); clicks `#narr-more`
 * until it draws every line the page keeps.
 */
export async function showAllNarration(page) {
  for (let i = 0; i < 40; i++) {
    const more = page.locator('#narr-more');
    if (await more.count() === 0) return;
    await more.click();
  }
  throw new Error('#narr-more is still there after 40 clicks');
}

/** Waits until the terminal output contains `text`. */
export async function waitForOutput(page, text, timeout = 15_000) {
  try {
    await page.waitForFunction(
      (t) => (document.querySelector('#term-output')?.textContent ?? '').includes(t),
      text,
      { timeout, polling: 100 },
    );
  } catch (e) {
    const got = await page.evaluate(() => document.querySelector('#term-output')?.textContent ?? '(no #term-output)');
    throw new Error(`#term-output never showed ${JSON.stringify(text)}; it shows:\n${got}`, { cause: e });
  }
}

/**
 * A share link made in a context of its own: a fresh page at `base` runs `command` and waits for
 * `answer`; `fromStart` ticks "from the start" in the share dialog.
 */
export async function makeShareLink(browser, base, command, answer, { fromStart = false } = {}) {
  const { context, page } = await openPage(browser);
  try {
    await page.goto(base, { waitUntil: 'load' });
    await typeCommand(page, command);
    await waitForOutput(page, answer);
    await page.locator('#share-btn').click();
    if (fromStart) await page.locator('#share-from-start').check();
    return await page.locator('#share-url').inputValue();
  } finally {
    await context.close();
  }
}

/**
 * At up to 10x, creates Deployment `web` (nginx) with `replicas` from the terminal and waits until
 * that many of its pods are drawn Running.
 */
export async function deployWebAndWait(page, replicas) {
  await setSpeedUpTo(page, 10);
  await typeCommand(page, `kubectl create deployment web --image=nginx --replicas=${replicas}`);
  await waitForOutput(page, 'deployment.apps/web created');
  await page.waitForFunction(
    (n) => document.querySelectorAll('.pod[data-status="Running"][data-pod^="web-"]').length >= n,
    replicas, { timeout: 60_000, polling: 100 },
  );
}

/** Picks the fastest speed up to `max` offered by `<select id="speed">`, if there is one. */
export async function setSpeedUpTo(page, max) {
  const values = await page.evaluate(() =>
    [...(document.querySelector('select#speed')?.options ?? [])].map((o) => o.value));
  const best = values.map(Number).filter((v) => Number.isFinite(v) && v <= max).sort((a, b) => b - a)[0];
  if (best === undefined) return null;
  const value = values.find((v) => Number(v) === best);
  await page.selectOption('select#speed', value);
  return value;
}

export function describeProblems(problems) {
  return JSON.stringify(problems, null, 2);
}

/**
 * One headless Chromium for a test file's tests: launched before them (after checking there is a
 * build to serve), closed after them. Returns a getter: the browser exists once `before` has run.
 */
export function sharedBrowser() {
  let browser;
  before(async () => {
    assertDistBuilt();
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
  });
  return () => browser;
}

/**
 * Serves dist/ at `/`, opens the page in a fresh context at 1440x900, waits for the prompt and runs
 * `fn(page, problems)`; then no uncaught page error may have happened. On failure a full-page
 * screenshot `NAME-FAILED.png` goes to target/e2e/.
 */
export async function withPage(browser, name, fn) {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser);
  await page.setViewportSize({ width: 1440, height: 900 });
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await waitForApp(page);
    await page.locator('#term-input').waitFor({ state: 'visible', timeout: 30_000 });
    await fn(page, problems);
    assert.deepEqual(problems.pageErrors, [], `uncaught page errors:\n${describeProblems(problems)}`);
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-FAILED.png`), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await context.close();
    await server.close();
  }
}
