// Generates the files of a creation session: a few large incompressible "recording segments",
// a few hundred generated images (random bytes behind a PNG signature, so stored, not deflated)
// and some prompt/parameter JSON and draft text (compressible, deflated by Proofline).
import { randomFillSync, randomInt } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const SEGMENT_BYTES = 256 << 20;
const CHUNK = 8 << 20;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const WORDS = 'a cat crystal pendant lit from the left, soft rim light, 85mm, shallow depth of field, seed steps cfg sampler euler ancestral'.split(' ');

function writeRandom(path, size, prefix) {
  const fd = openSync(path, 'wx');
  const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size));
  try {
    let written = 0;
    if (prefix) written += writeSync(fd, prefix);
    while (written < size) {
      const n = Math.min(chunk.length, size - written);
      randomFillSync(chunk, 0, n);
      written += writeSync(fd, chunk, 0, n);
    }
  } finally {
    closeSync(fd);
  }
}

function words(n) {
  return Array.from({ length: n }, () => WORDS[randomInt(WORDS.length)]).join(' ');
}

/** Returns { files: [{path, size, group}], bytes }. */
export function generateSessionFiles(dir, totalBytes) {
  const files = [];
  const add = (group, path, size) => files.push({ group, path, size });
  for (const sub of ['recording', 'images', 'prompts', 'drafts']) mkdirSync(join(dir, sub), { recursive: true });

  const imageCount = 300;
  const promptCount = 120;
  const draftCount = 40;
  let small = 0;
  for (let i = 0; i < imageCount; i++) {
    const size = 16_384 + randomInt(240 * 1024);
    const path = join(dir, 'images', `gen-${String(i).padStart(4, '0')}.png`);
    writeRandom(path, size, PNG_SIGNATURE);
    add('image', path, size);
    small += size;
  }
  for (let i = 0; i < promptCount; i++) {
    const text = JSON.stringify({ index: i, prompt: words(200), negative: words(40), seed: randomInt(2 ** 31), steps: 30, cfg: 7, sampler: 'euler_a', model: 'sdxl-base-1.0.safetensors' }, null, 2);
    const path = join(dir, 'prompts', `prompt-${String(i).padStart(4, '0')}.json`);
    writeFile(path, text);
    add('text', path, Buffer.byteLength(text));
    small += Buffer.byteLength(text);
  }
  for (let i = 0; i < draftCount; i++) {
    const text = `# Draft ${i}\n\n${Array.from({ length: 40 }, () => words(20)).join('\n')}\n`;
    const path = join(dir, 'drafts', `draft-${String(i).padStart(3, '0')}.txt`);
    writeFile(path, text);
    add('text', path, Buffer.byteLength(text));
    small += Buffer.byteLength(text);
  }
  const rest = Math.max(totalBytes - small, 1 << 20);
  const segments = Math.max(1, Math.round(rest / SEGMENT_BYTES));
  for (let i = 0; i < segments; i++) {
    const size = i < segments - 1 ? Math.floor(rest / segments) : rest - Math.floor(rest / segments) * (segments - 1);
    const path = join(dir, 'recording', `segment-${String(i).padStart(3, '0')}.mp4`);
    writeRandom(path, size);
    add('segment', path, size);
  }
  return { files, bytes: files.reduce((s, f) => s + f.size, 0) };
}

/**
 * Many small files, as a web capture's page resources or a folder of thumbnails: `count` files
 * of `size` random bytes behind a PNG signature (so Proofline stores them, as `zip -0` does), in
 * folders of 200. Returns { files: [{path, size, group}], bytes }.
 */
export function generateSmallFiles(dir, count, size) {
  const files = [];
  const block = Buffer.allocUnsafe(Math.max(size, PNG_SIGNATURE.length) * 256);
  for (let i = 0; i < count; i++) {
    if (i % 256 === 0) randomFillSync(block);
    if (i % 200 === 0) mkdirSync(join(dir, `r${String(i / 200).padStart(3, '0')}`), { recursive: true });
    const path = join(dir, `r${String(Math.floor(i / 200)).padStart(3, '0')}`, `res-${String(i).padStart(6, '0')}.png`);
    const content = Buffer.from(block.subarray((i % 256) * size, (i % 256) * size + size));
    PNG_SIGNATURE.copy(content, 0, 0, Math.min(size, PNG_SIGNATURE.length));
    // Unique content: every file is its own blob, as distinct resources are.
    content.writeUInt32BE(i, Math.min(8, Math.max(0, size - 4)));
    const fd = openSync(path, 'wx');
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    files.push({ group: 'image', path, size });
  }
  return { files, bytes: files.length * size };
}

function writeFile(path, text) {
  const fd = openSync(path, 'wx');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
