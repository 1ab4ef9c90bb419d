// End-to-end: the narration's component filter and its links to the inspector.
//  1. Create a deployment and let it run: the narration shows several components; choosing
//     `default-scheduler` in #narr-filter leaves only scheduler lines (plus "you ran" markers);
//     choosing "every component" brings the others back.
//  2. A pod name in a scheduler line is a link: clicking it opens the inspector on that pod.
//  3. Only the newest lines are drawn (NARR_WINDOW): after the kind cluster's boot the list holds
//     that many and #narr-more[data-hidden] tells how many earlier ones are not drawn; pressing it
//     (keyboard, then mouse) draws them, oldest boot lines included, and gives the focus to the
//     list once it is gone; a filter change and Reset draw the newest NARR_WINDOW again; a new
//     command's lines arrive at the bottom, and the list stays scrolled to the bottom. Lines there
//     when a session is first drawn do not flash in; the newest (at most 8) new ones do.
//  4. Keyboard: the list is one Tab stop (the object names in it are not); the up and down arrows
//     move between the objects it names, and Enter opens one in the inspector.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, serveDist, openPage, describeProblems,
  sharedBrowser, withPage, deployWebAndWait, waitForApp,
} from './lib.mjs';

const browser = sharedBrowser();

/** `NARR_WINDOW` and `NARR_STEP` in src/ui/app.rs. */
const WINDOW = 40;
const STEP = 50;

/** The narration's drawn lines (decisions and "you ran" markers), oldest first, as text. */
const drawn = (page) => page.$$eval('#narration > li.narr-line, #narration > li.narr-cmd', (els) => els.map((e) => e.textContent));
/** `#narr-more[data-hidden]`, 0 without the button. */
const hidden = (page) => page.evaluate(() => Number(document.querySelector('#narr-more')?.getAttribute('data-hidden') ?? 0));
/** A line's virtual time (`mm:ss.d`) in tenths of a second. */
const tenths = (line) => {
  const m = /^(\d+):(\d+)\.(\d)/.exec(line);
  assert.ok(m, `a line starts with its time: ${line}`);
  return (Number(m[1]) * 60 + Number(m[2])) * 10 + Number(m[3]);
};
/** How many drawn lines flash in (CSS animation `narr-in`): at most the newest 8, never history. */
const flashing = (page) => page.$$eval('#narration > li.narr-line',
  (els) => els.filter((e) => getComputedStyle(e).animationName === 'narr-in').length);
const oldestIsFresh = (page) => page.$eval('#narration > li.narr-line', (e) => e.classList.contains('fresh'));
const pause = async (page) => {
  if (await page.locator('#play.is-paused').count() === 0) await page.locator('#play').click();
  await page.locator('#play.is-paused').waitFor({ timeout: 5_000 });
};

