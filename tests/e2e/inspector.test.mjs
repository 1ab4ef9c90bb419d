// End-to-end: the inspector's Edit → Apply on the release build in headless Chromium.
//  1. A Deployment of 2: Edit its YAML to replicas: 3 and Apply. The inspector shows kubectl's
//     `deployment.apps/web replaced`, the terminal shows the `kubectl replace -f -` heredoc it ran (a
//     timeline marker too), and a third web- pod comes up in the cluster view.
//  2. An invalid edit (replicas: -1, with Ctrl+Enter): the API server's error text, the editor kept,
//     nothing changed in the cluster.
// Screenshots go to target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, typeCommand, waitForOutput, setSpeedUpTo, sharedBrowser, withPage,
} from './lib.mjs';

const browser = sharedBrowser();

const runningWeb = (page) => page.$$eval('.pod[data-status="Running"]', (els) => els
  .filter((el) => (el.getAttribute('data-pod') ?? '').startsWith('web-')).length);

async function waitRunningWeb(page, n) {
  await page.waitForFunction(
    (want) => [...document.querySelectorAll('.pod[data-status="Running"]')]
      .filter((el) => (el.getAttribute('data-pod') ?? '').startsWith('web-')).length === want,
    n, { timeout: 60_000, polling: 100 },
  );
}

