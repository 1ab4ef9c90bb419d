// End-to-end: what the cluster view draws beyond pods, on the release build in headless Chromium.
//  1. Finalizers are locks: a ConfigMap and a pod with `example.com/hold` show a shut lock; deleted,
//     they are Terminating and the lock says what it holds; when the finalizers are patched away
//     the lock opens and detaches, and the objects go.
//  2. A Service card lists the pods behind it, ready or not, and its load balancer's address.
//  3. A rolling update visibly steps: the old and new ReplicaSet rows trade pods, and intermediate
//     counts (both rows holding pods) are seen in the DOM.
// Screenshots go to target/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  ARTIFACTS, typeCommand, waitForOutput, setSpeedUpTo, sharedBrowser, withPage,
} from './lib.mjs';

const browser = sharedBrowser();

const until = (page, fn, arg, timeout = 30_000) => page.waitForFunction(fn, arg, { timeout, polling: 50 });

test('finalizers: locks hold Terminating objects and detach when the finalizers are removed', { timeout: 180_000 }, async () => {
  await withPage(browser(), 'finalizer-lock', async (page) => {
    await setSpeedUpTo(page, 10);
    await typeCommand(page, `kubectl apply -f - <<EOF
apiVersion: v1
kind: ConfigMap
metadata:
  name: hold
  finalizers:
  - example.com/hold
data:
  a: "1"
---
apiVersion: v1
kind: Pod
metadata:
  name: keeper
  finalizers:
  - example.com/hold
spec:
  containers:
  - name: nginx
    image: nginx
EOF`);
    await waitForOutput(page, 'configmap/hold created');
    await waitForOutput(page, 'pod/keeper created');
    const held = '.held[data-held-kind="ConfigMap"][data-held-name="hold"]';
    await until(page, (sel) => document.querySelector(`${sel} .lock[data-lock-state="held"]`) !== null, held);
    assert.match(await page.locator(held).textContent(), /finalizers: example\.com\/hold \(not being deleted\)/);
    await until(page, () => document.querySelector('.pod[data-pod="keeper"][data-status="Running"] .lock[data-lock-state="held"]') !== null);

    await typeCommand(page, 'kubectl delete configmap hold --wait=false');
    await waitForOutput(page, 'configmap "hold" deleted');
    await typeCommand(page, 'kubectl delete pod keeper --wait=false');
    await waitForOutput(page, 'pod "keeper" deleted');
    await until(page, (sel) => /Terminating · holding: example\.com\/hold/.test(document.querySelector(sel)?.textContent ?? ''), held);
    assert.ok(await page.locator(`${held}.terminating`).count() === 1, 'drawn Terminating (dotted)');
    await until(page, () => /holding: example\.com\/hold/.test(
      document.querySelector('.pod[data-pod="keeper"] .lock[data-lock-state="held"]')?.textContent ?? ''));
    // The pod's containers stop within its grace period; the finalizer still holds the object
    // (in a terminal phase, as the kubelet leaves a deleted pod).
    await page.waitForTimeout(4_000);
    assert.equal(await page.locator('.pod[data-pod="keeper"]').count(), 1, 'the finalizer keeps the pod');
    assert.equal(await page.locator(held).count(), 1, 'the finalizer keeps the ConfigMap');
    await page.screenshot({ path: path.join(ARTIFACTS, 'finalizer-held.png') });

    // Watch for the open locks from now on (they show for a moment only).
    await page.evaluate(() => {
      window.__released = [];
      const seen = () => {
        for (const el of document.querySelectorAll('.lock[data-lock-state="detached"]')) {
          const host = el.closest('[data-held-name], .chip');
          const name = host?.getAttribute('data-held-name') ?? host?.querySelector('.pod-name')?.textContent;
          const text = host?.textContent ?? '';
          if (!window.__released.some((r) => r.name === name)) window.__released.push({ name, text });
        }
      };
      new MutationObserver(seen).observe(document, { subtree: true, childList: true, attributes: true });
    });
    await typeCommand(page, `kubectl patch configmap hold --type=merge -p '{"metadata":{"finalizers":null}}'`);
    await waitForOutput(page, 'configmap/hold patched');
    await typeCommand(page, `kubectl patch pod keeper --type=merge -p '{"metadata":{"finalizers":null}}'`);
    await waitForOutput(page, 'pod/keeper patched');
    await until(page, () => window.__released.length >= 2, null, 10_000);
    const released = await page.evaluate(() => window.__released);
    const cm = released.find((r) => r.name === 'hold');
    assert.ok(cm, `no open lock on the ConfigMap: ${JSON.stringify(released)}`);
    assert.match(cm.text, /released: example\.com\/hold; it is deleted/);
    assert.ok(released.some((r) => r.name === 'keeper'), `no open lock on the pod: ${JSON.stringify(released)}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'finalizer-released.png') });
    // Then they are gone.
    await until(page, (sel) => document.querySelector(sel) === null && document.querySelector('[data-pod="keeper"]') === null, held, 10_000);
  });
});

test('services: a card lists the pods behind the Service, ready or not, and its external IP', { timeout: 180_000 }, async () => {
  await withPage(browser(), 'service-endpoints', async (page) => {
    await setSpeedUpTo(page, 10);
    await typeCommand(page, 'kubectl create deployment web --image=nginx:1.27 --replicas=2 --port=80');
    await waitForOutput(page, 'deployment.apps/web created');
    await typeCommand(page, 'kubectl expose deployment web --type=LoadBalancer --port=80');
    await waitForOutput(page, 'service/web exposed');
    const card = '.svc[data-svc="web"]';
    await until(page, (sel) => document.querySelectorAll(`${sel} .svc-ep[data-ready="true"]`).length === 2, card);
    const running = await page.$$eval('.pod[data-status="Running"]', (els) => els
      .map((el) => el.getAttribute('data-pod')).filter((n) => n.startsWith('web-')).sort());
    const eps = await page.$$eval(`${card} .svc-ep[data-ready="true"]`, (els) => els.map((el) => el.getAttribute('data-pod')).sort());
    assert.deepEqual(eps, running, 'the ready endpoints are the running web pods');
    // Their chips wear a socket (☍) and say so.
    for (const pod of running) {
      await until(page, (p) => document.querySelector(`.pod[data-pod="${p}"] .socket`) !== null, pod, 5_000);
      assert.match(await page.locator(`.pod[data-pod="${pod}"]`).getAttribute('aria-label'), /serving a Service$/);
    }
    assert.match(await page.locator(card).textContent(), /2 ready endpoints/);
    // The cloud gives the load balancer an address; its cleanup finalizer is a lock on the card.
    await until(page, (sel) => /^\d+\.\d+\.\d+\.\d+$/.test(document.querySelector(sel)?.getAttribute('data-external-ip') ?? ''), card);
    assert.match(await page.locator(`${card} .lock`).textContent(), /service\.kubernetes\.io\/load-balancer-cleanup/);
    // A pod that cannot become ready is behind the Service but gets no traffic: listed as not ready.
    await typeCommand(page, 'kubectl set image deployment/web nginx=nginx:no-such-tag');
    await waitForOutput(page, 'deployment.apps/web image updated');
    await until(page, (sel) => document.querySelectorAll(`${sel} .svc-ep[data-ready="false"]`).length === 1, card);
    assert.equal(await page.locator(`${card} .svc-ep[data-ready="true"]`).count(), 2);
    assert.match(await page.locator(card).textContent(), /2 ready, 1 not ready/);
    assert.match(await page.locator(`${card} .svc-ep[data-ready="false"]`).textContent(), /not ready/);
    const stuck = await page.locator(`${card} .svc-ep[data-ready="false"]`).getAttribute('data-pod');
    assert.equal(await page.locator(`.pod[data-pod="${stuck}"] .socket`).count(), 0, 'a not-ready endpoint gets no socket');
    await page.screenshot({ path: path.join(ARTIFACTS, 'service-endpoints.png') });
    // Pointing at the card marks the pods behind it in the view: solid ☍ ready, dashed ✂ not ready.
    const marked = () => page.evaluate(() => ({
      ready: [...document.querySelectorAll('.pod.behind-svc')].map((el) => el.getAttribute('data-pod')).sort(),
      notReady: [...document.querySelectorAll('.pod.behind-svc-not-ready')].map((el) => el.getAttribute('data-pod')),
      marks: [...document.querySelectorAll('.pod .behind-mark')].map((el) => el.textContent).sort(),
    }));
    await page.locator(`${card} .svc-cols`).hover();
    await until(page, (sel) => document.querySelector(sel)?.classList.contains('focused'), card, 5_000);
    await until(page, () => document.querySelectorAll('.pod.behind-svc').length === 2, null, 5_000);
    assert.deepEqual(await marked(), { ready: running, notReady: [stuck], marks: ['☍', '☍', '✂'] });
    assert.equal(await page.locator('.view-pane.svc-pointing').count(), 1, 'pods not behind it are dimmed');
    await page.screenshot({ path: path.join(ARTIFACTS, 'service-pointed.png') });
    await page.mouse.move(5, 5);
    await until(page, () => document.querySelectorAll('.pod.behind-svc, .pod.behind-svc-not-ready, .view-pane.svc-pointing').length === 0, null, 5_000);
    // The keyboard does the same: focus on the card's head marks its pods.
    await page.locator(`${card} .svc-head`).focus();
    await until(page, () => document.querySelectorAll('.pod.behind-svc').length === 2, null, 5_000);
    await page.locator('#term-input').focus();
    await until(page, () => document.querySelectorAll('.pod.behind-svc').length === 0, null, 5_000);
  });
});

test('a rolling update steps: old and new ReplicaSet rows trade pods, intermediate counts in the DOM', { timeout: 180_000 }, async () => {
  await withPage(browser(), 'rolling-update', async (page) => {
    await setSpeedUpTo(page, 2);
    await typeCommand(page, 'kubectl create deployment web --image=nginx:1.27 --replicas=4');
    await waitForOutput(page, 'deployment.apps/web created');
    await until(page, () => [...document.querySelectorAll('.pod[data-status="Running"]')]
      .filter((el) => el.getAttribute('data-pod').startsWith('web-')).length === 4, null, 60_000);
    const oldRs = await page.locator('.rs-row .rs-label[data-inspect-kind="ReplicaSet"]').first().getAttribute('data-inspect-name');
    // Sample each ReplicaSet row's pod chips and counts on every DOM change.
    await page.evaluate(() => {
      window.__rows = [];
      const sample = () => {
        const snap = {};
        for (const row of document.querySelectorAll('.mrow.rs-row')) {
          const label = row.querySelector('.rs-label[data-inspect-name]');
          if (!label) continue;
          snap[label.getAttribute('data-inspect-name')] = {
            pods: row.querySelectorAll('.pod').length,
            counts: row.querySelector('.rs-counts')?.textContent ?? '',
          };
        }
        const key = JSON.stringify(snap);
        if (window.__rows.at(-1)?.key !== key) window.__rows.push({ key, snap });
      };
      new MutationObserver(sample).observe(document.querySelector('.matrix'), { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await typeCommand(page, 'kubectl set image deployment/web nginx=nginx:1.28');
    await waitForOutput(page, 'deployment.apps/web image updated');
    await until(page, (old) => {
      const last = window.__rows.at(-1)?.snap ?? {};
      const names = Object.keys(last);
      const fresh = names.find((n) => n !== old);
      return fresh && last[fresh].pods === 4 && (last[old]?.pods ?? 0) === 0 && /^4\/4\/4$/.test(last[fresh].counts);
    }, oldRs, 120_000);
    const rows = await page.evaluate(() => window.__rows.map((r) => r.snap));
    const newRs = Object.keys(rows.at(-1)).find((n) => n !== oldRs);
    assert.ok(newRs, 'a new ReplicaSet row');
    // Intermediate steps: both rows holding pods at once, the new row growing through 1..3 while
    // the old one shrinks.
    const both = rows.filter((s) => (s[oldRs]?.pods ?? 0) > 0 && (s[newRs]?.pods ?? 0) > 0);
    assert.ok(both.length > 0, `never saw both ReplicaSets with pods: ${JSON.stringify(rows)}`);
    // DESIRED/CURRENT/READY of each row: a moment where each had some but not all 4 ready pods.
    const ready = (s, rs) => Number((s[rs]?.counts ?? '0/0/0').split('/')[2]);
    const mid = rows.filter((s) => ready(s, oldRs) > 0 && ready(s, oldRs) < 4 && ready(s, newRs) > 0 && ready(s, newRs) < 4);
    assert.ok(mid.length > 0, `never saw both ReplicaSets partly ready: ${rows.map((s) => JSON.stringify(s)).join('\n')}`);
    // The new row only grows and the old one only shrinks, in pods ready.
    const newReady = rows.map((s) => ready(s, newRs));
    assert.deepEqual(newReady, [...newReady].sort((a, b) => a - b), `new RS ready went down: ${newReady}`);
    const seen = new Set(newReady);
    assert.ok(seen.has(4) && [...seen].some((n) => n > 0 && n < 4), `new RS ready counts: ${[...seen]}`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'rolling-update-done.png') });
  });
});