test('narration filters by component and links object names to the inspector', async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  await page.setViewportSize({ width: 1440, height: 900 });
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await waitForApp(page);
    await deployWebAndWait(page, 2);
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

test('narration draws its newest lines; #narr-more draws earlier ones', { timeout: 120_000 }, async () => {
  await withPage(browser(), 'narration-window', async (page) => {
    // The boot's decisions (~70) are more than the window: the button appears.
    await page.locator('#narration > li > button#narr-more').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => document.querySelector('.cluster-badge')?.textContent.includes('3/3 nodes ready'),
      null, { timeout: 30_000 });
    await pause(page);
    const first = await drawn(page);
    const k0 = await hidden(page);
    assert.equal(first.length, WINDOW, `the newest ${WINDOW} lines are drawn`);
    assert.ok(k0 > 0, 'earlier boot lines are not drawn');
    const more = page.locator('#narr-more');
    assert.equal(await more.getAttribute('type'), 'button');
    const label = (await more.textContent()).trim();
    assert.match(label, new RegExp(`\\b${k0}\\b`), `the button tells how many are hidden: ${label}`);
    assert.match(label, /^Show /);
    // The lines there when the page was first drawn are history: they do not flash in (40 rows
    // animating at once slowed the page's start: BENCHMARKS.md (b)).
    assert.equal(await oldestIsFresh(page), false, 'boot lines are not fresh');
    assert.ok(await flashing(page) <= 8, 'at most the newest 8 lines flash');
    // In order, oldest first; the list is scrolled to its newest line.
    const times = first.map(tenths);
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.ok(await page.$eval('#narration', (el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 32), 'scrolled to the bottom');
    await page.locator('#narration').screenshot({ path: path.join(ARTIFACTS, 'narration-window.png') });

    // Keyboard: focus the button, Enter draws up to STEP earlier lines.
    await more.focus();
    await page.keyboard.press('Enter');
    const grown = WINDOW + Math.min(STEP, k0);
    await page.waitForFunction((n) => document.querySelectorAll('#narration > li.narr-line, #narration > li.narr-cmd').length === n,
      grown, { timeout: 5_000 });
    assert.equal(await hidden(page), k0 - Math.min(STEP, k0));
    // The mouse does the same, until every line is drawn.
    while (await more.count() > 0) {
      const before = (await drawn(page)).length;
      await more.click();
      await page.waitForFunction((n) => document.querySelectorAll('#narration > li.narr-line, #narration > li.narr-cmd').length > n,
        before, { timeout: 5_000 });
    }
    const all = await drawn(page);
    assert.equal(all.length, WINDOW + k0, 'every kept line is drawn');
    assert.deepEqual(all.slice(-WINDOW), first, 'the earlier lines come above the ones drawn before');
    assert.equal(tenths(all[0]), 0, `the oldest boot line is drawn: ${all[0]}`);
    assert.ok(tenths(all[0]) <= tenths(first[0]));
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'narration', 'the focus goes to the list, not the page');

    // A filter change draws the newest WINDOW lines again (of that filter, then of all).
    await page.selectOption('#narr-filter', 'kubelet');
    await page.waitForFunction(() => [...document.querySelectorAll('#narration .narr-line')].every((e) => e.getAttribute('data-comp') === 'kubelet'),
      null, { timeout: 5_000 });
    assert.ok((await drawn(page)).length <= WINDOW);
    await page.selectOption('#narr-filter', '');
    await page.waitForFunction((n) => document.querySelectorAll('#narration > li.narr-line, #narration > li.narr-cmd').length === n,
      WINDOW, { timeout: 5_000 });
    assert.equal(await hidden(page), k0);

    // A command: its marker and its decisions arrive at the bottom; the window stays WINDOW lines
    // and the list stays scrolled to its newest line.
    await page.locator('#play').click();
    await deployWebAndWait(page, 2);
    await pause(page);
    const after = await drawn(page);
    assert.equal(after.length, WINDOW);
    assert.ok(await hidden(page) > k0, 'the older lines are hidden, not dropped from the page\'s log');
    const cmd = after.findIndex((l) => l.includes('you ran') && l.includes('kubectl create deployment web'));
    assert.ok(cmd >= 0, `the command's marker is drawn: ${after.join('\n')}`);
    assert.ok(after.slice(cmd + 1).some((l) => /default-scheduler: .*web-/.test(l)), 'its decisions follow it');
    assert.ok(await page.$eval('#narration > li:last-child', (el) => el.classList.contains('narr-line')));
    assert.ok(await page.$eval('#narration > li:last-child', (el) => el.classList.contains('fresh') && getComputedStyle(el).animationName === 'narr-in'),
      'a decision made since the page was drawn flashes in');
    assert.ok(await flashing(page) <= 8, 'only the newest few');
    assert.ok(await page.$eval('#narration', (el) => el.scrollTop + el.clientHeight >= el.scrollHeight - 32), 'still scrolled to the bottom');

    // Reset (a new session): the window is WINDOW lines again.
    await page.locator('#narr-more').click();
    await page.waitForFunction((n) => document.querySelectorAll('#narration > li.narr-line, #narration > li.narr-cmd').length > n,
      WINDOW, { timeout: 5_000 });
    page.once('dialog', (d) => d.accept());
    await page.locator('button[title="Start over with a fresh cluster"]').click();
    await page.waitForFunction(() => document.querySelectorAll('#narration > li.narr-cmd').length === 0, null, { timeout: 10_000 });
    await page.locator('#narr-more').waitFor({ timeout: 30_000 });
    assert.ok((await drawn(page)).length <= WINDOW, 'the window is back to its size after Reset');
    assert.equal(await oldestIsFresh(page), false, 'a new session\'s first lines are history too');
  });
});

test('keyboard: the narration is one Tab stop; the arrows move between the objects it names; Enter inspects', { timeout: 120_000 }, async () => {
  await withPage(browser(), 'narration-keyboard', async (page) => {
    await deployWebAndWait(page, 2);
    await pause(page);
    const focused = () => page.evaluate(() => {
      const e = document.activeElement;
      return { id: e?.id ?? '', cls: e?.className ?? '', name: e?.getAttribute('data-inspect-name') ?? '' };
    });
    // From the filter, Tab reaches the list, then the button atop it (#narr-more), then leaves
    // it: no stop for each of the dozens of object names in its lines.
    await page.locator('#narr-filter').focus();
    await page.keyboard.press('Tab');
    assert.equal((await focused()).id, 'narration', 'the list takes the focus');
    await page.keyboard.press('Tab');
    assert.equal((await focused()).id, 'narr-more');
    await page.keyboard.press('Tab');
    assert.equal((await focused()).id, 'play', 'the next stop is the timeline');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    assert.equal((await focused()).id, 'narration');

    // Up: the newest object named; Up again: the one before it; Down: back.
    const names = await page.$$eval('#narration .narr-obj', (els) => els.map((e) => e.getAttribute('data-inspect-name')));
    assert.ok(names.length >= 3, `objects named: ${names}`);
    await page.keyboard.press('ArrowUp');
    let f = await focused();
    assert.match(f.cls, /narr-obj/);
    assert.equal(f.name, names[names.length - 1]);
    await page.keyboard.press('ArrowUp');
    assert.equal((await focused()).name, names[names.length - 2]);
    await page.keyboard.press('ArrowDown');
    f = await focused();
    assert.equal(f.name, names[names.length - 1]);
    assert.equal(await page.locator('#play.is-paused').count(), 1, 'the arrows did not touch the timeline');
    await page.locator('.narration').screenshot({ path: path.join(ARTIFACTS, 'narration-keyboard.png') });

    // Enter inspects it.
    await page.keyboard.press('Enter');
    await page.locator('.inspector').waitFor({ state: 'visible', timeout: 5_000 });
    await page.waitForFunction((name) => document.querySelector('.inspector')?.textContent.includes(name), f.name, { timeout: 5_000 });
  });
});
