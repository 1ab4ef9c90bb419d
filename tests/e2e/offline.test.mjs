// End-to-end: offline once loaded (static/sw.js, registered by index.html).
//  1. Served from a sub-path (/kubeplay/): load the page online, make a share link, wait until the
//     service worker controls the page and its cache holds the build's .wasm; then stop the server
//     and take the network away. A reload, a lesson deep link (`?lesson=…&step=…`) and the share
//     link (`?presenter=1#v=1&…`) still start the playground, and `kubectl get nodes` answers.
//     Screenshot of the offline page: target/e2e/offline-reload.png.
//  2. A new deploy (a changed index.html, scripts/sw-precache.sh run again) is picked up online:
//     the page shows it, the new worker takes over with a new cache and the old cache is deleted;
//     offline, the new version is what starts.
//  3. Embed mode (`?embed=1`, or `embed=1` in the fragment) registers no service worker and
//     creates no cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  ROOT, ARTIFACTS, DIST, serveDist, openPage, typeCommand, waitForOutput, describeProblems, sharedBrowser,
} from './lib.mjs';

const browser = sharedBrowser();
const WASM = fs.readdirSync(DIST).find((f) => f.endsWith('.wasm'));

/** The service worker registrations and the cached URLs of the page's origin. */
function storage(page) {
  return page.evaluate(async () => {
    const registrations = await navigator.serviceWorker.getRegistrations();
    const cached = [];
    for (const name of await caches.keys()) {
      for (const request of await (await caches.open(name)).keys()) cached.push(request.url);
    }
    return {
      scopes: registrations.map((r) => r.scope),
      caches: await caches.keys(),
      cached,
      controlled: !!navigator.serviceWorker.controller,
    };
  });
}

/**
 * Waits until a service worker controls the page and its cache holds the build's .wasm (registered
 * after start-up, installed once the build's files are cached). Polled with evaluate: Playwright's
 * waitForFunction does not wait for an async predicate's promise.
 */
async function waitForWorker(page, base, more = () => true) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const s = await storage(page);
    if (s.controlled && s.cached.includes(`${base}${WASM}`) && more(s)) return s;
    assert.ok(Date.now() < deadline, `the service worker never took over with the .wasm cached: ${JSON.stringify(s)}`);
    await page.waitForTimeout(250);
  }
}

async function getNodes(page) {
  await typeCommand(page, 'kubectl get nodes');
  await waitForOutput(page, 'kind-control-plane', 30_000);
}

/** `kubectl explain` answers from explain.json (fetched after start-up; "still loading" until then). */
async function explainWorks(page) {
  for (let attempt = 0; ; attempt++) {
    await typeCommand(page, 'kubectl explain deploy.spec.strategy');
    const out = await page.waitForFunction(() => {
      const t = document.querySelector('#term-output')?.textContent ?? '';
      if (t.includes('FIELD: strategy <DeploymentStrategy>')) return 'ready';
      if (t.includes('still loading')) return 'loading';
      return false;
    }, null, { timeout: 15_000, polling: 100 });
    if ((await out.jsonValue()) === 'ready') return;
    assert.ok(attempt < 20, 'explain.json never arrived');
    await page.waitForTimeout(250);
  }
}

