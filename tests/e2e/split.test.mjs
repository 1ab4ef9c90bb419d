// End-to-end: the release module comes in two parts (scripts/split.sh). The first holds what a
// start and a first `kubectl get nodes` run; the rest (kubeplay-*_bg.rest.wasm) comes in the
// background once the page is idle, or at once when one of its functions is called first.
// `<html data-split>` says which. Needs dist/ from `trunk build --release`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  DIST, serveDist, openPage, typeCommand, waitForApp, waitForOutput, describeProblems, sharedBrowser, holdRequests,
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
