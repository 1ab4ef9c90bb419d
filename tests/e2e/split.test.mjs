// End-to-end: the release module comes in two parts (scripts/split.sh). The first holds what a
// start and a first `kubectl get nodes` run; the rest (kubeplay-*_bg.rest.wasm) comes in the
// background once the page is idle, or at once when one of its functions is called first.
// `<html data-split>` says which. What opens a fetched lesson or replays a share link waits for
// the rest (never a synchronous load). Needs dist/ from `trunk build --release`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  DIST, serveDist, openPage, typeCommand, waitForApp, waitForOutput, describeProblems, sharedBrowser, holdRequests,
  makeShareLink,
} from './lib.mjs';

const browser = sharedBrowser();
const REST = fs.readdirSync(DIST).find((f) => f.endsWith('_bg.rest.wasm'));

const splitState = (page) => page.evaluate(() => document.documentElement.dataset.split ?? '');

test('the page starts and answers from the first part; the rest comes in the background', { timeout: 120_000 }, async () => {
  assert.ok(REST, `no *_bg.rest.wasm in ${DIST}: the release build is not split`);
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  try {
    const rest = await holdRequests(page, `**/${REST}`);
    await page.goto(server.url, { waitUntil: 'load' });
    await waitForApp(page);
    await typeCommand(page, 'kubectl get nodes');
    await waitForOutput(page, 'kind-control-plane');
    assert.ok(['primary', 'loading'].includes(await splitState(page)), 'answered without the rest');
    rest.release();
    await page.waitForFunction(() => document.documentElement.dataset.split === 'background', null, { timeout: 30_000 });
    assert.equal(rest.requests(), 1, 'fetched once, in the background');
    await typeCommand(page, 'kubectl create deployment web --image=nginx');
    await waitForOutput(page, 'deployment.apps/web created');
    await typeCommand(page, 'kubectl describe deployment web');
    await waitForOutput(page, 'StrategyType:');
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } finally {
    await context.close();
    await server.close();
  }
});

test('a function of the rest called before the rest has arrived loads it at once', { timeout: 120_000 }, async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  let release = () => {};
  try {
    // The background fetch is held; the one the page makes when it needs the rest goes through.
    const gate = new Promise((r) => { release = r; });
    let seen = 0;
    await page.route(`**/${REST}`, async (route) => {
      seen++;
      if (seen === 1) await gate;
      await route.continue();
    });
    await page.goto(server.url, { waitUntil: 'load' });
    await waitForApp(page);
    await page.waitForFunction(() => document.documentElement.dataset.split === 'loading', null, { timeout: 30_000 });
    await typeCommand(page, 'kubectl describe node kind-worker');
    await waitForOutput(page, 'Name:               kind-worker');
    assert.equal(await splitState(page), 'on-demand');
    assert.equal(seen, 2);
    await typeCommand(page, 'kubectl get nodes');
    await waitForOutput(page, 'kind-control-plane');
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } finally {
    release();
    await context.close();
    await server.close();
  }
});

test('a deep-linked lesson and a share link wait for the rest, never loading it synchronously', { timeout: 180_000 }, async () => {
  const server = await serveDist('/');
  const shareUrl = await makeShareLink(browser(), server.url,
    'kubectl create deployment web --image=nginx --replicas=2', 'deployment.apps/web created');
  const cases = [
    {
      url: `${server.url}?lesson=first-deployment`,
      waiting: async (page, fetched) => {
        await fetched;
        assert.equal(await page.locator('#lesson-panel[data-view="lesson"]').count(), 0, 'the lesson waits for the rest');
      },
      opened: (page) => page.locator('#lesson-panel[data-lesson-id="first-deployment"][data-view="lesson"]').waitFor({ timeout: 30_000 }),
    },
    {
      url: shareUrl,
      waiting: async (page) => {
        await page.locator('#share-note', { hasText: 'Loading the shared session' }).waitFor({ timeout: 30_000 });
      },
      opened: async (page) => {
        await page.locator('#share-note', { hasText: 'Replayed a shared session' }).waitFor({ timeout: 30_000 });
        await page.locator('[data-inspect-kind="Deployment"][data-inspect-name="web"]').first().waitFor();
      },
    },
  ];
  try {
    for (const c of cases) {
      const { context, page, problems } = await openPage(browser());
      try {
        const rest = await holdRequests(page, `**/${REST}`);
        const lessonFetched = page.waitForResponse((r) => r.url().includes('/lessons/'), { timeout: 30_000 });
        lessonFetched.catch(() => {}); // a share link fetches no lesson
        await page.goto(c.url, { waitUntil: 'load' });
        await waitForApp(page);
        await c.waiting(page, lessonFetched);
        // The page is not frozen on a synchronous load meanwhile: it answers, and still waits.
        assert.equal(await page.evaluate(() => document.documentElement.dataset.split), 'loading', c.url);
        rest.release();
        await c.opened(page);
        // Compiled as soon as it arrived, in the background: one request, no synchronous load.
        assert.equal(await splitState(page), 'background', c.url);
        assert.equal(rest.requests(), 1, c.url);
        assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
      } finally {
        await context.close();
      }
    }
  } finally {
    await server.close();
  }
});
