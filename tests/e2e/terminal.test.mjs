// End-to-end: the terminal's line editing in headless Chromium. Tab completes commands, kinds,
// object names, flag values and TYPE/NAME; a second Tab lists the candidates without losing the
// line; Tab on an empty line leaves the prompt; Ctrl-R finds earlier commands like bash.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, serveDist, openPage, typeCommand, waitForOutput, describeProblems, sharedBrowser, waitForApp,
} from './lib.mjs';

const browser = sharedBrowser();

/** Replaces the prompt's text with `text` (typed key by key) and presses Tab. */
async function typeAndTab(page, text) {
  const input = page.locator('#term-input');
  await input.fill('');
  await input.pressSequentially(text);
  await input.press('Tab');
}

async function inputValue(page) {
  return page.locator('#term-input').inputValue();
}

async function expectValue(page, want) {
  try {
    await page.waitForFunction((w) => document.querySelector('#term-input')?.value === w, want, { timeout: 5_000 });
  } catch (e) {
    throw new Error(`#term-input shows ${JSON.stringify(await inputValue(page))}, want ${JSON.stringify(want)}`, { cause: e });
  }
}

const focused = (page) => page.evaluate(() => document.activeElement?.id ?? '');
const caret = (page) => page.evaluate(() => document.querySelector('#term-input').selectionStart);

