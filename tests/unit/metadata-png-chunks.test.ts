import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPngInfo } from '../../src/core/capture/creation/metadata/png-chunks.js';
import { CorruptImageError } from '../../src/core/capture/creation/metadata/image-errors.js';
import { pngChunk, pngWithText } from '../support/ai-images.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-png-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('PNG text chunks', () => {
  it('decodes tEXt (Latin-1), zTXt (zlib) and iTXt (UTF-8, compressed or not) with their keywords', async () => {
    const path = file('all.png', pngWithText([
      { type: 'tEXt', keyword: 'Software', text: 'Café Renderer' },
      { type: 'zTXt', keyword: 'parameters', text: 'a long prompt '.repeat(200) },
      { type: 'iTXt', keyword: 'parameters-zh', text: '一只猫，坐在窗台上' },
      { type: 'iTXt', keyword: 'Comment', text: '樱花 '.repeat(100), compressed: true },
    ], { width: 20, height: 10 }));
    const info = await readPngInfo(path);
    expect(info.width).toBe(20);
    expect(info.height).toBe(10);
    expect(info.texts.map((t) => [t.type, t.keyword, t.compressed])).toEqual([
      ['tEXt', 'Software', false],
      ['zTXt', 'parameters', true],
      ['iTXt', 'parameters-zh', false],
      ['iTXt', 'Comment', true],
    ]);
    expect(info.texts[0]!.text).toBe('Café Renderer');
    expect(info.texts[1]!.text).toBe('a long prompt '.repeat(200));
    expect(info.texts[2]!.text).toBe('一只猫，坐在窗台上');
    expect(info.texts[2]!.languageTag).toBe('zh-CN');
    expect(info.texts[3]!.text).toBe('樱花 '.repeat(100));
  });

  it('finds text chunks that come after the image data', async () => {
    const base = pngWithText([]);
    const iend = base.length - 12;
    const late = Buffer.concat([base.subarray(0, iend), pngChunk('tEXt', Buffer.from('prompt\0{"1":{}}', 'latin1')), base.subarray(iend)]);
    const info = await readPngInfo(file('late.png', late));
    expect(info.texts.map((t) => t.keyword)).toEqual(['prompt']);
  });

  it('rejects a chunk whose CRC does not match, naming the chunk', async () => {
    const good = pngWithText([{ type: 'tEXt', keyword: 'parameters', text: 'seed 1' }]);
    const bad = Buffer.from(good);
    bad[bad.indexOf('seed 1')] = 0x53;
    await expect(readPngInfo(file('crc.png', bad))).rejects.toThrow(/chunk tEXt at byte \d+ fails its CRC check/);
  });

  it('reports a file cut short as truncated, whether inside a chunk or before IEND', async () => {
    const good = pngWithText([{ type: 'zTXt', keyword: 'parameters', text: 'x'.repeat(500) }]);
    await expect(readPngInfo(file('cut-in-chunk.png', good.subarray(0, 60)))).rejects.toThrow(/truncated/);
    await expect(readPngInfo(file('cut-before-iend.png', good.subarray(0, good.length - 12)))).rejects.toThrow(/before the IEND chunk: it is truncated/);
    await expect(readPngInfo(file('cut.png', good.subarray(0, 60)))).rejects.toBeInstanceOf(CorruptImageError);
  });

  it('rejects a zTXt whose compressed text is not zlib data', async () => {
    const base = pngWithText([]);
    const broken = Buffer.concat([base.subarray(0, 33), pngChunk('zTXt', Buffer.concat([Buffer.from('parameters\0\0', 'latin1'), Buffer.from('not zlib at all')])), base.subarray(33)]);
    await expect(readPngInfo(file('bad-zlib.png', broken))).rejects.toThrow(/compressed text 'parameters' cannot be inflated/);
  });
});
