// How small could the first download be if the module were split by use? A measurement for the
// next step on the first-load budget (BENCHMARKS.md), not a test.
//
// V8 compiles each wasm function the first time it is called (lazy compilation) and traces it
// (`wasm.CompileLazy`, with the function's index). This drives the release build through
// sessions in headless Chromium, collects the indices of every function that ran, and builds a
// copy of the module in which every other function's body is `unreachable`: about what the
// primary module of a profile-guided split (binaryen's wasm-split) would weigh, before the few
// bytes of its placeholders and exports. Sessions, cumulative:
//   start    the page starts and answers `kubectl get nodes`;
//   minute   a first minute: a Deployment created, listed, described, as YAML, a pod inspected,
//            scaled, pods deleted, a Service exposed.
//
// Run `trunk build --release` first, then `node benches/split-probe.mjs` (KUBEPLAY_DIST to use
// another dist/). Writes the traces to target/split-probe/.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { DIST, ROOT, launchChromium, serveDist } from '../tests/e2e/lib.mjs';

const OUT = path.join(ROOT, 'target', 'split-probe');

/** Unsigned LEB128 at `pos`: [value, next position]. */
function leb(buf, pos) {
  let value = 0;
  let shift = 0;
  let b;
  do {
    b = buf[pos++];
    value += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [value, pos];
}

function encodeLeb(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

/** Skips an import's description (after its two names) at `q`; returns [is a function, next]. */
function skipImportDesc(wasm, q) {
  const kind = wasm[q++];
  const limits = (p) => {
    const flags = wasm[p++];
    [, p] = leb(wasm, p);
    if (flags & 1) [, p] = leb(wasm, p);
    return p;
  };
  switch (kind) {
    case 0: return [true, leb(wasm, q)[1]];
    case 1: return [false, limits(q + 1)]; // reference type, then limits
    case 2: return [false, limits(q)];
    case 3: return [false, q + 2]; // value type, mutability
    case 4: return [false, leb(wasm, q + 1)[1]]; // attribute, type index
    default: throw new Error(`unknown import kind ${kind}`);
  }
}

/** The module with every function not in `keep` (module function indices) made `unreachable`. */
function keepOnly(wasm, keep) {
  const parts = [wasm.subarray(0, 8)];
  let imported = 0;
  let code = 0;
  let kept = 0;
  let functions = 0;
  for (let pos = 8; pos < wasm.length;) {
    const id = wasm[pos];
    const [len, start] = leb(wasm, pos + 1);
    const end = start + len;
    if (id === 2) {
      let [n, q] = leb(wasm, start);
      for (let i = 0; i < n; i++) {
        let l;
        [l, q] = leb(wasm, q);
        q += l;
        [l, q] = leb(wasm, q);
        q += l;
        let isFunc;
        [isFunc, q] = skipImportDesc(wasm, q);
        if (isFunc) imported++;
      }
    }
    if (id !== 10) {
      parts.push(wasm.subarray(pos, end));
    } else {
      let [n, q] = leb(wasm, start);
      functions = n;
      const bodies = [encodeLeb(n)];
      for (let i = 0; i < n; i++) {
        let l;
        [l, q] = leb(wasm, q);
        code += l;
        if (keep.has(imported + i)) {
          kept += l;
          bodies.push(encodeLeb(l), wasm.subarray(q, q + l));
        } else {
          bodies.push(Buffer.from([3, 0, 0x00, 0x0b])); // no locals; unreachable; end
        }
        q += l;
      }
      const content = Buffer.concat(bodies);
      parts.push(Buffer.from([10]), encodeLeb(content.length), content);
    }
    pos = end;
  }
  return { module: Buffer.concat(parts), imported, functions, code, kept };
}

const brotli = (b) => zlib.brotliCompressSync(b, {
  params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: b.length },
}).length;

async function session(browser, url, name, steps) {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  const trace = path.join(OUT, `${name}.json`);
  await browser.startTracing(page, { path: trace, categories: ['v8.wasm'] });
  await page.goto(url);
  await page.locator('.app[data-boot]').waitFor({ timeout: 60_000 });
  const type = async (line) => {
    await page.locator('#term-input').fill(line);
    await page.locator('#term-input').press('Enter');
  };
  await steps(page, type);
  await browser.stopTracing();
  await page.close();
  const t = JSON.parse(fs.readFileSync(trace, 'utf8'));
  return (t.traceEvents ?? t).filter((e) => e.name === 'wasm.CompileLazy').map((e) => e.args.func_index);
}

const SESSIONS = [
  ['start', async (page, type) => {
    await type('kubectl get nodes');
    await page.locator('#term-output', { hasText: 'kind-control-plane' }).waitFor();
    await page.waitForTimeout(1000);
  }],
  ['minute', async (page, type) => {
    await type('kubectl get nodes');
    await type('kubectl create deployment web --image=nginx --replicas=3');
    await page.waitForTimeout(6000);
    await type('kubectl get pods -o wide');
    await type('kubectl describe deployment web');
    await type('kubectl get deploy web -o yaml');
    await page.locator('.pod').first().click();
    await page.waitForTimeout(800);
    await type('kubectl scale deployment web --replicas=5');
    await page.waitForTimeout(3000);
    await type('kubectl delete pod --all');
    await page.waitForTimeout(3000);
    await type('kubectl expose deployment web --port=80');
    await type('kubectl get svc,endpoints');
    await page.waitForTimeout(1000);
  }],
];

fs.mkdirSync(OUT, { recursive: true });
const wasmName = fs.readdirSync(DIST).find((f) => f.endsWith('_bg.wasm'));
if (!wasmName) throw new Error(`no *_bg.wasm in ${DIST}: run trunk build --release first`);
const wasm = fs.readFileSync(path.join(DIST, wasmName));
const server = await serveDist('/');
const browser = await launchChromium();
const ran = new Set();
const full = brotli(wasm);
console.log(`# split probe: ${wasmName}, ${wasm.length.toLocaleString('en-US')} bytes, ${full.toLocaleString('en-US')} brotli\n`);
console.log('| sessions so far | functions run | their code (raw) | module with only them: raw | brotli |');
console.log('|---|---|---|---|---|');
try {
  for (const [name, steps] of SESSIONS) {
    for (const f of await session(browser, server.url, name, steps)) ran.add(f);
    const k = keepOnly(wasm, ran);
    console.log(`| ${name} | ${ran.size.toLocaleString('en-US')} of ${k.functions.toLocaleString('en-US')} | `
      + `${k.kept.toLocaleString('en-US')} of ${k.code.toLocaleString('en-US')} | ${k.module.length.toLocaleString('en-US')} | `
      + `${brotli(k.module).toLocaleString('en-US')} |`);
  }
} finally {
  await browser.close();
  await server.close();
}
