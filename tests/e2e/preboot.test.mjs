// End-to-end: the release build carries the default cluster already booted (scripts/preboot.sh runs
// `kubeplay_preboot` at build time with wasm-ctor-eval). The page must say so, and the cluster it
// starts from must be the very one a fresh boot makes: the same UIDs, pod IPs and nodes as the
// native binary's boot, and the same names for what the learner creates next (the RNG's state came
// through the memory image too).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, sharedBrowser, withPage, typeCommand, waitForOutput, setSpeedUpTo } from './lib.mjs';

const browser = sharedBrowser();

const SCRIPT = [
  `kubectl get pods -A -o jsonpath='{range .items[*]}{.metadata.uid} {.metadata.name} {.status.podIP} {.spec.nodeName}{"\\n"}{end}'`,
  `kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.uid} {.metadata.name} {.spec.podCIDR}{"\\n"}{end}'`,
  'kubectl create deployment web --image=nginx --replicas=3',
  'sleep 20s',
  'kubectl get pods -o name',
];

/** The native binary's output of SCRIPT, without the `$ line` echoes. */
function nativeLines() {
  const bin = path.join(process.env.CARGO_TARGET_DIR ?? path.join(ROOT, 'target'), 'debug', 'kubeplay');
  if (!fs.existsSync(bin)) {
    execFileSync('cargo', ['build', '-q', '--bin', 'kubeplay'], { cwd: ROOT, stdio: 'inherit' });
  }
  const out = execFileSync(bin, ['run', '-'], { input: SCRIPT.join('\n') + '\n', encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('$ '));
}

test('the release page starts from the prebooted cluster, identical to a fresh boot', { timeout: 120_000 }, async () => {
  const want = nativeLines();
  assert.ok(want.length >= 15, `native output too short:\n${want.join('\n')}`);
  assert.ok(want.some((l) => l.startsWith('pod/web-')), want.join('\n'));
  await withPage(browser(), 'preboot', async (page) => {
    assert.equal(await page.locator('.app').getAttribute('data-boot'), 'prebooted',
      'dist/ was not prebooted: scripts/preboot.sh should run as a Trunk post-build hook');
    await setSpeedUpTo(page, 100);
    for (const line of SCRIPT) {
      await typeCommand(page, line);
      if (line.startsWith('sleep')) await page.waitForFunction(() => !document.querySelector('#term-output .waiting'), null, { timeout: 30_000 });
    }
    await waitForOutput(page, 'pod/web-', 30_000);
    const got = new Set((await page.locator('#term-output').innerText()).split('\n').map((l) => l.trimEnd()));
    const missing = want.filter((l) => !got.has(l.trimEnd()));
    assert.deepEqual(missing, [], `lines of the native boot missing from the page:\n${missing.join('\n')}`);
  });
});
