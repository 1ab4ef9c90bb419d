// End-to-end: the lesson panel on the release build in headless Chromium.
//  1. Served from a sub-path (/kubeplay/): open "first-deployment" by deep link, complete it by
//     typing each step's solution (read from static/lessons/first-deployment.yaml) into #term-input,
//     and see each step tick (`li.step[data-step=N][data-step-done="true"]`) and the live region
//     announce it. Reload half-way: the progress survives and the lesson resumes at its step.
//     Reload at the end: still complete, and the map shows the lesson done.
//  2. Served from /: `?lesson=first-deployment&step=3` opens at step 3 with steps 1 and 2 ticked;
//     the `#` form works too; a hint is revealed with the keyboard.
// Screenshots of the panel at 1440×900 and 1920×1080 go to target/e2e/.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ROOT, ARTIFACTS, serveDist, openPage, setSpeedUpTo, describeProblems, sharedBrowser, waitForApp,
} from './lib.mjs';

const LESSON = 'first-deployment';

/**
 * The `solution` of every step of a lesson file: a block list (`- cmd`) or a flow list
 * (`[a, b]`), items plain or quoted. Enough YAML for the solutions this test types.
 */
function readSolutions(file) {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const unquote = (s) => {
    s = s.trim();
    if ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'"))) return s.slice(1, -1);
    return s;
  };
  const steps = [];
  let inSteps = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^steps:\s*$/.test(line)) { inSteps = true; continue; }
    if (inSteps && /^\S/.test(line)) break;
    if (!inSteps) continue;
    if (/^  - title:/.test(line)) steps.push([]);
    const m = line.match(/^(\s+)solution:\s*(.*)$/);
    if (!m) continue;
    const rest = m[2].trim();
    if (rest.startsWith('[')) {
      steps[steps.length - 1].push(...rest.slice(1, rest.lastIndexOf(']')).split(',').map(unquote).filter(Boolean));
    } else {
      for (let j = i + 1; j < lines.length; j++) {
        const item = lines[j].match(/^\s+- (.*)$/);
        if (!item || lines[j].search(/\S/) < m[1].length) break;
        steps[steps.length - 1].push(unquote(item[1]));
      }
    }
  }
  return steps;
}

const SOLUTIONS = readSolutions(path.join(ROOT, 'static', 'lessons', `${LESSON}.yaml`));

const browser = sharedBrowser();

async function withPage(name, prefix, fn) {
  const server = await serveDist(prefix);
  const { context, page, problems } = await openPage(browser());
  await page.setViewportSize({ width: 1440, height: 900 });
  try {
    await fn(page, server.url, problems);
    assert.deepEqual(problems.pageErrors, [], `uncaught page errors:\n${describeProblems(problems)}`);
    assert.deepEqual(problems.failedRequests, [], `failed requests:\n${describeProblems(problems)}`);
    assert.deepEqual(server.misses, [], `requests outside ${prefix}: ${server.misses.join(', ')}`);
  } catch (e) {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}-FAILED.png`), fullPage: true }).catch(() => {});
    throw e;
  } finally {
    await context.close();
    await server.close();
  }
}

async function waitLesson(page) {
  await waitForApp(page);
  await page.locator(`#lesson-panel[data-lesson-id="${LESSON}"][data-view="lesson"]`).waitFor({ timeout: 30_000 });
}

const stepStates = (page) => page.$$eval('#lesson-steps > li.step', (els) => els.map((el) => ({
  n: Number(el.getAttribute('data-step')),
  done: el.getAttribute('data-step-done') === 'true',
  current: el.getAttribute('data-step-current') === 'true',
})));

async function ensurePlaying(page) {
  const label = await page.getAttribute('#play', 'aria-label');
  if ((label ?? '').startsWith('Play')) await page.click('#play');
}

/** Types a line into the prompt once it is free (a waiting command disables it), then Enter. */
async function typeWhenFree(page, line) {
  const input = page.locator('#term-input:not([disabled])');
  await input.waitFor({ state: 'visible', timeout: 60_000 });
  await input.click();
  await input.fill(line);
  await input.press('Enter');
}

async function doStep(page, i) {
  const n = i + 1;
  const states = await stepStates(page);
  assert.equal(states.find((s) => s.current)?.n, n, `step ${n} should be current: ${JSON.stringify(states)}`);
  for (const line of SOLUTIONS[i]) await typeWhenFree(page, line);
  await page.locator(`#lesson-steps > li.step[data-step="${n}"][data-step-done="true"]`).waitFor({ timeout: 60_000 });
  await page.waitForFunction((k) => (document.querySelector('#lesson-status')?.textContent ?? '').includes(`Step ${k} done`), n, { timeout: 5_000 });
}