test('tab completion and reverse history search', { timeout: 180_000 }, async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    const input = page.locator('#term-input');
    await waitForApp(page);

    await typeCommand(page, 'kubectl create deployment nginx --image=nginx --replicas=2');
    await waitForOutput(page, 'deployment.apps/nginx created');
    await typeCommand(page, 'kubectl get nodes');
    await waitForOutput(page, 'kind-control-plane');
    await page.waitForFunction(() => document.querySelectorAll('.pod[data-pod^="nginx-"]').length >= 2, null, { timeout: 30_000 });
    await input.click();

    // A kind: `po` becomes `pods` and a space; the caret lands after it; focus stays.
    await typeAndTab(page, 'kubectl get po');
    await expectValue(page, 'kubectl get pods ');
    assert.equal(await caret(page), 'kubectl get pods '.length);
    assert.equal(await focused(page), 'term-input', 'Tab must not leave the prompt');

    // An object name of the kind typed.
    await typeAndTab(page, 'kubectl describe deploy ng');
    await expectValue(page, 'kubectl describe deploy nginx ');

    // A command, a namespace after -n.
    await typeAndTab(page, 'kubectl rollo');
    await expectValue(page, 'kubectl rollout ');
    await typeAndTab(page, 'kubectl get pods -n kube-sy');
    await expectValue(page, 'kubectl get pods -n kube-system ');

    // TYPE/ continues without a space, then the name.
    await typeAndTab(page, 'kubectl logs deploy');
    await expectValue(page, 'kubectl logs deployment/');
    await input.press('Tab');
    await expectValue(page, 'kubectl logs deployment/nginx ');

    // Several candidates: the common prefix, then a second Tab lists them under the prompt,
    // keeping the line.
    await typeAndTab(page, 'kubectl get pods -o j');
    await expectValue(page, 'kubectl get pods -o json');
    assert.equal(await page.locator('#term-completions').getAttribute('data-count'), '0');
    await input.press('Tab');
    await page.waitForFunction(() => document.querySelector('#term-completions')?.getAttribute('data-count') === '2', null, { timeout: 5_000 });
    const listed = await page.$$eval('#term-completions .completion', (els) => els.map((e) => e.textContent));
    assert.deepEqual(listed, ['json', 'jsonpath=']);
    assert.equal(await inputValue(page), 'kubectl get pods -o json');
    assert.equal(await focused(page), 'term-input');

    // The pods of the Deployment: bash lists them after the common prefix.
    await typeAndTab(page, 'kubectl logs ngi');
    const prefix = await inputValue(page);
    assert.ok(prefix.startsWith('kubectl logs nginx-') && !prefix.endsWith(' '), prefix);
    await input.press('Tab');
    await page.waitForFunction(() => Number(document.querySelector('#term-completions')?.getAttribute('data-count')) >= 2, null, { timeout: 5_000 });
    const pods = await page.$$eval('#term-completions .completion', (els) => els.map((e) => e.textContent));
    const chips = await page.$$eval('.pod[data-pod^="nginx-"][data-ns="default"]', (els) => [...new Set(els.map((e) => e.getAttribute('data-pod')))].sort());
    assert.deepEqual(pods, chips);
    await page.screenshot({ path: path.join(ARTIFACTS, 'terminal-completions.png') });
    // Clicking a candidate inserts it.
    await page.locator('#term-completions .completion').first().click();
    await expectValue(page, `kubectl logs ${pods[0]} `);
    assert.equal(await page.locator('#term-completions').getAttribute('data-count'), '0');
    // Typing hides a list.
    await typeAndTab(page, 'kubectl get pods -o j');
    await input.press('Tab');
    await page.waitForFunction(() => document.querySelector('#term-completions')?.getAttribute('data-count') === '2');
    await input.press('x');
    await page.waitForFunction(() => document.querySelector('#term-completions')?.getAttribute('data-count') === '0', null, { timeout: 5_000 });

    // Tab on an empty line leaves the prompt (keyboard users are never trapped).
    await input.fill('');
    await input.press('Tab');
    assert.notEqual(await focused(page), 'term-input');
    await input.click();

    // Ctrl-R: bash's reverse-i-search. Escape restores the line.
    await input.fill('draft');
    await input.press('Control+r');
    await page.locator('#term-search').waitFor({ state: 'visible', timeout: 5_000 });
    await input.pressSequentially('create');
    await expectValue(page, 'kubectl create deployment nginx --image=nginx --replicas=2');
    assert.equal(await page.locator('#term-search').getAttribute('data-query'), 'create');
    assert.match(await page.locator('#term-search').textContent(), /^\(reverse-i-search\)`create': $/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'terminal-search.png') });
    await input.press('Escape');
    await expectValue(page, 'draft');
    assert.equal(await page.locator('#term-search').count(), 0);

    // A query that matches nothing says so and keeps the line.
    await input.fill('');
    await input.press('Control+r');
    await input.pressSequentially('zzz');
    assert.equal(await page.locator('#term-search').getAttribute('data-failed'), 'true');
    await input.press('Control+g');
    await expectValue(page, '');

    // Another key (here Tab) keeps the match for editing, and the focus.
    await input.press('Control+r');
    await input.pressSequentially('nodes');
    await input.press('Tab');
    await expectValue(page, 'kubectl get nodes');
    assert.equal(await page.locator('#term-search').count(), 0);
    assert.equal(await focused(page), 'term-input');
    await input.fill('');

    // Repeated Ctrl-R finds older matches; Enter runs the one found.
    await typeCommand(page, 'kubectl get deployments');
    await waitForOutput(page, 'READY');
    const blocks = await page.locator('#term-output .block').count();
    await input.click();
    await input.press('Control+r');
    await input.pressSequentially('get');
    await expectValue(page, 'kubectl get deployments');
    await input.press('Control+r');
    await expectValue(page, 'kubectl get nodes');
    await input.press('Enter');
    await page.waitForFunction((n) => document.querySelectorAll('#term-output .block').length === n + 1, blocks, { timeout: 10_000 });
    const last = await page.locator('#term-output .block .cmd').last().textContent();
    assert.equal(last, 'kubectl get nodes');
    await expectValue(page, '');

    // Ctrl-L clears the screen.
    await input.press('Control+l');
    await page.waitForFunction(() => document.querySelectorAll('#term-output .block').length === 0, null, { timeout: 5_000 });

    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, 'terminal-FAILED.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await context.close();
    await server.close();
  }
});
