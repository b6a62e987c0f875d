import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dHash, diffParameters, diffPixels, diffWords, hammingDistance, pHash } from '../../src/core/capture/creation/compare.js';
import { decodeImage, encodePng, resizeRgba, type RgbaImage } from '../../src/core/capture/creation/image-decode.js';

const { PNG } = pngjs;

/** A picture with structure: a diagonal gradient, a disc and a bar, so hashes have something to see. */
function scene(width: number, height: number, options: { disc?: [number, number]; brighten?: number; bar?: boolean } = {}): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  const [cx, cy] = options.disc ?? [0.35, 0.4];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x / width;
      const v = y / height;
      let r = 40 + 150 * u;
      let g = 60 + 120 * v;
      let b = 200 - 120 * u * v;
      if ((u - cx) ** 2 + (v - cy) ** 2 < 0.04) [r, g, b] = [230, 200, 40];
      if (options.bar !== false && v > 0.75 && v < 0.85 && u > 0.1 && u < 0.9) [r, g, b] = [20, 20, 30];
      const add = options.brighten ?? 0;
      const o = (y * width + x) * 4;
      data[o] = Math.min(255, r + add);
      data[o + 1] = Math.min(255, g + add);
      data[o + 2] = Math.min(255, b + add);
      data[o + 3] = 255;
    }
  }
  return { width, height, data };
}

function checkerboard(width: number, height: number, cell: number): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const on = (Math.floor(x / cell) + Math.floor(y / cell)) % 2 === 0 ? 255 : 0;
      data.set([on, on, on, 255], (y * width + x) * 4);
    }
  }
  return { width, height, data };
}

