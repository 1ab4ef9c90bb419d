// End-to-end: a learner pastes a heredoc manifest (`kubectl apply -f - <<EOF ... EOF`), the
// Deployment's pods come up, then a rolling update is watched with `kubectl rollout status`,
// whose progress lines stream into the terminal while the simulation plays.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  ARTIFACTS, assertDistBuilt, serveDist, launchChromium, openPage, typeCommand, waitForOutput,
  setSpeedUpTo,
} from './lib.mjs';

const MANIFEST = `kubectl apply -f - <<EOF
apiVersion: apps/v1
kind: Deployment
metadata:
  name: hello
spec:
  replicas: 2
  selector:
    matchLabels:
      app: hello
  template:
    metadata:
      labels:
        app: hello
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata:
  name: hello
spec:
  selector:
    app: hello
  ports:
  - port: 80
EOF`;

let browser;
before(async () => {
  assertDistBuilt();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test('heredoc apply, then a streamed rollout status', { timeout: 180_000 }, async () => {
  const server = await serveDist('/');
  const { context, page } = await openPage(browser);
  try {
    await page.goto(server.url, { waitUntil: 'load' });
    await setSpeedUpTo(page, 10);
    await typeCommand(page, MANIFEST);
    await waitForOutput(page, 'deployment.apps/hello created');
    await waitForOutput(page, 'service/hello created');
    await page.waitForFunction(
      () => [...document.querySelectorAll('.pod[data-status="Running"]')]
        .filter((el) => (el.getAttribute('data-pod') ?? '').startsWith('hello-')).length >= 2,
      null, { timeout: 60_000, polling: 100 },
    );
    await typeCommand(page, 'kubectl set image deployment/hello nginx=nginx:1.28');
    await waitForOutput(page, 'deployment.apps/hello image updated');
    await typeCommand(page, 'kubectl rollout status deployment/hello');
    await waitForOutput(page, 'deployment "hello" successfully rolled out', 60_000);
    const text = await page.evaluate(() => document.querySelector('#term-output')?.textContent ?? '');
    assert.match(text, /Waiting for deployment "hello" rollout to finish: \d out of 2 new replicas have been updated\.\.\./);
    await page.screenshot({ path: path.join(ARTIFACTS, 'apply-and-rollout.png'), fullPage: true });
  } finally {
    await context.close();
    await server.close();
  }
});
