// End-to-end: the narration's component filter and its links to the inspector.
//  1. Create a deployment and let it run: the narration shows several components; choosing
//     `default-scheduler` in #narr-filter leaves only scheduler lines (plus "you ran" markers);
//     choosing "every component" brings the others back.
//  2. A pod name in a scheduler line is a link: clicking it opens the inspector on that pod.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, serveDist, openPage, typeCommand, waitForOutput, setSpeedUpTo, describeProblems,
  sharedBrowser,
} from './lib.mjs';

const browser = sharedBrowser();

test('narration filters by component and links object names to the inspector', async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  await page.setViewportSize({ width: 1440, height: 900 });
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await page.locator('#term-input').waitFor({ state: 'visible', timeout: 30_000 });
    await setSpeedUpTo(page, 10);
    await typeCommand(page, 'kubectl create deployment web --image=nginx --replicas=2');
    await waitForOutput(page, 'deployment.apps/web created');
    await page.waitForFunction(
      () => document.querySelectorAll('.pod[data-status="Running"][data-pod^="web-"]').length >= 2,
      null, { timeout: 60_000, polling: 100 },
    );
    const comps = () => page.$$eval('#narration .narr-line', (els) => [...new Set(els.map((e) => e.getAttribute('data-comp')))]);
    const before = await comps();
    assert.ok(before.includes('default-scheduler'), `scheduler lines: ${before}`);
    assert.ok(before.includes('kubelet'), `kubelet lines: ${before}`);
    assert.ok(before.length >= 3, `several components: ${before}`);

    await page.selectOption('#narr-filter', 'default-scheduler');
    await page.waitForFunction(
      () => [...document.querySelectorAll('#narration .narr-line')].every((e) => e.getAttribute('data-comp') === 'default-scheduler'),
      null, { timeout: 5_000 },
    );
    assert.deepEqual(await comps(), ['default-scheduler']);
    assert.ok(await page.locator('#narration .narr-cmd').count() >= 1, 'the command marker stays');
    await page.screenshot({ path: path.join(ARTIFACTS, 'narration-filtered.png') });

    // A scheduler line names the pod it placed: a link to the inspector.
    const link = page.locator('#narration .narr-line .narr-obj[data-inspect-kind="Pod"][data-inspect-name^="web-"]').first();
    const pod = await link.getAttribute('data-inspect-name');
    assert.match(pod, /^web-/);
    await link.click();
    await page.locator('.inspector').waitFor({ state: 'visible', timeout: 5_000 });
    await page.waitForFunction((name) => document.querySelector('.inspector')?.textContent.includes(name), pod, { timeout: 5_000 });

    await page.selectOption('#narr-filter', '');
    await page.waitForFunction(() => new Set([...document.querySelectorAll('#narration .narr-line')].map((e) => e.getAttribute('data-comp'))).size >= 3,
      null, { timeout: 5_000 });
    assert.deepEqual(problems.pageErrors, [], `uncaught page errors:\n${describeProblems(problems)}`);
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, 'narration-FAILED.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await context.close();
    await server.close();
  }
});
