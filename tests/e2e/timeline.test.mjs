// End-to-end: time travel and the inspector on the release build in headless Chromium.
//  1. Create a deployment, wait for its pods to run, then scrub the timeline back to before the
//     command (Home key, then a drag of #scrub): no web- pods are drawn, the page says it is viewing
//     the past; Back to live shows them again.
//  2. Open the inspector on a pod (click its chip): the YAML tab shows `kind: Pod`; Escape closes it.
//  3. A fault (`sim image break`) is marked ✕ with "fault:" in its title; its fix is an ordinary ▲.
// Screenshots go to target/e2e/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, typeCommand, waitForOutput, setSpeedUpTo, sharedBrowser, withPage,
} from './lib.mjs';

const CREATE = 'kubectl create deployment web --image=nginx --replicas=3';

const browser = sharedBrowser();

const webPods = (page) => page.$$eval('.pod', (els) => els
  .map((el) => ({ pod: el.getAttribute('data-pod'), status: el.getAttribute('data-status') }))
  .filter((p) => (p.pod ?? '').startsWith('web-')));

async function createAndWaitRunning(page) {
  await setSpeedUpTo(page, 10);
  await typeCommand(page, CREATE);
  await waitForOutput(page, 'deployment.apps/web created');
  await page.waitForFunction(
    () => [...document.querySelectorAll('.pod[data-status="Running"]')]
      .filter((el) => (el.getAttribute('data-pod') ?? '').startsWith('web-')).length >= 3,
    null, { timeout: 60_000, polling: 100 },
  );
}

test('timeline: scrub back to before the command, then back to live', { timeout: 180_000 }, async () => {
  await withPage(browser(), 'timeline', async (page) => {
    await createAndWaitRunning(page);
    // A ▲ marker for the command, titled with it.
    const marks = await page.$$eval('#timeline .mark', (els) => els.map((e) => e.getAttribute('title')));
    assert.ok(marks.some((t) => (t ?? '').includes(CREATE)), `no marker for the command: ${JSON.stringify(marks)}`);

    // Keys: leave the prompt (Escape), pause (Space), Home shows the earliest moment.
    await page.locator('#term-input').press('Escape');
    await page.keyboard.press('Space');
    await page.keyboard.press('Home');
    await page.waitForFunction(() => document.querySelector('.app.viewing-past') !== null, null, { timeout: 5_000 });
    assert.deepEqual(await webPods(page), [], 'web pods drawn before the command was typed');
    const banner = await page.locator('#timeline .tl-past-text').textContent();
    assert.match(banner ?? '', /^Viewing \d\d:\d\d\.\d, .* ago$/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'timeline-past.png') });

    // Back to live (End): the pods are there again.
    await page.keyboard.press('End');
    await page.waitForFunction(() => document.querySelector('.app.viewing-past') === null, null, { timeout: 5_000 });
    assert.equal((await webPods(page)).length, 3);

    // Drag the scrubber from its right end to its left end.
    const box = await page.locator('#scrub').boundingBox();
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + box.width - 4, y);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, y, { steps: 5 });
    await page.mouse.move(box.x + 1, y, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => document.querySelector('.app.viewing-past') !== null, null, { timeout: 5_000 });
    assert.deepEqual(await webPods(page), [], 'web pods drawn after dragging to the start');

    // Step forward event by event (→) until the command's pods appear (the recorded future replays).
    await page.locator('#scrub').blur();
    let seen = false;
    for (let i = 0; i < 400 && !seen; i++) {
      await page.keyboard.press('ArrowRight');
      seen = (await webPods(page)).length > 0;
    }
    assert.ok(seen, 'stepping forward never replayed the web pods');

    // The Back to live button.
    await page.locator('#live').click();
    await page.waitForFunction(() => document.querySelector('.app.viewing-past') === null, null, { timeout: 5_000 });
    const live = await webPods(page);
    assert.equal(live.filter((p) => p.status === 'Running').length, 3, JSON.stringify(live));
    await page.screenshot({ path: path.join(ARTIFACTS, 'timeline-live.png') });
  });
});