test(`complete ${LESSON} by typing, from a sub-path; progress survives reloads`, async () => {
  assert.equal(SOLUTIONS.length, 4, `solutions read from the lesson file: ${JSON.stringify(SOLUTIONS)}`);
  await withPage('lesson-subpath', '/kubeplay/', async (page, url) => {
    await page.goto(`${url}?lesson=${LESSON}&step=1`, { waitUntil: 'load' });
    await waitLesson(page);
    assert.equal((await stepStates(page)).length, SOLUTIONS.length, 'one list item per step in the lesson file');
    assert.equal(await page.locator('#lesson-goal').getAttribute('data-goal-met'), 'false');
    await ensurePlaying(page);
    await setSpeedUpTo(page, 10);

    await doStep(page, 0);
    // The 1440×900 screenshot: step 2 current, a hint revealed.
    await page.click('#lesson-hint');
    await page.locator('.lesson-hint').first().waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'lesson-1440x900.png') });
    await page.setViewportSize({ width: 1920, height: 1080 });
    await page.waitForTimeout(300);
    await page.screenshot({ path: path.join(ARTIFACTS, 'lesson-1920x1080.png') });
    await page.setViewportSize({ width: 1440, height: 900 });
    await doStep(page, 1);

    // Reload half-way: the saved inputs replay, steps 1 and 2 are ticked, step 3 is current.
    assert.match(page.url(), /\/kubeplay\/\?lesson=first-deployment&step=3$/);
    await page.reload({ waitUntil: 'load' });
    await waitLesson(page);
    await page.waitForFunction(() => document.querySelectorAll('#lesson-steps > li.step[data-step-done="true"]').length === 2, null, { timeout: 15_000 });
    let states = await stepStates(page);
    assert.deepEqual(states.map((s) => [s.done, s.current]), [[true, false], [true, false], [false, true], [false, false]]);
    assert.equal(await page.locator('.pod[data-pod^="kubernetes-bootcamp-"]').count(), 1, 'the replayed cluster has the pod');
    await ensurePlaying(page);

    await doStep(page, 2);
    await doStep(page, 3);
    await page.locator('#lesson-panel[data-lesson-complete="true"]').waitFor({ timeout: 5_000 });
    assert.match(await page.textContent('#lesson-status'), /Lesson complete/);

    // Reload at the end: still complete; the map ticks the lesson.
    await page.reload({ waitUntil: 'load' });
    await waitLesson(page);
    await page.locator('#lesson-panel[data-lesson-complete="true"]').waitFor({ timeout: 15_000 });
    states = await stepStates(page);
    assert.ok(states.every((s) => s.done), `all steps done after reload: ${JSON.stringify(states)}`);
    await page.click('#lesson-map-btn');
    await page.locator(`.lesson-tile[data-lesson-id="${LESSON}"][data-lesson-done="true"]`).waitFor({ timeout: 5_000 });
  });
});

test('deep link to a step (query and # forms), keyboard hints', async () => {
  await withPage('lesson-deeplink', '/', async (page, url) => {
    await page.goto(`${url}?lesson=${LESSON}&step=3`, { waitUntil: 'load' });
    await waitLesson(page);
    let states = await stepStates(page);
    assert.deepEqual(states.map((s) => [s.done, s.current]), [[true, false], [true, false], [false, true], [false, false]]);
    await page.locator('#lesson-goal[data-goal-met="false"]').waitFor();

    // Keyboard: Tab to the hint button and press Enter; the hint appears and is announced.
    await page.focus('#lesson-hint');
    await page.keyboard.press('Enter');
    await page.locator('.lesson-hint').first().waitFor();
    assert.match(await page.textContent('#lesson-status'), /^Hint 1:/);

    await page.goto(`${url}#lesson=${LESSON}&step=2`, { waitUntil: 'load' });
    await waitLesson(page);
    await page.waitForFunction(() => document.querySelector('#lesson-steps > li.step[data-step-current="true"]')?.getAttribute('data-step') === '2', null, { timeout: 15_000 });
    states = await stepStates(page);
    assert.deepEqual(states.map((s) => s.done), [true, false, false, false]);
  });
});

test('lesson files are fetched when a lesson opens, not with the page; a failed fetch says so', async () => {
  await withPage('lesson-fetch', '/kubeplay/', async (page, url, problems) => {
    const fetched = [];
    page.on('request', (r) => { if (r.url().includes('/lessons/')) fetched.push(new URL(r.url()).pathname); });
    await page.goto(url, { waitUntil: 'load' });
    await waitForApp(page);
    await page.locator('.lesson-tile').first().waitFor();
    assert.ok(await page.locator('.lesson-tile').count() >= 20, 'the map is drawn from the build-time index');
    assert.deepEqual(fetched, [], 'no lesson file in the first load');

    // A file that cannot be had: the map says why, as text, and nothing else changes.
    await page.route('**/lessons/pod-phases.yaml', (r) => r.fulfill({ status: 503, body: 'down' }));
    await page.click('.lesson-tile[data-lesson-id="pod-phases"]');
    await page.waitForFunction(() => (document.querySelector('.lp-notice')?.textContent ?? '').includes('could not be loaded'));
    assert.match(await page.textContent('.lp-notice'), /The lesson “pod-phases” could not be loaded: HTTP 503 for lessons\/pod-phases\.yaml/);
    assert.equal(await page.getAttribute('#lesson-panel', 'data-view'), 'map');
    problems.failedRequests.length = 0; // the 503 above was the point

    // Opening a lesson fetches exactly its file, relative to the page, and opens it.
    await page.click(`.lesson-tile[data-lesson-id="${LESSON}"]`);
    await waitLesson(page);
    assert.deepEqual(fetched, ['/kubeplay/lessons/pod-phases.yaml', `/kubeplay/lessons/${LESSON}.yaml`]);
    // Back to the map and in again: the file is not fetched twice.
    await page.click('#lesson-map-btn');
    await page.click(`.lesson-tile[data-lesson-id="${LESSON}"]`);
    await waitLesson(page);
    assert.equal(fetched.length, 2);
  });
});