test('offline: once loaded from a sub-path, a reload, a deep link and a share link work without network', { timeout: 180_000 }, async () => {
  assert.ok(WASM, `no .wasm in ${DIST}`);
  const server = await serveDist('/kubeplay/');
  let serving = true;
  const { context, page, problems } = await openPage(browser());
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    assert.deepEqual((await storage(page)).scopes, [], 'registered before the load event and a second of idle');
    await typeCommand(page, 'kubectl create deployment web --image=nginx --replicas=2');
    await waitForOutput(page, 'deployment.apps/web created');
    await page.locator('#share-btn').click();
    const share = await page.locator('#share-url').inputValue();
    assert.ok(share.startsWith(`${server.url}#v=1&`), share);
    await page.keyboard.press('Escape');

    await waitForWorker(page, server.url);
    const online = await storage(page);
    assert.deepEqual(online.scopes, [server.url], 'one registration, scoped to the sub-path');
    for (const file of ['index.html', 'explain.json', WASM]) {
      assert.ok(online.cached.includes(`${server.url}${file}`), `${file} not cached: ${online.cached.join(', ')}`);
    }
    assert.ok(!online.cached.some((u) => u.endsWith('/sw.js')), 'sw.js caches itself');
    assert.deepEqual(server.misses, [], `requests outside /kubeplay/: ${server.misses.join(', ')}`);
    assert.deepEqual(problems.failedRequests, [], describeProblems(problems));

    await server.close();
    serving = false;
    await context.setOffline(true);

    await page.reload({ waitUntil: 'load' });
    await getNodes(page);
    await page.screenshot({ path: path.join(ARTIFACTS, 'offline-reload.png') });
    // The docs come from the cache too.
    await explainWorks(page);

    await page.goto(`${server.url}?lesson=first-deployment&step=2`, { waitUntil: 'load' });
    await page.locator('#lesson-panel[data-lesson-id="first-deployment"][data-view="lesson"]').waitFor({ timeout: 30_000 });
    await getNodes(page);

    await page.goto(share.replace('#', '?presenter=1#'), { waitUntil: 'load' });
    await page.locator('#share-note').waitFor({ timeout: 30_000 });
    await page.locator('.app.presenter').waitFor();
    await waitForOutput(page, 'deployment.apps/web created');
    await getNodes(page);

    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, 'offline-FAILED.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await context.close();
    if (serving) await server.close();
  }
});

test('offline: a new deploy is picked up online, its old cache deleted', { timeout: 180_000 }, async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'kubeplay-deploy-'));
  fs.cpSync(DIST, root, { recursive: true });
  const server = await serveDist('/kubeplay/', root);
  let serving = true;
  const { context, page, problems } = await openPage(browser());
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    const first = await waitForWorker(page, server.url);
    assert.equal(first.caches.length, 1, JSON.stringify(first.caches));

    // The next deploy: another index.html, and the hook run again as Trunk would.
    const index = path.join(root, 'index.html');
    fs.writeFileSync(index, fs.readFileSync(index, 'utf8').replace('<title>', '<title>v2 · '));
    execFileSync('bash', [path.join(ROOT, 'scripts', 'sw-precache.sh')], {
      env: { ...process.env, TRUNK_STAGING_DIR: root }, stdio: 'ignore',
    });

    await page.reload({ waitUntil: 'load' });
    assert.match(await page.title(), /^v2 · /, 'online, the reload shows the new deploy');
    const second = await waitForWorker(page, server.url, (s) => s.caches.length === 1 && s.caches[0] !== first.caches[0]);
    assert.ok(second.cached.includes(`${server.url}index.html`), JSON.stringify(second.cached));

    await server.close();
    serving = false;
    await context.setOffline(true);
    await page.reload({ waitUntil: 'load' });
    assert.match(await page.title(), /^v2 · /, 'offline, the new deploy starts');
    await getNodes(page);
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, 'offline-deploy-FAILED.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await context.close();
    if (serving) await server.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('offline: embed mode registers no service worker', { timeout: 120_000 }, async () => {
  const server = await serveDist('/kubeplay/');
  const { context, page, problems } = await openPage(browser());
  try {
    for (const url of [`${server.url}?embed=1`, `${server.url}#embed=1`]) {
      await page.goto(url, { waitUntil: 'load' });
      await page.locator('.app.embed').waitFor({ timeout: 30_000 });
      await getNodes(page);
      // Longer than the registration's delay after load (1 s, then idle, at most 3 s more).
      await page.waitForTimeout(6_000);
      assert.deepEqual(await storage(page), { scopes: [], caches: [], cached: [], controlled: false }, `${url} registered`);
    }
    assert.ok(!server.misses.length && !problems.failedRequests.some((r) => r.includes('sw.js')), describeProblems(problems));
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } finally {
    await context.close();
    await server.close();
  }
});
