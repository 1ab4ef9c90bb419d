// End-to-end: share links, presenter and embed modes, the phone layout, and hostile text.
//  1. A session (served from a sub-path) with a deployment, a hostile annotation, label and echo is
//     shared; the link, opened in a fresh browser context, shows the same pods (names, phases,
//     nodes), the same commands and outputs, the same virtual time; the hostile text is visible as
//     text and no element was injected. The "from the start" link opens at the first moment.
//  2. Garbled, hostile and oversized fragments show an error as text, and a fresh cluster.
//  3. A lesson deep link composes with a share link: the same lesson at the same step.
//  4. Presenter mode (?presenter=1) at 1920×1080: no top bar, large type, and its keys (Space,
//     ], [, →/PageDown, ?, P) work.
//  5. Embed mode (?embed=1): the bar, a working terminal, no local-storage writes, no focus taken.
//  6. Phone (390×844): nothing wider than the screen. Screenshots of each state go to target/e2e/.
//  7. Accessibility: names and labels, unique ids, the live logs, landmarks, modal dialogs reached
//     and left by keyboard with the focus returned, status in words on every chip, reduced motion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, serveDist, openPage, typeCommand, waitForOutput, setSpeedUpTo, describeProblems,
  sharedBrowser, deployWebAndWait, waitForApp,
} from './lib.mjs';

const HOSTILE = '<img src=x onerror=window.__xss=1>';
const browser = sharedBrowser();

/** Opens `url` in a fresh context (empty local storage) of the given size and waits for the prompt. */
async function open(url, { width = 1280, height = 800, colorScheme = 'light' } = {}) {
  const { context, page, problems } = await openPage(browser());
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ colorScheme });
  await page.goto(url, { waitUntil: 'load' });
  await waitForApp(page, 60_000);
  return { context, page, problems };
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** What the page shows: pods (kube-system left out), the terminal, the virtual time. */
async function state(page) {
  return page.evaluate(() => ({
    pods: [...document.querySelectorAll('.pod[data-pod]')]
      .filter((el) => el.getAttribute('data-ns') !== 'kube-system' && !el.classList.contains('ghost'))
      .map((el) => [el.getAttribute('data-pod'), el.getAttribute('data-status'), el.getAttribute('data-node')].join(' '))
      .sort(),
    commands: [...document.querySelectorAll('#term-output .block:not(.local) .cmd')].map((el) => el.textContent),
    stdout: [...document.querySelectorAll('#term-output .block:not(.local)')].map((b) =>
      [...b.querySelectorAll('pre')].map((p) => p.textContent).join('\n')),
    now: document.querySelector('#scrub')?.getAttribute('max'),
  }));
}

async function noInjection(page) {
  const injected = await page.evaluate(() => ({
    imgs: document.querySelectorAll('img').length,
    xss: window.__xss ?? null,
  }));
  assert.deepEqual(injected, { imgs: 0, xss: null }, 'hostile text became markup');
}

async function pause(page) {
  if (!(await page.locator('#play.is-paused').count())) await page.locator('#play').click();
  await page.locator('#play.is-paused').waitFor({ timeout: 5_000 });
}