test('inspector: edit a Deployment to 3 replicas and apply; an invalid edit changes nothing', { timeout: 180_000 }, async () => {
  await withPage(browser(), 'inspector-edit', async (page) => {
    await setSpeedUpTo(page, 10);
    await typeCommand(page, 'kubectl create deployment web --image=nginx --replicas=2');
    await waitForOutput(page, 'deployment.apps/web created');
    await waitRunningWeb(page, 2);
    // Let the Deployment's status settle, so the edit starts from its latest resourceVersion.
    await page.waitForFunction(() => /✓ converged/.test(document.querySelector('.deploy-row')?.textContent ?? ''),
      null, { timeout: 30_000 });
    const marks = await page.locator('#timeline .mark').count();

    await page.locator('.owner-head[data-inspect-kind="Deployment"][data-inspect-name="web"]').click();
    await page.locator('#inspector').waitFor({ state: 'visible', timeout: 5_000 });
    await page.locator('#insp-edit').click();
    const editor = page.locator('#insp-editor');
    await editor.waitFor({ state: 'visible', timeout: 5_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'insp-editor', 'Edit focuses the text');
    const text = await editor.inputValue();
    // kubectl edit shows the whole object: metadata with its resourceVersion, spec and status.
    assert.match(text, /^kind: Deployment$/m);
    assert.match(text, /^ {2}resourceVersion: "\d+"$/m);
    assert.match(text, /^status:$/m);
    // The first `  replicas: 2` is the spec's (status comes after spec).
    await editor.fill(text.replace(/^ {2}replicas: 2$/m, '  replicas: 3'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-editing.png') });
    await page.locator('#insp-apply').click();
    await page.waitForFunction(() => document.querySelector('#insp-result')?.getAttribute('data-ok') === 'true',
      null, { timeout: 5_000 });
    assert.match(await page.locator('#insp-result').textContent(), /deployment\.apps\/web replaced/);
    assert.equal(await page.locator('#insp-editor').count(), 0, 'the editor closes after a successful apply');
    // The edit is a command of the session: in the terminal, and a ▲ on the timeline.
    await waitForOutput(page, "kubectl replace -f - <<'EOF'");
    await waitForOutput(page, 'deployment.apps/web replaced');
    assert.equal(await page.locator('#timeline .mark').count(), marks + 1, 'one more timeline marker');
    await waitRunningWeb(page, 3);
    await page.waitForFunction(() => /^ {2}replicas: 3$/m.test(document.querySelector('#inspector .insp-yaml')?.textContent ?? ''),
      null, { timeout: 10_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-applied.png') });

    // An invalid edit, applied from the keyboard: the API server's words, and nothing changes.
    await page.waitForFunction(() => /✓ converged/.test(document.querySelector('.deploy-row')?.textContent ?? ''),
      null, { timeout: 30_000 });
    await page.locator('#insp-edit').click();
    await editor.waitFor({ state: 'visible', timeout: 5_000 });
    const text3 = await editor.inputValue();
    await editor.fill(text3.replace(/^ {2}replicas: 3$/m, '  replicas: -1'));
    await editor.press('Control+Enter');
    await page.waitForFunction(() => document.querySelector('#insp-result')?.getAttribute('data-ok') === 'false',
      null, { timeout: 5_000 });
    assert.equal(
      (await page.locator('#insp-result').textContent()).replace(/^✕ /, ''),
      'The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
    );
    assert.equal(await page.locator('#insp-editor').count(), 1, 'the editor stays open with the text');
    assert.match(await editor.inputValue(), /^ {2}replicas: -1$/m);
    await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-invalid.png') });
    await page.locator('#insp-edit-cancel').click();
    await page.waitForTimeout(1_000);
    const yaml = await page.locator('#inspector .insp-yaml').textContent();
    assert.match(yaml, /^ {2}replicas: 3$/m, 'the Deployment still wants 3');
    assert.equal(await runningWeb(page), 3);
  });
});

test('inspector Why tab: a pod\'s chain of causes, from the command to the kubelet, linked to its owners', { timeout: 180_000 }, async () => {
  await withPage(browser(), 'inspector-why', async (page) => {
    await setSpeedUpTo(page, 10);
    await typeCommand(page, 'kubectl create deployment web --image=nginx --replicas=2');
    await waitForOutput(page, 'deployment.apps/web created');
    await waitRunningWeb(page, 2);
    const chip = page.locator('.pod[data-pod^="web-"][data-status="Running"]').first();
    const name = await chip.getAttribute('data-pod');
    const node = await chip.getAttribute('data-node');
    await chip.click();
    await page.locator('#inspector').waitFor({ state: 'visible', timeout: 5_000 });
    // Keyboard: → from the YAML tab selects Why.
    await page.locator('#insp-tab-yaml').focus();
    await page.keyboard.press('ArrowRight');
    await page.locator('#insp-why').waitFor({ state: 'visible', timeout: 5_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'insp-tab-why');
    assert.equal(await page.locator('.app.paused').count(), 0, '→ on the tabs does not step the timeline');
    assert.equal(await page.locator('#insp-why-q').textContent(), `Why is ${name} Running on ${node}?`);
    const lines = await page.$$eval('#insp-why .why-line', (els) => els.map((el) => ({
      who: el.getAttribute('data-who'), text: el.textContent.replace(/\s+/g, ' ').trim(),
    })));
    const find = (re) => lines.findIndex((l) => re.test(l.text));
    const typed = find(/you ran kubectl create deployment web --image=nginx --replicas=2: created Deployment web/);
    const rs = find(/deployment-controller: created ReplicaSet web-\w+ .*because: web has no ReplicaSet/);
    const pod = find(new RegExp(`replicaset-controller: created Pod ${name}.*because: web-\\w+ has 0 of 2 pods; creating 2 pods`));
    const bound = find(new RegExp(`default-scheduler: bound it to ${node}.*because: bound ${name} to ${node} \\(fits`));
    const started = find(/Event Started: Started container nginx/);
    assert.ok(typed >= 0 && rs > typed && pod > rs && bound > pod && started > bound,
      `causes out of order or missing: ${JSON.stringify({ typed, rs, pod, bound, started })}\n${lines.map((l) => l.text).join('\n')}`);
    assert.equal(lines[typed].who, 'command');
    await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-why.png') });
    // An owner named in the chain opens in the inspector, on its own Why tab.
    await page.locator('#insp-why .why-obj[data-why-kind="Deployment"]').first().click();
    await page.waitForFunction(() => document.querySelector('#insp-title')?.textContent === 'web', null, { timeout: 5_000 });
    assert.equal(await page.locator('#insp-why-q').textContent(), 'Why does Deployment web look like this?');
    // ⏱ shows that moment: the past, before any pod was bound.
    await page.locator('#insp-why .why-line[data-who="command"] .why-time').first().click();
    await page.waitForFunction(() => document.querySelector('.app.viewing-past') !== null, null, { timeout: 5_000 });
    assert.equal(await page.locator('.pod[data-pod^="web-"]').count(), 0, 'no web pods just after the command');
  });
});

test('inspector: an edit begun before the object changed is refused with a Conflict, and can start again', { timeout: 180_000 }, async () => {
  await withPage(browser(), 'inspector-conflict', async (page) => {
    await setSpeedUpTo(page, 10);
    await typeCommand(page, 'kubectl create deployment web --image=nginx --replicas=1');
    await waitForOutput(page, 'deployment.apps/web created');
    await waitRunningWeb(page, 1);
    await page.waitForFunction(() => /✓ converged/.test(document.querySelector('.deploy-row')?.textContent ?? ''),
      null, { timeout: 30_000 });
    await page.locator('.owner-head[data-inspect-kind="Deployment"][data-inspect-name="web"]').click();
    await page.locator('#insp-edit').click();
    const editor = page.locator('#insp-editor');
    await editor.waitFor({ state: 'visible', timeout: 5_000 });
    const text = await editor.inputValue();
    // Meanwhile the Deployment changes: the inspector says so.
    await typeCommand(page, 'kubectl scale deployment web --replicas=2');
    await waitForOutput(page, 'deployment.apps/web scaled');
    await page.locator('#insp-stale').waitFor({ state: 'visible', timeout: 5_000 });
    assert.match(await page.locator('#insp-stale').textContent(), /resourceVersion \d+ → \d+/);
    assert.equal(await editor.inputValue(), text, 'the text being edited is kept');
    await page.locator('#insp-apply').click();
    await page.waitForFunction(() => document.querySelector('#insp-result')?.getAttribute('data-ok') === 'false',
      null, { timeout: 5_000 });
    assert.equal(
      (await page.locator('#insp-result').textContent()).replace(/^✕ /, ''),
      'Error from server (Conflict): error when replacing "STDIN": Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    );
    await waitRunningWeb(page, 2);
    // Start again from the latest: the scale is in the text, and the warning is gone.
    await page.locator('#insp-edit-reload').click();
    await page.waitForFunction(() => /^ {2}replicas: 2$/m.test(document.querySelector('#insp-editor')?.value ?? ''),
      null, { timeout: 5_000 });
    assert.equal(await page.locator('#insp-stale').count(), 0);
  });
});

test('kubectl edit TYPE/NAME opens the inspector in Edit mode; Apply scales it; errors as kubectl prints them', { timeout: 180_000 }, async () => {
  await withPage(browser(), 'kubectl-edit', async (page) => {
    await setSpeedUpTo(page, 10);
    // A missing object or an unknown type: kubectl's errors in the terminal, no editor.
    await typeCommand(page, 'kubectl edit deployment/web');
    await waitForOutput(page, 'Error from server (NotFound): deployments.apps "web" not found');
    await typeCommand(page, 'kubectl edit foo/bar');
    await waitForOutput(page, 'error: the server doesn\'t have a resource type "foo"');
    assert.equal(await page.locator('#insp-editor').count(), 0);

    await typeCommand(page, 'kubectl create deployment web --image=nginx --replicas=2');
    await waitForOutput(page, 'deployment.apps/web created');
    await waitRunningWeb(page, 2);
    await page.waitForFunction(() => /✓ converged/.test(document.querySelector('.deploy-row')?.textContent ?? ''),
      null, { timeout: 30_000 });

    // Unchanged and applied: kubectl edit's cancel, nothing sent.
    await typeCommand(page, 'kubectl edit deploy web');
    const editor = page.locator('#insp-editor');
    await editor.waitFor({ state: 'visible', timeout: 5_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'insp-editor', 'kubectl edit focuses the text');
    assert.equal(await page.locator('#insp-title').textContent(), 'web');
    const marks = await page.locator('#timeline .mark').count();
    await page.locator('#insp-apply').click();
    await page.waitForFunction(() => document.querySelector('#insp-result')?.getAttribute('data-ok') === 'true',
      null, { timeout: 5_000 });
    assert.match(await page.locator('#insp-result').textContent(), /Edit cancelled, no changes made\./);
    assert.equal(await page.locator('#timeline .mark').count(), marks, 'no command ran');
    await page.locator('#insp-close').click();

    // TYPE/NAME with -n: the editor holds the Deployment; replicas 2 → 4, Apply.
    await typeCommand(page, 'kubectl edit deployment/web -n default');
    await editor.waitFor({ state: 'visible', timeout: 5_000 });
    const text = await editor.inputValue();
    assert.match(text, /^kind: Deployment$/m);
    assert.match(text, /^ {2}name: web$/m);
    await editor.fill(text.replace(/^ {2}replicas: 2$/m, '  replicas: 4'));
    await page.screenshot({ path: path.join(ARTIFACTS, 'kubectl-edit-editing.png') });
    await page.locator('#insp-apply').click();
    await page.waitForFunction(() => document.querySelector('#insp-result')?.getAttribute('data-ok') === 'true',
      null, { timeout: 5_000 });
    assert.match(await page.locator('#insp-result').textContent(), /deployment\.apps\/web replaced/);
    await waitForOutput(page, "kubectl replace -f - <<'EOF'");
    await waitRunningWeb(page, 4);
    assert.equal(await page.locator('.pod[data-pod^="web-"]').count(), 4, 'the cluster shows 4 web pods');
    await page.screenshot({ path: path.join(ARTIFACTS, 'kubectl-edit-applied.png') });
  });
});