function jpegBytes(image: RgbaImage, quality: number): Buffer {
  return jpeg.encode({ width: image.width, height: image.height, data: Buffer.from(image.data) }, quality).data;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-compare-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('perceptual hashes', () => {
  it('give distance 0 for the same picture and stay close through JPEG, brightening and resizing', async () => {
    const original = scene(256, 256);
    const viaJpeg = await decodeImage(jpegBytes(original, 70));
    const brighter = scene(256, 256, { brighten: 25 });
    const smaller = resizeRgba(original, 128, 128);
    for (const hash of [pHash, dHash]) {
      expect(hammingDistance(hash(original), hash(original))).toBe(0);
      expect(hammingDistance(hash(original), hash(viaJpeg))).toBeLessThanOrEqual(4);
      expect(hammingDistance(hash(original), hash(brighter))).toBeLessThanOrEqual(6);
      expect(hammingDistance(hash(original), hash(smaller))).toBeLessThanOrEqual(4);
    }
  });

  it('put a different picture far away, and a moved subject in between', () => {
    const original = scene(256, 256);
    const moved = scene(256, 256, { disc: [0.7, 0.6] });
    const other = checkerboard(256, 256, 32);
    const near = hammingDistance(pHash(original), pHash(moved));
    const far = hammingDistance(pHash(original), pHash(other));
    expect(near).toBeGreaterThan(0);
    expect(far).toBeGreaterThanOrEqual(20);
    expect(far).toBeGreaterThan(near);
    expect(hammingDistance(dHash(original), dHash(other))).toBeGreaterThanOrEqual(20);
  });

  it('are 64 bits written as 16 hex digits', () => {
    expect(pHash(scene(64, 48))).toMatch(/^[0-9a-f]{16}$/);
    expect(dHash(scene(64, 48))).toMatch(/^[0-9a-f]{16}$/);
    expect(hammingDistance('ffffffffffffffff', '0000000000000000')).toBe(64);
  });
});

describe('pixel difference', () => {
  it('counts exactly the changed block and paints it hot on the heatmap', () => {
    const a = scene(100, 80, { bar: false });
    const b = { ...a, data: Uint8Array.from(a.data) };
    for (let y = 10; y < 20; y++) for (let x = 50; x < 60; x++) b.data.set([255, 0, 255, 255], (y * 100 + x) * 4);
    const diff = diffPixels(a, b);
    expect(diff.differingPixels).toBe(100);
    expect(diff.differingPixelRatio).toBeCloseTo(100 / 8000, 10);
    const at = (x: number, y: number): number[] => [...diff.heatmap.data.subarray((y * 100 + x) * 4, (y * 100 + x) * 4 + 3)];
    const inside = at(55, 15);
    const outside = at(5, 70);
    // Outside: the faded picture, grey (r = g = b). Inside: a strong colour, red dominating.
    expect(outside[0]).toBe(outside[1]);
    expect(outside[1]).toBe(outside[2]);
    expect(inside[0]! - inside[2]!).toBeGreaterThan(100);
    // The heatmap is a real PNG of the first image's size.
    const png = PNG.sync.read(encodePng(diff.heatmap));
    expect([png.width, png.height]).toEqual([100, 80]);
  });

  it('finds nothing between identical images', () => {
    const a = scene(64, 64);
    const diff = diffPixels(a, { ...a, data: Uint8Array.from(a.data) });
    expect(diff.differingPixels).toBe(0);
    expect(diff.maxDelta).toBe(0);
  });

  it('refuses images of different sizes rather than comparing misaligned pixels', () => {
    expect(() => diffPixels(scene(10, 10), scene(12, 10))).toThrow(/one size/);
  });
});

describe('decoding', () => {
  it('reads PNG, JPEG and (through ffmpeg) WebP into the same RGBA pixels', async () => {
    const image = scene(64, 40);
    const fromPng = await decodeImage(encodePng(image));
    expect(fromPng.decodedAs).toBe('png');
    expect(Buffer.from(fromPng.data).equals(Buffer.from(image.data))).toBe(true);
    const fromJpeg = await decodeImage(jpegBytes(image, 95));
    expect(fromJpeg.decodedAs).toBe('jpeg');
    expect([fromJpeg.width, fromJpeg.height]).toEqual([64, 40]);
    const pngPath = join(dir, 'scene.png');
    const webpPath = join(dir, 'scene.webp');
    writeFileSync(pngPath, encodePng(image));
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', pngPath, '-lossless', '1', webpPath]);
    const { readFileSync } = await import('node:fs');
    const fromWebp = await decodeImage(readFileSync(webpPath), { ffmpegPath: 'ffmpeg', label: 'scene.webp' });
    expect(fromWebp.decodedAs).toBe('ffmpeg');
    expect([fromWebp.width, fromWebp.height]).toEqual([64, 40]);
    expect(hammingDistance(pHash(fromWebp), pHash(image))).toBe(0);
  });

  it('says what is wrong with a file it cannot read', async () => {
    const riff = Buffer.from('RIFF\x00\x00\x00\x00WEBPVP8 ', 'latin1');
    await expect(decodeImage(riff, { label: 'x.webp' })).rejects.toThrow(/x\.webp: it is neither PNG nor JPEG, and no ffmpeg was found/);
    await expect(decodeImage(encodePng(scene(8, 8)).subarray(0, 40), { label: 'cut.png' })).rejects.toThrow(/Cannot decode PNG cut\.png/);
    await expect(decodeImage(Buffer.from('not an image at all'), { label: 'notes.txt', ffmpegPath: 'ffmpeg' })).rejects.toThrow(/Cannot decode notes\.txt: ffmpeg .* could not convert it/);
  });
});

describe('parameter and prompt diff', () => {
  it('lists changed, added and removed fields, nested ones by dotted name, and leaves raw texts out', () => {
    const diff = diffParameters(
      { seed: 1234, steps: 30, model: { name: 'sdxl.safetensors', hash: 'aa' }, sampler: 'euler', raw: { parameters: 'long text A' } },
      { seed: 1235, steps: 30, model: { name: 'sdxl.safetensors', hash: 'bb' }, cfgScale: 7, raw: { parameters: 'long text B' } },
    );
    expect(diff.changes).toEqual([
      { field: 'cfgScale', a: null, b: 7, change: 'added' },
      { field: 'model.hash', a: 'aa', b: 'bb', change: 'changed' },
      { field: 'sampler', a: 'euler', b: null, change: 'removed' },
      { field: 'seed', a: '1234', b: '1235', change: 'changed' },
    ]);
    expect(diff.same).toEqual(['model.name', 'steps']);
  });

  it('diffs prompts word by word', () => {
    expect(diffWords('a cat sitting on a mat, best quality', 'a cat sitting in a hat, best quality')).toEqual([
      { op: 'same', text: 'a cat sitting' },
      { op: 'removed', text: 'on' },
      { op: 'added', text: 'in' },
      { op: 'same', text: 'a' },
      { op: 'removed', text: 'mat' },
      { op: 'added', text: 'hat' },
      { op: 'same', text: ', best quality' },
    ]);
  });

  it('treats each Chinese character as a word', () => {
    expect(diffWords('一只橘猫在窗台上', '一只黑猫在窗台上')).toEqual([
      { op: 'same', text: '一只' },
      { op: 'removed', text: '橘' },
      { op: 'added', text: '黑' },
      { op: 'same', text: '猫在窗台上' },
    ]);
  });
});
