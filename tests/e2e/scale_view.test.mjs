// End-to-end: the cluster view groups and summarises at scale (UX §3.7). A cell with more pods
// than TALLY_ABOVE (40) draws one tally per state (`.tally[data-pods]` with `.tally-kind`
// entries) instead of a chip per pod; the counts add up to the Deployment's replicas, and the
// small Deployment beside it keeps its chips.
// Needs dist/ from `trunk build --release` (scripts/test.sh builds it first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, serveDist, openPage, typeCommand, waitForOutput, setSpeedUpTo, describeProblems,
  sharedBrowser, waitForApp,
} from './lib.mjs';

const browser = sharedBrowser();

/** The tallies of the `big` ReplicaSet's row: per node, total and per-state counts. */
async function bigTallies(page) {
  return page.evaluate(() => [...document.querySelectorAll('.mrow.rs-row')]
    .filter((row) => (row.querySelector('.rs-name')?.textContent ?? '').startsWith('big-'))
    .flatMap((row) => [...row.querySelectorAll('.tally')])
    .map((t) => ({
      pods: Number(t.getAttribute('data-pods')),
      kinds: Object.fromEntries([...t.querySelectorAll('.tally-kind')]
        .map((k) => [k.getAttribute('data-tally'), Number(k.querySelector('.tally-n')?.textContent)])),
      label: t.getAttribute('aria-label'),
    })));
}

test('at 120 pods the view shows tallies per state, small owners keep their chips', { timeout: 240_000 }, async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await waitForApp(page);
    await typeCommand(page, 'kubectl create deployment web --image=nginx --replicas=2');
    await waitForOutput(page, 'deployment.apps/web created');
    await setSpeedUpTo(page, 100);
    await typeCommand(page, 'kubectl create deployment big --image=nginx --replicas=120');
    await waitForOutput(page, 'deployment.apps/big created');

    // Once every replica is ready, the tallies say so: 120 pods over the two workers, all ready.
    await page.waitForFunction(
      () => [...document.querySelectorAll('[data-inspect-kind="Deployment"][data-inspect-name="big"]')]
        .some((e) => (e.getAttribute('aria-label') ?? '').includes('READY 120/120')),
      null,
      { timeout: 180_000, polling: 250 },
    );
    await page.waitForFunction(() => document.querySelectorAll('.tally').length >= 2, null, { timeout: 10_000 });
    const tallies = await bigTallies(page);
    assert.ok(tallies.length >= 2, `expected a tally on each worker, got ${JSON.stringify(tallies)}`);
    assert.equal(tallies.reduce((a, t) => a + t.pods, 0), 120, `tallies: ${JSON.stringify(tallies)}`);
    for (const t of tallies) {
      assert.ok(t.pods > 40, `a tally stands for more than 40 pods: ${JSON.stringify(t)}`);
      assert.deepEqual(t.kinds, { 'k-ready': t.pods }, `every pod ready: ${JSON.stringify(t)}`);
      assert.equal(t.label, `${t.pods} pods: ${t.pods} running and ready`);
    }
    // No chip per pod for the big Deployment, but the small one keeps its two chips.
    const bigChips = await page.$$eval('.pod', (els) => els.filter((e) => (e.getAttribute('data-pod') ?? '').startsWith('big-')).length);
    assert.equal(bigChips, 0, 'the big Deployment is summarised, not drawn pod by pod');
    const webChips = await page.$$eval('.pod', (els) => els.filter((e) => (e.getAttribute('data-pod') ?? '').startsWith('web-')).length);
    assert.equal(webChips, 2, 'the small Deployment keeps a chip per pod');

    // Scaling down below the threshold brings the chips back.
    await typeCommand(page, 'kubectl scale deployment big --replicas=10');
    await waitForOutput(page, 'deployment.apps/big scaled');
    await page.waitForFunction(
      () => [...document.querySelectorAll('.pod[data-status="Running"]')]
        .filter((e) => (e.getAttribute('data-pod') ?? '').startsWith('big-')).length === 10
        && document.querySelectorAll('.tally').length === 0,
      null,
      { timeout: 120_000, polling: 250 },
    );
    await page.screenshot({ path: path.join(ARTIFACTS, 'scale-view.png'), fullPage: true });
    assert.deepEqual(problems.pageErrors, [], `uncaught page errors:\n${describeProblems(problems)}`);
    assert.deepEqual(problems.failedRequests, [], `failed requests:\n${describeProblems(problems)}`);
  } finally {
    await context.close();
    await server.close();
  }
});
