// Merges a wasm module's active data segments that lie close together (gaps of at most GAP bytes,
// filled with zeros) into one: `node scripts/merge-data-segments.mjs FILE [GAP]`, in place.
//
// Why: the prebooted module (scripts/preboot.sh) holds the booted cluster's memory as thousands
// of small segments split at every run of zeros. Each segment costs a header (offset, length)
// that compresses badly; filling the small gaps with the zeros memory holds anyway makes the file
// ~3% larger raw but ~25 KB smaller with brotli (~16 KB with gzip), which is what is downloaded.
// Linear memory starts zeroed and active segments are written at instantiation, so writing zeros
// into a gap changes nothing the module sees. Passive segments (none in this build) are left
// alone: the script stops if it finds one.
import fs from 'node:fs';
import { uleb, sleb32, encodeUleb as encU, encodeSleb32 as encS32 } from './wasm-binary.mjs';

const [file, gapArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/merge-data-segments.mjs FILE [GAP]');
  process.exit(2);
}
const GAP = Number(gapArg ?? 512);
const bytes = fs.readFileSync(file);

if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error(`${file}: not a wasm module`);
const sections = [];
for (let i = 8; i < bytes.length;) {
  const id = bytes[i];
  const [len, j] = uleb(bytes, i + 1);
  sections.push([id, bytes.subarray(j, j + len)]);
  i = j + len;
}
let count = null;
const out = [bytes.subarray(0, 8)];
for (let [id, body] of sections) {
  if (id === 11) {
    let [n, j] = uleb(body, 0);
    const segs = [];
    for (let k = 0; k < n; k++) {
      let flag;
      [flag, j] = uleb(body, j);
      if (flag !== 0 || body[j] !== 0x41) throw new Error(`${file}: data segment ${k} is not a plain active segment; nothing changed`);
      let offset;
      [offset, j] = sleb32(body, j + 1);
      if (body[j] !== 0x0b) throw new Error(`${file}: data segment ${k}: unexpected offset expression`);
      let size;
      [size, j] = uleb(body, j + 1);
      segs.push({ offset: offset >>> 0, data: body.subarray(j, j + size) });
      j += size;
    }
    segs.sort((a, b) => a.offset - b.offset);
    const merged = [];
    for (const s of segs) {
      const last = merged[merged.length - 1];
      const end = last ? last.offset + last.len : 0;
      if (last && s.offset >= end && s.offset - end <= GAP) {
        if (s.offset > end) last.parts.push(Buffer.alloc(s.offset - end));
        last.parts.push(s.data);
        last.len = s.offset + s.data.length - last.offset;
      } else {
        merged.push({ offset: s.offset, parts: [s.data], len: s.data.length });
      }
    }
    const parts = [encU(merged.length)];
    for (const m of merged) {
      parts.push(Buffer.from([0x00, 0x41]), encS32(m.offset | 0), Buffer.from([0x0b]), encU(m.len), ...m.parts);
    }
    body = Buffer.concat(parts);
    count = merged.length;
    console.log(`merge-data-segments: ${n} -> ${merged.length} data segments (gaps up to ${GAP} bytes)`);
  }
  out.push({ id, body });
}
// The DataCount section (12) comes before the data section: written now that the count is known.
const res = [out[0]];
for (const s of out.slice(1)) {
  const body = s.id === 12 && count !== null ? encU(count) : s.body;
  res.push(Buffer.from([s.id]), encU(body.length), body);
}
const result = Buffer.concat(res);
if (!WebAssembly.validate(result)) throw new Error(`${file}: the merged module does not validate; nothing changed`);
fs.writeFileSync(file, result);
