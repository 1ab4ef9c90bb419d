// End-to-end: "Show goal" (UX §6) on the release build in headless Chromium.
// Open "first-deployment" at step 1 by deep link: the live cluster has no workload pods yet.
// Press #lesson-show-goal: #goal-view[data-goal-view="true"] draws the cluster as the goal wants it
// (a kubernetes-bootcamp pod Running on a worker), computed on a copy of the session — the live
// view, the terminal, the timeline and the step are unchanged. Its chips are not inspectable.
// Escape hides it and gives focus back to the button; the button toggles it too. Then solving the
// step while it is shown moves it on to step 2 (a reading step: "changes nothing").
// Screenshot: target/e2e/show-goal.png (1440×900).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, serveDist, openPage, describeProblems, typeCommand, sharedBrowser, showAllNarration,
} from './lib.mjs';

const browser = sharedBrowser();

/** Pod chips of the live cluster view (not the goal's). */
const livePods = (page) => page.locator('.view-pane > section.cluster .pod[data-pod]');
const goalPods = (page) => page.locator('#goal-view .pod[data-pod]');

test('Show goal draws the step\'s goal state beside the live cluster, without touching it', async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await openPage(browser());
  await page.setViewportSize({ width: 1440, height: 900 });
  try {
    await page.goto(`${server.url}?lesson=first-deployment&step=1`, { waitUntil: 'load' });
    await page.locator('#lesson-panel[data-lesson-id="first-deployment"][data-view="lesson"]').waitFor({ timeout: 30_000 });
    await page.locator('#lesson-steps > li.step[data-step="1"][data-step-current="true"]').waitFor();
    assert.equal(await page.locator('#goal-view').count(), 0, 'no goal view before asking');
    assert.equal(await livePods(page).count(), 0, 'the live cluster has no workload pods yet');
    const clockBefore = await page.textContent('.clock-time');
    const outputBefore = await page.textContent('#term-output');

    const btn = page.locator('#lesson-show-goal');
    assert.equal((await btn.textContent()).trim(), 'Show goal');
    assert.equal(await btn.getAttribute('aria-pressed'), 'false');
    await btn.click();

    const goal = page.locator('#goal-view[data-goal-view="true"]');
    await goal.waitFor({ timeout: 10_000 });
    assert.equal(await goal.getAttribute('data-goal-step'), '1');
    assert.equal(await goal.getAttribute('data-goal-met'), 'true');
    assert.match(await goal.textContent(), /What the cluster should look like/);
    await goalPods(page).first().waitFor({ timeout: 5_000 });
    const chips = await goalPods(page).evaluateAll((els) => els.map((el) => ({
      pod: el.getAttribute('data-pod'), status: el.getAttribute('data-status'), node: el.getAttribute('data-node'),
    })));
    assert.equal(chips.length, 1, JSON.stringify(chips));
    assert.match(chips[0].pod, /^kubernetes-bootcamp-/);
    assert.equal(chips[0].status, 'Running');
    assert.match(chips[0].node, /^kind-worker/);
    assert.equal((await btn.textContent()).trim(), 'Hide goal');
    assert.equal(await btn.getAttribute('aria-pressed'), 'true');

    // The real session is untouched: no live pods, same step, same clock, nothing typed.
    assert.equal(await livePods(page).count(), 0, 'the live view still has no pods');
    assert.equal(await page.locator('#lesson-steps > li.step[data-step="1"][data-step-current="true"][data-step-done="false"]').count(), 1);
    assert.equal(await page.textContent('.clock-time'), clockBefore, 'virtual time did not move (the lesson starts paused)');
    assert.equal(await page.textContent('#term-output'), outputBefore, 'nothing was typed into the terminal');
    await showAllNarration(page);
    assert.doesNotMatch(await page.textContent('#narration'), /kubernetes-bootcamp/, 'the live narration knows nothing of it');
    // The goal frame is visibly different from the live view: dashed.
    assert.equal(await goal.evaluate((el) => getComputedStyle(el).borderTopStyle), 'dashed');

    await page.screenshot({ path: path.join(ARTIFACTS, 'show-goal.png') });

    // Its chips are a picture: clicking one opens no inspector.
    await goalPods(page).first().click();
    await page.waitForTimeout(200);
    assert.equal(await page.locator('#inspector').count(), 0, 'a goal chip is not inspectable');

    // Escape hides it; focus goes back to the button.
    await page.keyboard.press('Escape');
    await goal.waitFor({ state: 'detached', timeout: 5_000 });
    assert.equal((await btn.textContent()).trim(), 'Show goal');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'lesson-show-goal');

    // The same button shows and hides it.
    await btn.click();
    await goal.waitFor({ timeout: 10_000 });
    await btn.click();
    await goal.waitFor({ state: 'detached', timeout: 5_000 });

    // Shown while the learner solves the step: it follows them to step 2, a reading step.
    await btn.click();
    await goal.waitFor({ timeout: 10_000 });
    const label = await page.getAttribute('#play', 'aria-label');
    if ((label ?? '').startsWith('Play')) await page.click('#play');
    await typeCommand(page, 'kubectl create deployment kubernetes-bootcamp --image=gcr.io/google-samples/kubernetes-bootcamp:v1');
    await page.locator('#lesson-steps > li.step[data-step="1"][data-step-done="true"]').waitFor({ timeout: 60_000 });
    await page.locator('#goal-view[data-goal-step="2"]').waitFor({ timeout: 5_000 });
    assert.match(await page.textContent('#goal-view'), /changes nothing in the cluster/);
    assert.equal(await livePods(page).count(), 1, 'now the live view has the pod too');

    assert.deepEqual(problems.pageErrors, [], `uncaught page errors:\n${describeProblems(problems)}`);
    assert.deepEqual(problems.failedRequests, [], `failed requests:\n${describeProblems(problems)}`);
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, 'show-goal-FAILED.png'), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await context.close();
    await server.close();
  }
});
