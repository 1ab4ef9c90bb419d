// Called by scripts/split.sh after wasm-split has cut the staged module in two: teaches
// wasm-bindgen's generated JS to load the rest, and brings index.html's `integrity` attributes up
// to date with the files as they are now (this hook and preboot.sh change them after Trunk).
//
//   node scripts/split-glue.mjs STAGING_DIR REST_FILE_NAME
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { uleb as leb } from './wasm-binary.mjs';

const [dir, restName] = process.argv.slice(2);
if (!dir || !restName) {
  console.error('usage: node scripts/split-glue.mjs STAGING_DIR REST_FILE_NAME');
  process.exit(2);
}
const fail = (msg) => { console.error(`split-glue: ${msg}`); process.exit(1); };
const files = fs.readdirSync(dir);
const jsName = files.find((f) => /^kubeplay-[0-9a-f]+\.js$/.test(f)) ?? fail('no kubeplay-*.js');
const wasmName = files.find((f) => /^kubeplay-[0-9a-f]+_bg\.wasm$/.test(f)) ?? fail('no kubeplay-*_bg.wasm');
const primary = fs.readFileSync(path.join(dir, wasmName));

// --- which exported table holds the placeholders (one slot per placeholder, in import order) ---
const module = new WebAssembly.Module(primary);
const placeholders = WebAssembly.Module.imports(module).filter((i) => i.module === 'placeholder.deferred').length;
if (placeholders === 0) fail(`${wasmName} imports no placeholders: not a split primary`);
if (WebAssembly.Module.imports(module).some((i) => i.kind === 'table')) fail('the primary imports a table (not expected)');
const tableSizes = [];
const tableExports = new Map();
for (let pos = 8; pos < primary.length;) {
  const id = primary[pos];
  const [len, start] = leb(primary, pos + 1);
  if (id === 4) {
    let [n, q] = leb(primary, start);
    for (let i = 0; i < n; i++) {
      if (primary[q] === 0x40) fail('a table with an initialiser expression (not expected)');
      q++; // reference type
      const flags = primary[q++];
      let min;
      [min, q] = leb(primary, q);
      if (flags & 1) [, q] = leb(primary, q);
      tableSizes.push(min);
    }
  } else if (id === 7) {
    let [n, q] = leb(primary, start);
    for (let i = 0; i < n; i++) {
      let l;
      [l, q] = leb(primary, q);
      const name = primary.subarray(q, q + l).toString('utf8');
      q += l;
      const kind = primary[q++];
      let index;
      [index, q] = leb(primary, q);
      if (kind === 1) tableExports.set(index, name);
    }
  }
  pos = start + len;
}
const candidates = tableSizes.map((size, i) => [size, i]).filter(([size, i]) => size === placeholders && tableExports.has(i));
if (candidates.length !== 1) fail(`cannot tell the placeholder table (${placeholders} placeholders, tables ${JSON.stringify(tableSizes)})`);
const table = tableExports.get(candidates[0][1]);

// --- the loader, in wasm-bindgen's JS ---
const jsPath = path.join(dir, jsName);
let js = fs.readFileSync(jsPath, 'utf8');
const patch = (from, to) => {
  const n = js.split(from).length - 1;
  if (n !== 1) fail(`expected "${from.trim()}" once in ${jsName}, found it ${n} times (wasm-bindgen's output changed?)`);
  js = js.replace(from, () => to); // a function: `$` in the text stays as it is
};
patch('        "./kubeplay_bg.js": import0,\n', '        "./kubeplay_bg.js": import0,\n        "placeholder.deferred": __kpPlaceholders,\n');
patch('    wasm.__wbindgen_start();\n    return wasm;\n', '    wasm.__wbindgen_start();\n    __kpRestWhenIdle();\n    return wasm;\n');
patch('    const { instance, module } = await __wbg_load(await module_or_path, imports);\n\n    return __wbg_finalize_init(instance, module);\n',
  '    const { instance, module } = await __wbg_load(await module_or_path, imports);\n    await __kpRestBeforeStart(instance);\n\n    return __wbg_finalize_init(instance, module);\n');
