// End-to-end: the release build in headless Chromium. A learner types
// `kubectl create deployment web --image=nginx --replicas=3` and watches three web pods go from
// Pending/ContainerCreating to Running in the cluster view.
// Needs dist/ from `trunk build --release` (scripts/test.sh builds it first).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, distIsRelative, serveDist, openPage, typeCommand, waitForOutput, setSpeedUpTo,
  describeProblems, sharedBrowser, waitForApp,
} from './lib.mjs';

const CREATE = 'kubectl create deployment web --image=nginx --replicas=3';
const RUNNING_TIMEOUT_MS = 60_000;

const browser = sharedBrowser();

async function screenshotOnFailure(page, name, fn) {
  try {
    await fn();
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-FAILED.png`), fullPage: true }).catch(() => {});
    throw e;
  }
}

test('walking skeleton: create a deployment, three web pods become Running', { timeout: 180_000 }, async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  try {
    await screenshotOnFailure(page, 'walking-skeleton', async () => {
      await page.goto(server.url, { waitUntil: 'load' });
      await waitForApp(page);

      // 10x keeps each phase on screen for many frames, so the observer sees Pending/ContainerCreating.
      const speed = await setSpeedUpTo(page, 10);
      console.log(`# speed: ${speed ?? '(no #speed select; running at default speed)'}`);

      await typeCommand(page, CREATE);
      await waitForOutput(page, 'deployment.apps/web created');

      try {
        await page.waitForFunction(
          () => [...document.querySelectorAll('.pod[data-status="Running"]')]
            .filter((el) => (el.getAttribute('data-pod') ?? '').startsWith('web-')).length >= 3,
          null,
          { timeout: RUNNING_TIMEOUT_MS, polling: 100 },
        );
      } catch (e) {
        const seen = await page.evaluate(() => window.__podStatuses);
        throw new Error(`three Running web- pods did not appear within ${RUNNING_TIMEOUT_MS} ms; ` +
          `pod statuses seen: ${JSON.stringify(seen)}`, { cause: e });
      }

      // The web pods: exactly three, all Running, each on a node. (Other pods the view may show,
      // e.g. kube-system's, are not part of this deployment.)
      const pods = await page.$$eval('.pod', (els) => els.map((el) => ({
        pod: el.getAttribute('data-pod'), status: el.getAttribute('data-status'), node: el.getAttribute('data-node'),
      })));
      const running = pods.filter((p) => p.status === 'Running' && (p.pod ?? '').startsWith('web-'));
      const web = pods.filter((p) => (p.pod ?? '').startsWith('web-'));
      assert.equal(running.length, 3, `expected exactly 3 Running web- pods, got ${JSON.stringify(pods)}`);
      assert.equal(web.length, 3, `expected exactly 3 web- pods, got ${JSON.stringify(web)}`);
      const others = pods.filter((p) => p.status === 'Running' && !(p.pod ?? '').startsWith('web-'));
      if (others.length) console.log(`# other Running pods in the view: ${others.map((p) => p.pod).join(', ')}`);
      for (const { pod, node } of running) {
        assert.match(pod ?? '', /^web-[a-z0-9]+-[a-z0-9]{5}$/, `Running pod ${pod} is not named like a web ReplicaSet pod`);
        assert.ok(node, `Running pod ${pod} has no data-node`);
      }
      assert.equal(new Set(running.map((r) => r.pod)).size, 3, 'the three pod names are distinct');

      // Each pod passed through a not-yet-running phase before Running.
      const seen = await page.evaluate(() => window.__podStatuses);
      const early = (s) => s === 'Pending' || s === 'ContainerCreating';
      const before = running.filter(({ pod }) => {
        const statuses = seen.filter((s) => s.pod === pod).map((s) => s.status);
        const firstRunning = statuses.indexOf('Running');
        return statuses.slice(0, firstRunning).some(early);
      });
      assert.ok(before.length >= 1,
        `no pod was seen Pending or ContainerCreating before Running; statuses seen: ${JSON.stringify(seen)}`);
      console.log(`# pods seen before Running: ${before.length}/3; transitions: ` +
        seen.map((s) => `${s.pod}=${s.status}@${s.t}ms`).join(', '));

      await page.screenshot({ path: path.join(ARTIFACTS, 'walking-skeleton.png'), fullPage: true });

      assert.deepEqual(problems.pageErrors, [], `uncaught page errors:\n${describeProblems(problems)}`);
      assert.deepEqual(problems.failedRequests, [], `failed requests:\n${describeProblems(problems)}`);
    });
  } finally {
    await context.close();
    await server.close();
  }
});

test('release build works from a sub-path (/kubeplay/) of a static host', { timeout: 120_000 }, async (t) => {
  if (!distIsRelative()) {
    t.skip('dist/index.html uses absolute asset paths (Trunk public_url is not relative)');
    return;
  }
  const server = await serveDist('/kubeplay/');
  const { context, page, problems } = await openPage(browser());
  try {
    await screenshotOnFailure(page, 'sub-path', async () => {
      await page.goto(server.url, { waitUntil: 'load' });
      await waitForApp(page);
      await typeCommand(page, CREATE);
      await waitForOutput(page, 'deployment.apps/web created');
      await page.waitForFunction(() => document.querySelectorAll('.pod').length >= 1, null, { timeout: 30_000 });
      assert.deepEqual(server.misses, [], `requests outside /kubeplay/ or missing files: ${server.misses}`);
      assert.deepEqual(problems.pageErrors, [], `uncaught page errors:\n${describeProblems(problems)}`);
      assert.deepEqual(problems.failedRequests, [], `failed requests:\n${describeProblems(problems)}`);
    });
  } finally {
    await context.close();
    await server.close();
  }
});
