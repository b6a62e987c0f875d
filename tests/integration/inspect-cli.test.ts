import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proofline } from '../support/cli.js';
import { AIGC_LABEL, A1111_CHINESE, comfyPng, jpegWithExif, pngWithText, tc260Xmp, userCommentBytes } from '../support/ai-images.js';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'proofline-inspect-'));
  mkdirSync(root, { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('proofline inspect', () => {
  it('prints the parameters as JSON with numbers as numbers, Chinese prompts intact, and the AIGC label', async () => {
    const file = join(root, '00012-20250901.png');
    writeFileSync(file, pngWithText([
      { type: 'iTXt', keyword: 'parameters', text: A1111_CHINESE },
      { type: 'iTXt', keyword: 'XML:com.adobe.xmp', text: tc260Xmp(AIGC_LABEL) },
    ]));
    const result = await proofline(['inspect', file, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      tool: 'a1111',
      prompt: '一只在雪地里的红狐狸，水墨画风格，金色阳光',
      negativePrompt: '模糊，低质量',
      seed: '20250901',
      steps: 30,
      sampler: 'Euler a',
      cfgScale: 7,
      width: 768,
      height: 512,
      model: { name: '国风_v3', hash: '7f96a1a9ca' },
      aigcLabel: { label: '1', contentProducer: AIGC_LABEL.ContentProducer, produceId: AIGC_LABEL.ProduceID, carrier: 'xmp' },
    });
    expect((json['raw'] as Record<string, string>)['parameters']).toBe(A1111_CHINESE);
  });

  it('prints a readable summary of a ComfyUI image without --json', async () => {
    const file = join(root, 'ComfyUI_00003_.png');
    writeFileSync(file, comfyPng(777, { img2img: true }));
    const result = await proofline(['inspect', file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/tool\s+ComfyUI/);
    expect(result.stdout).toMatch(/seed\s+777/);
    expect(result.stdout).toMatch(/model\s+sd_xl_base_1\.0\.safetensors/);
    expect(result.stdout).toMatch(/input\s+sketch-v3\.png/);
    expect(result.stdout).toMatch(/prompt\s+水墨山水/);
  });

  it('reads a JPEG whose parameters are a UTF-16 EXIF UserComment; null for what is not there', async () => {
    const file = join(root, 'shot.jpg');
    writeFileSync(file, jpegWithExif({ userComment: userCommentBytes('a quiet harbour', 'unicode-le') }));
    const result = await proofline(['inspect', file, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ format: 'jpeg', tool: 'unknown', seed: null, steps: null, width: 16, height: 12 });
    expect((json['raw'] as Record<string, string>)['exif:UserComment']).toBe('a quiet harbour');
  });

  it('exits 2 with one clear line for a file that is not an image', async () => {
    const file = join(root, 'notes.txt');
    writeFileSync(file, 'Steps: 20, Seed: 1, Sampler: Euler');
    const result = await proofline(['inspect', file, '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/notes\.txt is not an image .*PNG, JPEG or WebP/);
    expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('exits 2 for a missing file', async () => {
    const result = await proofline(['inspect', join(root, 'nowhere.png')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nowhere\.png .*cannot be opened/);
  });

  it('exits 2 naming the damage for a truncated PNG and for one with a bad CRC', async () => {
    const good = pngWithText([{ type: 'tEXt', keyword: 'parameters', text: 'a cat\nSteps: 20, Sampler: Euler, Seed: 1' }]);
    const truncated = join(root, 'truncated.png');
    writeFileSync(truncated, good.subarray(0, good.length - 20));
    const cut = await proofline(['inspect', truncated]);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toMatch(/truncated\.png is a damaged image: .*truncated/);

    const flipped = Buffer.from(good);
    const at = flipped.indexOf('a cat');
    flipped[at] = 'A'.charCodeAt(0);
    const badCrc = join(root, 'bad-crc.png');
    writeFileSync(badCrc, flipped);
    const crc = await proofline(['inspect', badCrc]);
    expect(crc.code).toBe(2);
    expect(crc.stderr).toMatch(/chunk tEXt .* fails its CRC check/);
  });
});