test('share: a link replays the same session in a fresh page, hostile text stays text', { timeout: 240_000 }, async () => {
  const server = await serveDist('/sub/kubeplay/');
  const a = await open(server.url);
  let b;
  try {
    const { page } = a;
    await deployWebAndWait(page, 3);
    await typeCommand(page, `kubectl annotate deployment web note='${HOSTILE}'`);
    await waitForOutput(page, 'deployment.apps/web annotated');
    await typeCommand(page, `kubectl label deployment web evil='${HOSTILE}'`);
    await waitForOutput(page, 'error');
    await typeCommand(page, `echo '${HOSTILE}'`);
    await waitForOutput(page, HOSTILE);
    await typeCommand(page, 'kubectl scale deployment web --replicas=4');
    await waitForOutput(page, 'deployment.apps/web scaled');
    await page.waitForTimeout(1_500);
    await pause(page);
    await noInjection(page);
    const before = await state(page);
    assert.ok(before.pods.length >= 4, JSON.stringify(before));
    await shot(page, 'desktop-main');
    // 1280×800 with the lesson panel open: the three nodes fit, the cluster view does not scroll sideways.
    assert.equal(await page.locator('#lesson-panel').isVisible(), true, 'the lesson panel is open');
    const sideways = await page.$eval('.cluster', (el) => el.scrollWidth - el.clientWidth);
    assert.ok(sideways <= 1, `the cluster view scrolls sideways by ${sideways}px at 1280×800`);

    await page.locator('#share-btn').click();
    await page.locator('#share-dialog').waitFor({ state: 'visible' });
    const url = await page.locator('#share-url').inputValue();
    assert.ok(url.startsWith(`${server.url}#v=1&`), `share link ${url} is not under ${server.url}`);
    assert.match(url.slice(url.indexOf('#')), /^#[A-Za-z0-9=&_-]+$/, 'fragment is not URL-safe');
    await shot(page, 'desktop-share-dialog');
    await page.keyboard.press('Escape');
    await page.locator('#share-dialog').waitFor({ state: 'detached' });

    b = await open(url);
    // The note first says the session is loading (while the module's rest arrives), then what was replayed.
    await b.page.locator('#share-note', { hasText: 'Replayed a shared session' }).waitFor({ timeout: 60_000 });
    assert.match(await b.page.locator('#share-note').textContent(), /Replayed a shared session: 5 commands/);
    await b.page.locator('#play.is-paused').waitFor();
    const after = await state(b.page);
    assert.deepEqual(after, before, 'the shared page shows a different state');
    await noInjection(b.page);
    // The hostile annotation, in the inspector's YAML, as text.
    await b.page.locator('[data-inspect-kind="Deployment"][data-inspect-name="web"]').first().click();
    await b.page.locator('#inspector').waitFor();
    const yaml = await b.page.locator('#inspector').textContent();
    assert.ok(yaml.includes(HOSTILE), `annotation not shown as text:\n${yaml}`);
    await noInjection(b.page);
    await shot(b.page, 'desktop-shared-replayed');

    // "From the start": the same session, shown at its first moment, ready to play back.
    await page.locator('#share-btn').click();
    await page.locator('#share-from-start').check();
    const startUrl = await page.locator('#share-url').inputValue();
    assert.ok(startUrl.endsWith('&start=1'), startUrl);
    await page.keyboard.press('Escape');
    const c = await open(startUrl);
    try {
      await c.page.locator('.app.viewing-past').waitFor({ timeout: 60_000 });
      assert.match(await c.page.locator('#share-note').textContent(), /first moment/);
      assert.equal(await c.page.locator('.pod[data-pod^="web-"]').count(), 0, 'pods drawn at the start');
      await c.page.locator('#live').click();
      await c.page.locator('.app.viewing-past').waitFor({ state: 'detached' });
      assert.deepEqual((await state(c.page)).pods, before.pods);
    } finally {
      await c.context.close();
    }
    assert.deepEqual(a.problems.pageErrors, [], describeProblems(a.problems));
    assert.deepEqual(b.problems.pageErrors, [], describeProblems(b.problems));
    assert.deepEqual(server.misses, [], `requests outside the sub-path: ${server.misses}`);
  } finally {
    await a.context.close();
    await b?.context.close();
    await server.close();
  }
});

test('share: garbled, hostile and huge links show an error as text', { timeout: 120_000 }, async () => {
  const server = await serveDist('/');
  const cases = [
    ['#v=1&in=!!!not-base64', /garbled/],
    [`#v=1&lesson=${encodeURIComponent(HOSTILE)}&t=0&in=`, /no valid lesson/],
    [`#v=1&in=${'A'.repeat(70_000)}`, /too long/],
    ['#v=7&in=AAAA', /version/],
  ];
  try {
    for (const [frag, want] of cases) {
      const { context, page, problems } = await open(server.url + frag);
      try {
        const err = page.locator('#share-error');
        await err.waitFor({ timeout: 30_000 });
        const text = await err.textContent();
        assert.match(text, want, `${frag.slice(0, 60)}: ${text}`);
        if (frag.includes('lesson=')) assert.ok(text.includes('<img src=x'), text);
        await noInjection(page);
        // A fresh cluster is there to use.
        await typeCommand(page, 'kubectl get nodes');
        await waitForOutput(page, 'kind-control-plane');
        assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
        if (frag.includes('lesson=')) await shot(page, 'desktop-share-error');
      } finally {
        await context.close();
      }
    }
  } finally {
    await server.close();
  }
});

test('share: a lesson deep link composes with a share link', { timeout: 180_000 }, async () => {
  const server = await serveDist('/');
  const a = await open(`${server.url}?lesson=first-deployment&step=2`);
  let b;
  try {
    const panel = a.page.locator('#lesson-panel[data-lesson-id="first-deployment"]');
    await panel.waitFor({ timeout: 60_000 });
    const current = (p) => p.evaluate(() =>
      document.querySelector('#lesson-steps > li.step[data-step-current="true"]')?.getAttribute('data-step'));
    assert.equal(await current(a.page), '2');
    await pause(a.page);
    const before = await state(a.page);
    await a.page.locator('#share-btn').click();
    const url = await a.page.locator('#share-url').inputValue();
    assert.match(url, /#v=1&lesson=first-deployment&step=2&/);
    b = await open(url);
    await b.page.locator('#lesson-panel[data-lesson-id="first-deployment"]').waitFor({ timeout: 60_000 });
    await b.page.locator('#share-note', { hasText: 'Replayed a shared session' }).waitFor({ timeout: 60_000 });
    assert.equal(await current(b.page), '2');
    assert.deepEqual(await state(b.page), before);
  } finally {
    await a.context.close();
    await b?.context.close();
    await server.close();
  }
});

test('presenter mode at 1920x1080: large type, no chrome, keys work', { timeout: 180_000 }, async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await open(`${server.url}?presenter=1`, { width: 1920, height: 1080 });
  try {
    await page.locator('.app.presenter').waitFor();
    assert.equal(await page.locator('header.topbar').count(), 0, 'the top bar is shown in presenter mode');
    await setSpeedUpTo(page, 10);
    await typeCommand(page, 'kubectl create deployment web --image=nginx --replicas=4');
    await waitForOutput(page, 'deployment.apps/web created');
    await page.waitForFunction(
      () => document.querySelectorAll('.pod[data-status="Running"][data-pod^="web-"]').length >= 4,
      null, { timeout: 60_000, polling: 100 },
    );
    // Readable from the back of the room: terminal text ≥ 24 px, chip labels ≥ 18 px on screen.
    const sizes = await page.evaluate(() => {
      const h = (sel) => {
        const el = document.querySelector(sel);
        const r = document.createRange();
        r.selectNodeContents(el);
        return r.getBoundingClientRect().height;
      };
      return { term: h('#term-output .cmd'), chip: h('.pod[data-pod^="web-"] .pod-status'), narr: h('.narr-line:last-child .msg') };
    });
    assert.ok(sizes.term >= 24 && sizes.chip >= 18 && sizes.narr >= 20, JSON.stringify(sizes));

    await page.locator('#term-input').press('Escape');
    await page.keyboard.press('Space');
    await page.locator('#play.is-paused').waitFor({ timeout: 5_000 });
    const speed = () => page.locator('#speed').inputValue();
    const s0 = await speed();
    await page.keyboard.press(']');
    await page.waitForFunction((s) => document.querySelector('#speed').value !== s, s0);
    const s1 = await speed();
    assert.ok(Number(s1) > Number(s0), `${s0} -> ${s1}`);
    await page.keyboard.press('[');
    await page.waitForFunction((s) => document.querySelector('#speed').value === s, s0);
    // Step: a paused clock moves only by stepping (→ and the clicker's PageDown).
    const now = () => page.evaluate(() => Number(document.querySelector('#scrub').getAttribute('max')));
    const t0 = await now();
    await page.waitForTimeout(400);
    assert.equal(await now(), t0, 'time moved while paused');
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction((t) => Number(document.querySelector('#scrub').getAttribute('max')) > t, t0);
    const t1 = await now();
    await page.keyboard.press('PageDown');
    await page.waitForFunction((t) => Number(document.querySelector('#scrub').getAttribute('max')) > t, t1);
    await shot(page, 'projector-presenter');
    await page.keyboard.press('?');
    await page.locator('#help-dialog').waitFor({ state: 'visible' });
    assert.match(await page.locator('#help-dialog').textContent(), /PageDown/);
    await shot(page, 'projector-help');
    await page.keyboard.press('Escape');
    await page.locator('#help-dialog').waitFor({ state: 'detached' });
    await page.keyboard.press('h');
    await page.locator('.app.hide-term').waitFor();
    assert.equal(await page.locator('.term-pane').isVisible(), false);
    await page.keyboard.press('h');
    await page.keyboard.press('b');
    await page.locator('.blank-screen').waitFor();
    await page.keyboard.press('b');
    await page.locator('.blank-screen').waitFor({ state: 'detached' });
    await page.keyboard.press('p');
    await page.locator('header.topbar').waitFor();
    assert.equal(await page.locator('.app.presenter').count(), 0);
    assert.ok(!(await page.evaluate(() => location.search)).includes('presenter'));
    await page.locator('#presenter-toggle').click();
    await page.locator('.app.presenter').waitFor();
    assert.match(await page.evaluate(() => location.search), /presenter=1/);
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
  } finally {
    await context.close();
    await server.close();
  }
});

test('embed mode: minimal chrome, a working terminal, no storage, no focus taken', { timeout: 120_000 }, async () => {
  const server = await serveDist('/');
  const { context, page, problems } = await open(`${server.url}?embed=1`, { width: 800, height: 500 });
  try {
    await page.locator('.app.embed .embed-bar').waitFor();
    await page.waitForTimeout(500);
    assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'BODY');
    assert.equal(await page.locator('header.topbar').count(), 0);
    assert.equal(await page.locator('#lesson-panel').isVisible(), false);
    await typeCommand(page, 'kubectl create deployment web --image=nginx --replicas=2');
    await waitForOutput(page, 'deployment.apps/web created');
    await page.locator('.pod[data-pod^="web-"]').first().waitFor({ timeout: 30_000 });
    const href = await page.locator('#embed-open').getAttribute('href');
    assert.match(href, /^\/#v=1&/);
    const keys = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('kubeplay')));
    assert.deepEqual(keys, [], 'an embed wrote local storage');
    await shot(page, 'embed');
    assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
    // `&readonly=1`: the same, with the terminal turned off.
    await page.goto(`${server.url}?embed=1&readonly=1`);
    await page.locator('.app.embed .embed-bar').waitFor();
    assert.equal(await page.locator('#term-input').isDisabled(), true);
  } finally {
    await context.close();
    await server.close();
  }
});