patch('let wasmModule, wasmInstance, wasm;\n', `let wasmModule, wasmInstance, wasm;

// kubeplay: the module comes in two parts (scripts/split.sh). This one holds what a start and a
// first \`kubectl get nodes\` run; ${JSON.stringify(restName)} holds the rest, and this part imports a
// placeholder for each of its functions (slot N of the table "${table}"). Once the page has started,
// the rest is fetched, compiled in the background and instantiated into that table. A placeholder
// called before then compiles the rest at once (fetching it synchronously if it has not arrived),
// then calls the slot again. <html data-split>: primary, loading, background, on-demand or
// before-start. \`window.kubeplayRestReady()\` is a promise that the rest is in (it hurries the
// compile along): the page awaits it before it opens what it fetched (a lesson, kubectl explain's
// documents, a share link's replay), whose code is mostly in the rest, so that it never has to
// load the rest synchronously with the main thread stopped.
const __kpRestUrl = new URL(${JSON.stringify(restName)}, import.meta.url);
let __kpRest = null;
let __kpRestBuffer = null;
let __kpRestFailed = false;
let __kpCompiling = false;
const __kpRestWaiters = [];
function __kpSplitState(state) {
    document.documentElement.dataset.split = state;
}
function __kpRestSettled() {
    for (const resolve of __kpRestWaiters.splice(0)) resolve();
}
function __kpInstantiateRest(module, how) {
    if (__kpRest) return;
    __kpRest = new WebAssembly.Instance(module, { primary: wasm });
    __kpSplitState(how);
    __kpRestSettled();
}
function __kpCompileRest() {
    if (__kpRest || __kpCompiling || !__kpRestBuffer) return;
    __kpCompiling = true;
    WebAssembly.compile(__kpRestBuffer)
        .then((m) => __kpInstantiateRest(m, 'background'))
        // Left to the first placeholder called, which says what went wrong.
        .catch(() => {
            __kpRestFailed = true;
            __kpSplitState('primary');
            __kpRestSettled();
        });
}
window.kubeplayRestReady = () => new Promise((resolve) => {
    if (__kpRest || __kpRestFailed) return resolve();
    __kpRestWaiters.push(resolve);
    __kpCompileRest();
});
function __kpRestNow() {
    if (__kpRest) return;
    let bytes = __kpRestBuffer && new Uint8Array(__kpRestBuffer);
    if (!bytes) {
        const xhr = new XMLHttpRequest();
        xhr.open('GET', __kpRestUrl, false);
        xhr.overrideMimeType('text/plain; charset=x-user-defined');
        xhr.send();
        if (xhr.status !== 200) throw new Error('kubeplay: could not load ' + __kpRestUrl + ' (HTTP ' + xhr.status + ')');
        const text = xhr.responseText;
        bytes = new Uint8Array(text.length);
        for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
    }
    __kpInstantiateRest(new WebAssembly.Module(bytes), 'on-demand');
}
const __kpPlaceholders = new Proxy({}, {
    get(_, name) {
        const slot = Number(name);
        return (...args) => {
            __kpRestNow();
            return wasm.${table}.get(slot)(...args);
        };
    },
});
// A page the service worker serves (a later visit, or offline) has the rest in its cache: it is
// instantiated before the page starts, because a synchronous fetch never reaches the service
// worker (offline it would fail).
async function __kpRestBeforeStart(instance) {
    if (!(navigator.serviceWorker && navigator.serviceWorker.controller)) return;
    wasm = instance.exports;
    try {
        __kpSplitState('loading');
        __kpInstantiateRest(await WebAssembly.compileStreaming(fetch(__kpRestUrl)), 'before-start');
    } catch (e) {
        __kpSplitState('primary');
    }
}
// Otherwise the rest is downloaded as soon as the page has started (network only), and compiled
// a second later when the main thread is idle, so that it does not compete with the first
// commands for the processor.
function __kpRestWhenIdle() {
    if (__kpRest) return;
    __kpSplitState('loading');
    const idle = window.requestIdleCallback || ((f) => setTimeout(f, 0));
    fetch(__kpRestUrl)
        .then((r) => {
            if (!r.ok) throw new Error('HTTP ' + r.status);
            return r.arrayBuffer();
        })
        .then((buffer) => {
            __kpRestBuffer = buffer;
            if (__kpRestWaiters.length) __kpCompileRest();
            else setTimeout(() => idle(__kpCompileRest, { timeout: 2000 }), 1000);
        })
        // Left to the first placeholder called, which says what went wrong.
        .catch(() => {
            if (__kpRest) return;
            __kpSplitState('primary');
            __kpRestFailed = true;
            __kpRestSettled();
        });
}
`);
fs.writeFileSync(jsPath, js);

// --- integrity attributes for the files as they are now ---
const htmlPath = path.join(dir, 'index.html');
let html = fs.readFileSync(htmlPath, 'utf8');
let updated = 0;
html = html.replace(/<link\b[^>]*>/g, (tag) => {
  const href = /\bhref="\.?\/?([^"]+)"/.exec(tag)?.[1];
  if (!href || !/\bintegrity="/.test(tag) || !fs.existsSync(path.join(dir, href))) return tag;
  const digest = crypto.createHash('sha384').update(fs.readFileSync(path.join(dir, href))).digest('base64');
  updated++;
  return tag.replace(/\bintegrity="[^"]*"/, `integrity="sha384-${digest}"`);
});
fs.writeFileSync(htmlPath, html);
console.log(`split-glue: ${jsName} loads ${restName} (${placeholders} placeholders in table "${table}"); ${updated} integrity attributes`);
