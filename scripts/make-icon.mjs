#!/usr/bin/env node
// Draws resources/icon.png (256×256): a teal rounded square with a white line through three
// links, a hash chain. A placeholder until there is a designed icon; plain Node, no deps.
// Usage: node scripts/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const size = 256;
const samples = 4; // per axis, for anti-aliased edges
const teal = [47, 111, 115];
const white = [255, 255, 255];

/** Coverage of each shape at a point, in icon coordinates (0..256). */
function inRoundedSquare(x, y) {
  const r = 56;
  const m = 8;
  const cx = Math.min(Math.max(x, m + r), size - m - r);
  const cy = Math.min(Math.max(y, m + r), size - m - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

const links = [64, 128, 192];
function inMark(x, y) {
  // The line joins the links but does not cross the open ones.
  const inHole = [64, 192].some((cx) => Math.hypot(x - cx, y - 128) < 13);
  const onLine = x >= 40 && x <= 216 && Math.abs(y - 128) <= 6 && !inHole;
  const onRing = links.some((cx) => {
    const d = Math.hypot(x - cx, y - 128);
    return d <= 24 && d >= 13;
  });
  const inCentre = Math.hypot(x - 128, y - 128) <= 24; // the middle link is filled: "this event"
  return onLine || onRing || inCentre;
}

const raw = Buffer.alloc(size * (1 + size * 4));
for (let y = 0; y < size; y++) {
  const row = y * (1 + size * 4);
  raw[row] = 0; // filter: none
  for (let x = 0; x < size; x++) {
    let bg = 0;
    let mark = 0;
    for (let sy = 0; sy < samples; sy++) {
      for (let sx = 0; sx < samples; sx++) {
        const px = x + (sx + 0.5) / samples;
        const py = y + (sy + 0.5) / samples;
        if (inRoundedSquare(px, py)) {
          bg++;
          if (inMark(px, py)) mark++;
        }
      }
    }
    const n = samples * samples;
    const alpha = bg / n;
    const t = bg === 0 ? 0 : mark / bg;
    const o = row + 1 + x * 4;
    for (let c = 0; c < 3; c++) raw[o + c] = Math.round(teal[c] * (1 - t) + white[c] * t);
    raw[o + 3] = Math.round(alpha * 255);
  }
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', header),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);

const out = join(dirname(fileURLToPath(import.meta.url)), '..', 'resources', 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