test('phone 390x844 and dark desktop: nothing wider than the screen', { timeout: 150_000 }, async () => {
  const server = await serveDist('/');
  try {
    const { context, page, problems } = await open(server.url, { width: 390, height: 844 });
    try {
      await setSpeedUpTo(page, 10);
      await typeCommand(page, 'kubectl create deployment web --image=nginx --replicas=3');
      await page.waitForFunction(
        () => document.querySelectorAll('.pod[data-status="Running"][data-pod^="web-"]').length >= 3,
        null, { timeout: 60_000, polling: 100 },
      );
      await page.evaluate(() => window.scrollTo(0, 0));
      const wide = await page.evaluate(() => {
        const w = document.documentElement.clientWidth;
        return {
          page: document.documentElement.scrollWidth,
          w,
          over: [...document.querySelectorAll('button, .chip, .owner-head, .node-head, h2')]
            .filter((el) => el.offsetParent !== null)
            .map((el) => [el.id || el.className, Math.round(el.getBoundingClientRect().right)])
            .filter(([, r]) => r > w + 1),
        };
      });
      assert.ok(wide.page <= wide.w, `page scrolls sideways: ${JSON.stringify(wide)}`);
      assert.deepEqual(wide.over, [], `cut off at the right edge: ${JSON.stringify(wide.over)}`);
      await shot(page, 'phone-top');
      await page.locator('.cluster').scrollIntoViewIfNeeded();
      await shot(page, 'phone-cluster');
      await page.locator('#share-btn').click();
      await page.locator('#share-dialog').waitFor({ state: 'visible' });
      await shot(page, 'phone-share');
      assert.deepEqual(problems.pageErrors, [], describeProblems(problems));
    } finally {
      await context.close();
    }
    const dark = await open(`${server.url}?lesson=first-deployment`, { colorScheme: 'dark' });
    try {
      await dark.page.locator('#lesson-panel[data-lesson-id="first-deployment"]').waitFor({ timeout: 60_000 });
      await typeCommand(dark.page, 'kubectl get nodes');
      await waitForOutput(dark.page, 'kind-worker');
      await shot(dark.page, 'desktop-dark-lesson');
    } finally {
      await dark.context.close();
    }
  } finally {
    await server.close();
  }
});

