// End-to-end: `kubectl explain` in the page. Its docs (explain.json) are not in the wasm bundle
// nor in the first load: the page fetches them relatively when a line runs `kubectl explain` for
// the first time, and holds that line until they are in, so this serves the site from a sub-path.
// Needs dist/ from `trunk build --release` (scripts/test.sh builds it first).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, serveDist, openPage, typeCommand, waitForOutput, describeProblems, sharedBrowser, waitForApp,
  holdRequests,
} from './lib.mjs';

const browser = sharedBrowser();

test('kubectl explain fetches its docs on first use and answers', { timeout: 120_000 }, async () => {
  const server = await serveDist('/kubeplay/');
  const { context, page, problems } = await openPage(browser());
  try {
    const fetched = [];
    page.on('request', (r) => { if (r.url().endsWith('/explain.json')) fetched.push(r.url()); });
    await page.goto(server.url, { waitUntil: 'load' });
    await waitForApp(page);
    await typeCommand(page, 'kubectl get nodes');
    await waitForOutput(page, 'kind-control-plane');
    assert.deepEqual(fetched, [], 'explain.json is not part of the first load');
    // The first explain waits for the file — the line shows, waiting — then answers with the real
    // text (never "still loading"). Held here until the test lets the response through.
    const { release } = await holdRequests(page, '**/explain.json');
    await typeCommand(page, 'kubectl explain deploy.spec.strategy');
    await page.locator('#term-output .block.running .waiting').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('#term-output .block.running .cmd').textContent(), /kubectl explain deploy\.spec\.strategy/);
    release();
    await waitForOutput(page, 'FIELD: strategy <DeploymentStrategy>');
    assert.equal(await page.locator('#term-output .block.running').count(), 0);
    assert.equal(await page.locator('#term-output .cmd', { hasText: 'kubectl explain deploy.spec.strategy' }).count(), 1,
      'the waiting line gives way to the command\'s own block');
    assert.ok(!(await page.locator('#term-output').textContent()).includes('still loading'));
    assert.equal(fetched.length, 1);
    assert.ok(fetched[0].endsWith('/kubeplay/explain.json'), fetched[0]);
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

test('a share link of a session that ran kubectl explain replays its real answer', { timeout: 120_000 }, async () => {
  const server = await serveDist('/kubeplay/');
  const a = await openPage(browser());
  let b;
  try {
    await a.page.goto(server.url, { waitUntil: 'load' });
    await typeCommand(a.page, 'kubectl explain deploy.spec.paused');
    await waitForOutput(a.page, 'FIELD: paused <boolean>');
    await a.page.locator('#share-btn').click();
    const url = await a.page.locator('#share-url').inputValue();
    assert.match(url, /#v=1&/);

    // A fresh page has no docs yet: the replay waits for them, then prints the same answer.
    b = await openPage(browser());
    const fetched = [];
    b.page.on('request', (r) => { if (r.url().endsWith('/explain.json')) fetched.push(r.url()); });
    await b.page.goto(url, { waitUntil: 'load' });
    await waitForOutput(b.page, 'FIELD: paused <boolean>');
    assert.ok(!(await b.page.locator('#term-output').textContent()).includes('still loading'));
    assert.equal(fetched.length, 1);
    assert.deepEqual(b.problems.pageErrors, [], describeProblems(b.problems));
  } finally {
    await a.context.close();
    await b?.context.close();
    await server.close();
  }
});

test('Ctrl+C drops a kubectl explain line still waiting for its docs', { timeout: 120_000 }, async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  try {
    const { release } = await holdRequests(page, '**/explain.json');
    await page.goto(server.url, { waitUntil: 'load' });
    await typeCommand(page, 'kubectl explain pods');
    await page.locator('#term-output .block.running .waiting').waitFor({ timeout: 10_000 });
    await page.locator('#term-input').press('Control+c');
    await page.locator('#term-output .block.failed .exit', { hasText: 'exit 130' }).waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('#term-output .block.running').count(), 0);
    release();
    // The docs arrive later; the dropped line never runs, and the prompt works.
    await typeCommand(page, 'kubectl get nodes');
    await waitForOutput(page, 'kind-control-plane');
    assert.ok(!(await page.locator('#term-output').textContent()).includes('KIND:'), 'the dropped explain never ran');
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } finally {
    await context.close();
    await server.close();
  }
});
