// Reading and writing the WebAssembly binary format's integers, for the build's module tools
// (scripts/merge-data-segments.mjs, scripts/split-glue.mjs).

/** The unsigned LEB128 at `pos` in `buf`: [value, the position after it]. */
export function uleb(buf, pos) {
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

/** The signed 32-bit LEB128 at `pos` in `buf`: [value, the position after it]. */
export function sleb32(buf, pos) {
  let value = 0;
  let shift = 0;
  let b;
  do {
    b = buf[pos++];
    value |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  if (shift < 32 && (b & 0x40)) value |= -1 << shift;
  return [value, pos];
}

/** `n` (a non-negative integer) as unsigned LEB128. */
export function encodeUleb(n) {
  const out = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

/** `n` (a 32-bit integer) as signed LEB128. */
export function encodeSleb32(n) {
  const out = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && (b & 0x40))) {
      out.push(b);
      return Buffer.from(out);
    }
    out.push(b | 0x80);
  }
}