test('accessibility: every control has a name, every field a label, ids are unique', { timeout: 90_000 }, async () => {
  const server = await serveDist('/');
  const { context, page } = await open(server.url);
  try {
    await typeCommand(page, 'kubectl create deployment web --image=nginx --replicas=2');
    await page.locator('.pod[data-pod^="web-"]').first().waitFor({ timeout: 30_000 });
    await page.locator('#help-btn').click();
    await page.locator('#help-dialog').waitFor({ state: 'visible' });
    const report = await page.evaluate(() => {
      const name = (el) => (el.getAttribute('aria-label') || el.textContent || el.getAttribute('title') || '').trim();
      const unnamed = [...document.querySelectorAll('button, [role="button"], a[href]')].filter((el) => !name(el))
        .map((el) => el.outerHTML.slice(0, 80));
      const unlabeled = [...document.querySelectorAll('input, textarea, select')].filter((el) =>
        !el.getAttribute('aria-label') && !(el.id && document.querySelector(`label[for="${el.id}"]`)) && !el.closest('label'))
        .map((el) => el.outerHTML.slice(0, 80));
      const ids = [...document.querySelectorAll('[id]')].map((el) => el.id);
      const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
      const logs = [...document.querySelectorAll('[role="log"]')].map((el) => el.id);
      const landmarks = ['header', 'nav', 'main', '#timeline'].filter((s) => !document.querySelector(s));
      return { unnamed, unlabeled, dup, logs, landmarks, modal: document.querySelector('dialog:modal')?.id ?? null };
    });
    assert.deepEqual(report, {
      unnamed: [], unlabeled: [], dup: [], logs: ['term-output', 'narration'], landmarks: [], modal: 'help-dialog',
    });
    // Keyboard only: the dialog closes with Escape and the page goes on with keys.
    await page.keyboard.press('Escape');
    await page.locator('#help-dialog').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'help-btn', 'focus not returned');
    await page.keyboard.press('Control+Space');
    await page.locator('#play.is-paused').waitFor({ timeout: 5_000 });
    // Shift+Tab (from the help button) reaches Share; Enter opens its dialog with the focus inside; Escape returns the focus.
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Shift+Tab');
      reached = await page.evaluate(() => document.activeElement?.id === 'share-btn');
    }
    assert.ok(reached, 'Tab never reached #share-btn');
    await page.keyboard.press('Enter');
    await page.locator('#share-dialog').waitFor({ state: 'visible' });
    assert.ok(await page.evaluate(() => document.querySelector('#share-dialog').contains(document.activeElement)),
      'focus is not in the share dialog');
    await page.keyboard.press('Escape');
    await page.locator('#share-dialog').waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'share-btn');
    // Colour is never the only signal: every chip says its status in words and has a glyph.
    const chips = await page.$$eval('.pod[data-status]', (els) => els.map((el) => ({
      status: el.getAttribute('data-status'),
      label: el.getAttribute('aria-label') ?? '',
      glyph: !!el.querySelector('.glyph'),
    })));
    assert.ok(chips.length > 0);
    for (const c of chips) assert.ok(c.glyph && c.label.includes(c.status), JSON.stringify(c));
    // Reduced motion: chips fade in place instead of growing, the spinner stops.
    await page.emulateMedia({ reducedMotion: 'reduce' });
    const anim = await page.$eval('.pod[data-status]', (el) => getComputedStyle(el).animationName);
    assert.equal(anim, 'pod-fade');
  } finally {
    await context.close();
    await server.close();
  }
});