test('inspector: click a pod chip, see its YAML and events; Escape closes', { timeout: 180_000 }, async () => {
  await withPage(browser(), 'inspector', async (page) => {
    await createAndWaitRunning(page);
    const chip = page.locator('.pod[data-pod^="web-"]').first();
    const name = await chip.getAttribute('data-pod');
    await chip.click();
    await page.locator('#inspector').waitFor({ state: 'visible', timeout: 5_000 });
    const yaml = await page.locator('#inspector .insp-yaml').textContent();
    assert.match(yaml ?? '', /^kind: Pod$/m);
    assert.ok((yaml ?? '').includes(`name: ${name}`), `YAML lacks name: ${name}`);
    assert.equal(await page.locator('#insp-title').textContent(), name);
    // Focus moved into the drawer.
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'insp-close');
    await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-yaml.png') });

    // Events tab: the scheduler's and the kubelet's events about this pod.
    await page.locator('#insp-tab-events').click();
    const events = await page.locator('#inspector .insp-events').textContent();
    assert.match(events ?? '', /Scheduled/);
    assert.match(events ?? '', /Started/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-events.png') });

    // Escape closes it and gives focus back to the chip.
    await page.keyboard.press('Escape');
    await page.locator('#inspector').waitFor({ state: 'detached', timeout: 5_000 });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-pod')), name);

    // Keyboard: Enter on the focused chip opens it again; scrubbing back shows the change diff.
    await page.keyboard.press('Enter');
    await page.locator('#inspector').waitFor({ state: 'visible', timeout: 5_000 });
    await page.keyboard.press('Escape');
    await page.keyboard.press('Space');
    await page.locator(`.pod[data-pod="${name}"]`).click();
    await page.locator('#inspector').waitFor({ state: 'visible', timeout: 5_000 });
    // Scrub to 2.5 s after the command (the marker's title starts with its time, mm:ss.t): the pod
    // was still starting then, so lines changed and are marked in the gutter.
    const title = await page.locator('#timeline .mark').first().getAttribute('title');
    const [, mm, ss] = title.match(/^(\d+):(\d+\.\d)/);
    const at = Math.round((Number(mm) * 60 + Number(ss)) * 1000) + 2_500;
    await page.$eval('#scrub', (el, v) => {
      el.value = String(v);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, at);
    await page.waitForFunction(() => document.querySelector('.app.viewing-past') !== null, null, { timeout: 5_000 });
    const note = await page.locator('#inspector .insp-note').first().textContent();
    assert.match(note ?? '', /^Changed at \d\d:\d\d\.\d: \d+ lines? added \(\+\), \d+ removed/);
    assert.ok(await page.locator('#inspector .yl.add').count() > 0, 'no added lines marked');
    assert.ok(await page.locator('#inspector .yl.del').count() > 0, 'no removed lines marked');
    await page.screenshot({ path: path.join(ARTIFACTS, 'inspector-diff.png') });
    // Alt+← moves 10 s further back: before the pod existed.
    await page.keyboard.press('Alt+ArrowLeft');
    await page.waitForFunction(() => /does not exist/.test(document.querySelector('#inspector .insp-note')?.textContent ?? ''),
      null, { timeout: 5_000 });
    await page.keyboard.press('Alt+ArrowRight');
    await page.waitForFunction(() => /did not exist at the moment shown before/.test(
      document.querySelector('#inspector .insp-note')?.textContent ?? ''), null, { timeout: 5_000 });
  });
});

test('timeline: a fault is marked apart from commands', { timeout: 120_000 }, async () => {
  await withPage(browser(), 'timeline-faults', async (page) => {
    await typeCommand(page, 'sim image break nginx:9.9');
    await waitForOutput(page, 'nginx:9.9');
    await typeCommand(page, 'sim image fix nginx:9.9');
    await page.waitForFunction(() => document.querySelectorAll('#timeline .mark').length >= 2, null, { timeout: 10_000 });
    const marks = await page.$$eval('#timeline .mark', (els) => els.map((e) => ({
      fault: e.classList.contains('fault'), glyph: e.textContent, title: e.getAttribute('title') ?? '',
    })));
    const broke = marks.find((m) => m.title.includes('sim image break nginx:9.9'));
    const fixed = marks.find((m) => m.title.includes('sim image fix nginx:9.9'));
    assert.ok(broke && fixed, JSON.stringify(marks));
    assert.deepEqual([broke.fault, broke.glyph], [true, '✕']);
    assert.match(broke.title, /^\d\d:\d\d\.\d · fault: sim image break/);
    assert.deepEqual([fixed.fault, fixed.glyph], [false, '▲']);
    await page.locator('#timeline').screenshot({ path: path.join(ARTIFACTS, 'timeline-fault.png') });
  });
});
