// End-to-end: the boot prompt. index.html draws a prompt with the HTML, before the module has
// arrived; what is typed there is kept (text, never HTML) and run by the page, in order, as soon as
// it starts, with the half-typed line and the focus carried over. The module's download is held
// back here so the prompt is surely typed into before the page starts. Lines typed while a lesson
// or a share link loads wait for it and run in the session it opens (a share link "from the start"
// is then shown live, where they ran).
// Needs dist/ from `trunk build --release` (scripts/test.sh builds it first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, serveDist, openPage, waitForApp, waitForOutput, describeProblems, sharedBrowser, holdRequests,
  makeShareLink,
} from './lib.mjs';

const browser = sharedBrowser();

test('lines typed at the boot prompt run when the page starts', { timeout: 120_000 }, async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  try {
    const { release } = await holdRequests(page, '**/*.wasm');
    await page.goto(server.url, { waitUntil: 'domcontentloaded' });
    const input = page.locator('#boot #term-input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await page.locator('.app[data-boot]').count(), 0, 'the page has not started');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'term-input', 'the boot prompt has the focus');

    await input.fill('kubectl get nodes');
    await input.press('Enter');
    await input.fill("echo '<img src=x onerror=window.__xss=1>'");
    await input.press('Enter');
    await input.fill('kubectl get po');
    assert.match(await page.locator('#boot-output').textContent(), /\$ kubectl get nodes\$ echo '<img src=x onerror=window.__xss=1>'/);
    assert.equal(await page.locator('#boot img').count(), 0, 'typed text is shown as text');
    await page.screenshot({ path: path.join(ARTIFACTS, 'boot-prompt.png') });

    release();
    await waitForApp(page);
    assert.equal(await page.locator('#boot').count(), 0, 'the boot prompt is gone');
    assert.equal(await page.locator('[id="term-input"]').count(), 1);
    await waitForOutput(page, 'kind-control-plane');
    await waitForOutput(page, '<img src=x onerror=window.__xss=1>');
    const cmds = await page.locator('#term-output .cmd').allTextContents();
    assert.ok(cmds.length >= 2, `commands shown: ${JSON.stringify(cmds)}`);
    assert.match(cmds[0], /kubectl get nodes/);
    assert.match(cmds[1], /echo/);
    assert.equal(await page.locator('#term-output img').count(), 0);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await page.locator('#term-input').inputValue(), 'kubectl get po', 'the half-typed line stays');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'term-input', 'the focus stays on the prompt');
    // The typed-ahead lines are in the history like any other.
    await page.locator('#term-input').fill('');
    await page.locator('#term-input').press('ArrowUp');
    assert.match(await page.locator('#term-input').inputValue(), /^echo /);
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } finally {
    await context.close();
    await server.close();
  }
});

test('a read-only embed runs nothing typed at the boot prompt and takes no focus', { timeout: 120_000 }, async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  try {
    const { release } = await holdRequests(page, '**/*.wasm');
    await page.goto(`${server.url}?embed=1&readonly=1`, { waitUntil: 'domcontentloaded' });
    const input = page.locator('#boot #term-input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    assert.notEqual(await page.evaluate(() => document.activeElement?.id), 'term-input', 'an embed takes no focus on load');
    assert.equal(await input.isDisabled(), true, 'a read-only embed takes no type-ahead');
    // Even text put there by a script is not run.
    await page.evaluate(() => { document.getElementById('boot-lines').value = 'kubectl delete node kind-worker\n'; });
    release();
    await waitForApp(page);
    assert.equal(await page.locator('#boot').count(), 0);
    assert.equal(await page.locator('#term-input').isDisabled(), true);
    assert.equal(await page.locator('#term-output .cmd').count(), 0, 'nothing ran');
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } finally {
    await context.close();
    await server.close();
  }
});

test('a line typed while a deep-linked lesson loads runs in the lesson', { timeout: 120_000 }, async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  try {
    const { release } = await holdRequests(page, '**/lessons/*.yaml');
    await page.goto(`${server.url}?lesson=first-deployment`, { waitUntil: 'load' });
    await waitForApp(page);
    const input = page.locator('#term-input');
    await input.fill('kubectl create deployment early --image=nginx');
    await input.press('Enter');
    // It waits, shown as waiting, for the lesson's cluster...
    await page.locator('#term-output .block.running .waiting').waitFor({ timeout: 10_000 });
    assert.match(await page.locator('#term-output .block.running .cmd').textContent(), /kubectl create deployment early/);
    release();
    await page.locator('#lesson-panel[data-lesson-id="first-deployment"][data-view="lesson"]').waitFor({ timeout: 30_000 });
    // ...and runs there once (not in the cluster the lesson replaced).
    await waitForOutput(page, 'deployment.apps/early created');
    assert.equal(await page.locator('#term-output .block.running').count(), 0);
    assert.equal(await page.locator('#term-output .cmd', { hasText: 'kubectl create deployment early' }).count(), 1);
    await input.fill('kubectl get deploy early -o name');
    await input.press('Enter');
    await page.locator('#term-output .block', { hasText: 'kubectl get deploy early -o name' }).waitFor({ timeout: 10_000 });
    const last = await page.locator('#term-output .block').last().textContent();
    assert.ok(last.includes('deployment.apps/early') && !last.includes('NotFound'), last);
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } finally {
    await context.close();
    await server.close();
  }
});

test('a line typed while a share link "from the start" loads runs at its end, and the page shows it live', { timeout: 120_000 }, async () => {
  const server = await serveDist('/');
  const startUrl = await makeShareLink(browser(), server.url,
    'kubectl create deployment shared --image=nginx', 'deployment.apps/shared created', { fromStart: true });
  assert.ok(startUrl.endsWith('&start=1'), startUrl);
  const { context, page, problems } = await openPage(browser());
  try {
    const { release } = await holdRequests(page, '**/*.wasm');
    await page.goto(startUrl, { waitUntil: 'domcontentloaded' });
    const input = page.locator('#boot #term-input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill('kubectl create deployment mine --image=nginx');
    await input.press('Enter');
    release();
    await page.locator('#share-note', { hasText: 'Replayed a shared session' }).waitFor({ timeout: 60_000 });
    await waitForOutput(page, 'deployment.apps/mine created');
    const note = await page.locator('#share-note').textContent();
    assert.match(note, /The lines you typed meanwhile ran after it\./);
    assert.doesNotMatch(note, /first moment/);
    // Live, not the shared session's first moment: both deployments are on screen.
    assert.equal(await page.locator('.app.viewing-past').count(), 0, 'the page shows the live moment');
    assert.notEqual(await page.evaluate(() => document.documentElement.dataset.split), 'on-demand', 'no synchronous load of the rest');
    await page.locator('[data-inspect-kind="Deployment"][data-inspect-name="mine"]').first().waitFor({ timeout: 10_000 });
    await page.locator('[data-inspect-kind="Deployment"][data-inspect-name="shared"]').first().waitFor({ timeout: 10_000 });
    const cmds = await page.locator('#term-output .cmd').allTextContents();
    assert.equal(cmds.filter((c) => c.includes('deployment mine')).length, 1, `ran once: ${JSON.stringify(cmds)}`);
    assert.ok(cmds.findIndex((c) => c.includes('deployment shared')) < cmds.findIndex((c) => c.includes('deployment mine')), 'after the replay');
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } finally {
    await context.close();
    await server.close();
  }
});
