// End-to-end: `kubectl explain` in the page. Its docs (explain.json) are not in the wasm bundle:
// the page fetches them relatively after start-up, so this serves the site from a sub-path.
// Needs dist/ from `trunk build --release` (scripts/test.sh builds it first).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, serveDist, openPage, typeCommand, waitForOutput, describeProblems, sharedBrowser,
} from './lib.mjs';

const browser = sharedBrowser();

test('kubectl explain prints the docs fetched after start-up', { timeout: 120_000 }, async () => {
  const server = await serveDist('/kubeplay/');
  const { context, page, problems } = await openPage(browser());
  try {
    const docs = page.waitForResponse((r) => r.url().endsWith('/kubeplay/explain.json'), { timeout: 30_000 });
    await page.goto(server.url, { waitUntil: 'load' });
    await page.locator('#term-input').waitFor({ state: 'visible', timeout: 30_000 });
    assert.equal((await docs).status(), 200);
    // The docs are installed once the response body has been read and parsed; until then the
    // command says they are still loading. Retry until the answer is the real one.
    for (let attempt = 0; ; attempt++) {
      await typeCommand(page, 'kubectl explain deploy.spec.strategy');
      const out = await page.waitForFunction(
        () => {
          const t = document.querySelector('#term-output')?.textContent ?? '';
          if (t.includes('FIELD: strategy <DeploymentStrategy>')) return 'ready';
          if (t.includes('still loading')) return 'loading';
          return false;
        },
        null,
        { timeout: 15_000, polling: 100 },
      );
      if ((await out.jsonValue()) === 'ready') break;
      assert.ok(attempt < 20, 'explain.json was fetched but never installed');
      await page.evaluate(() => new Promise((r) => setTimeout(r, 250)));
    }
    await waitForOutput(page, 'rollingUpdate\t<RollingUpdateDeployment>');
    await waitForOutput(page, 'DeploymentStrategy describes how to replace existing pods with new ones.');
    await page.screenshot({ path: path.join(ARTIFACTS, 'explain.png') });
    assert.deepEqual(server.misses, []);
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } finally {
    await context.close();
    await server.close();
  }
});
