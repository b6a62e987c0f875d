// Formats no public test suite we found has a sample of, built byte by byte from each format's
// public source (tests/support/ai-formats.ts), and the seeds that must never lose digits.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jpegHasJumbf } from '../../src/core/capture/creation/metadata/c2pa-manifest.js';
import { parseJsonExact, quoteUnsafeIntegers } from '../../src/core/capture/creation/metadata/exact-json.js';
import { readImageMetadata } from '../../src/core/capture/creation/metadata/index.js';
import { readPngInfo } from '../../src/core/capture/creation/metadata/png-chunks.js';
import { readHeadRows } from '../../src/core/capture/creation/metadata/png-head-rows.js';
import { seedOrNull } from '../../src/core/capture/creation/metadata/types.js';
import { diffParameters } from '../../src/core/capture/creation/compare.js';
import { AIGC_LABEL, jpegWithExif, pngWithText } from '../support/ai-images.js';
import { drawThingsPng, jpegWithAigcExif, pngWithAigcChunk, stealthPng, swarmJpeg, swarmPng, webuiInfotext } from '../support/ai-formats.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-formats-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const core = (m: Awaited<ReturnType<typeof readImageMetadata>>) => ({ tool: m.tool, prompt: m.prompt, negativePrompt: m.negativePrompt, seed: m.seed, steps: m.steps, sampler: m.sampler, cfgScale: m.cfgScale, model: m.model.name });

describe('WebUI forks told apart by their Version', () => {
  it('names Forge, reForge and A1111 from the same infotext', async () => {
    const versions: [string, string][] = [['f2.0.1v1.10.1-previous-313-g3a9e8b9a', 'forge'], ['f0.0.17v1.8.0rc-latest-276-g29be1da7', 'forge'], ['2.0.0dev-v1.10.1RC', 'reforge'], ['v1.10.1', 'a1111']];
    for (const [version, tool] of versions) {
      const m = await readImageMetadata(file(`${tool}-${version}.png`, pngWithText([{ type: 'tEXt', keyword: 'parameters', text: webuiInfotext(version) }])));
      expect(core(m), version).toEqual({ tool, prompt: 'a lighthouse at dusk, oil painting', negativePrompt: 'blurry', seed: '3301221055', steps: 28, sampler: 'DPM++ 2M', cfgScale: 6.5, model: 'ponyDiffusionV6XL' });
    }
  });
});

describe('stealth PNG info in each of its four forms', () => {
  for (const signature of ['stealth_pnginfo', 'stealth_pngcomp', 'stealth_rgbinfo', 'stealth_rgbcomp'] as const) {
    it(`reads ${signature}`, async () => {
      const m = await readImageMetadata(file(`${signature}.png`, stealthPng(webuiInfotext('f2.0.1v1.10.1-previous-313-g3a9e8b9a', '18446744073709551557'), signature, signature.includes('rgb') ? 48 : 64)));
      expect(core(m)).toMatchObject({ tool: 'forge', seed: '18446744073709551557', steps: 28, model: 'ponyDiffusionV6XL' });
      expect(m.parameters['carrier']).toBe(signature);
    });
  }

  it('finds the signature from the top rows alone in tall images, in both modes', async () => {
    for (const signature of ['stealth_pngcomp', 'stealth_rgbinfo'] as const) {
      const m = await readImageMetadata(file(`tall-${signature}.png`, stealthPng(webuiInfotext('v1.10.1'), signature, 160)));
      expect(core(m), signature).toMatchObject({ tool: 'a1111', seed: '3301221055' });
    }
  });

  it('reads the top rows of a PNG exactly as a full decoder does, through every filter type', async () => {
    const { PNG } = await import('pngjs');
    const png = new PNG({ width: 150, height: 140 });
    for (let i = 0; i < png.data.length; i++) png.data[i] = (i * 2654435761) >>> 24 ^ (i % 7 === 0 ? 255 : i % 256);
    for (const [name, colorType, filterType] of [0, 1, 2, 3, 4].flatMap((f) => [['rgba', 6, f], ['rgb', 2, f]] as const)) {
      const bytes = PNG.sync.write(png, { colorType, filterType });
      const path = file(`rows-${name}-${filterType}.png`, bytes);
      const full = PNG.sync.read(bytes);
      const head = await readHeadRows(path, 120);
      expect(head).toMatchObject({ width: 150, rows: 120, channels: colorType === 6 ? 4 : 3 });
      const channels = colorType === 6 ? 4 : 3;
      const expected = Buffer.alloc(150 * 120 * channels);
      for (let p = 0; p < 150 * 120; p++) for (let c = 0; c < channels; c++) expected[p * channels + c] = full.data[p * 4 + c]!;
      expect(head!.data.equals(expected), `${name}, filter ${filterType}`).toBe(true);
    }
  });

  it('reads NovelAI JSON hidden in the alpha channel', async () => {
    const novel = { Software: 'NovelAI', Source: 'NovelAI Diffusion V4.5 4BDE2A90', Comment: JSON.stringify({ prompt: 'a white cat', uc: 'lowres', steps: 28, scale: 5, seed: 1234567, sampler: 'k_euler_ancestral', width: 832, height: 1216 }) };
    const m = await readImageMetadata(file('nai-stealth.png', stealthPng(JSON.stringify(novel), 'stealth_pngcomp', 64)));
    expect(core(m)).toEqual({ tool: 'novelai', prompt: 'a white cat', negativePrompt: 'lowres', seed: '1234567', steps: 28, sampler: 'k_euler_ancestral', cfgScale: 5, model: 'NovelAI Diffusion V4.5' });
  });

  it('reports, without failing, a signature whose declared length runs past the pixels', async () => {
    const bytes = stealthPng('x', 'stealth_pnginfo', 16);
    const png = (await import('pngjs')).PNG.sync.read(bytes);
    // Set every length bit (pixels 120–151 in column order) to 1: 2^32-1 bits declared.
    for (let i = 120; i < 152; i++) png.data[((i % 16) * 16 + Math.floor(i / 16)) * 4 + 3]! |= 1;
    const m = await readImageMetadata(file('stealth-long.png', (await import('pngjs')).PNG.sync.write(png)));
    expect(m.tool).toBe('unknown');
    expect(m.warnings.join()).toMatch(/stealth_pnginfo declares 4294967295 bits/);
  });

  it('finds nothing in an ordinary opaque PNG', async () => {
    expect((await readImageMetadata(file('plain.png', pngWithText([])))).tool).toBe('unknown');
  });
});

describe('SwarmUI and Draw Things', () => {
  const swarm = { tool: 'swarmui', prompt: 'a glass teapot on a wooden table, morning light', negativePrompt: 'blurry', seed: '1234567890123456789', steps: 25, sampler: 'euler', cfgScale: 1, model: 'Flux/flux1-dev-fp8' };
  it('reads sui_image_params from a PNG parameters text and from a JPEG UserComment, seed exact', async () => {
    expect(core(await readImageMetadata(file('swarm.png', swarmPng())))).toEqual(swarm);
    const jpeg = await readImageMetadata(file('swarm.jpg', swarmJpeg()));
    expect(core(jpeg)).toEqual(swarm);
    expect(jpeg.parameters['swarm_version']).toBe('0.9.1.1');
  });

  it('reads Draw Things JSON from XMP exif:UserComment', async () => {
    const m = await readImageMetadata(file('drawthings.png', drawThingsPng()));
    expect(core(m)).toEqual({ tool: 'drawthings', prompt: 'a koi pond in autumn, ukiyo-e', negativePrompt: 'text, watermark', seed: '3175405581', steps: 30, sampler: 'DPM++ 2M Karras', cfgScale: 4.5, model: 'sd_xl_base_1.0_f16.ckpt' });
    expect({ width: m.width, height: m.height, seedMode: m.parameters['seed_mode'] }).toEqual({ width: 768, height: 1024, seedMode: 'Scale Alike' });
  });
});

describe('TC260 label in each carrier', () => {
  it('reads a private PNG chunk named AIGC (either case) and EXIF UserComment', async () => {
    for (const type of ['aIGC', 'AIGC']) {
      const m = await readImageMetadata(file(`aigc-${type}.png`, pngWithAigcChunk(AIGC_LABEL, type)));
      expect(m.aigcLabel).toMatchObject({ label: '1', carrier: 'png-chunk', contentProducer: AIGC_LABEL.ContentProducer, produceId: AIGC_LABEL.ProduceID });
    }
    const exif = await readImageMetadata(file('aigc-exif.jpg', jpegWithAigcExif(AIGC_LABEL)));
    expect(exif.aigcLabel).toMatchObject({ label: '1', carrier: 'exif', propagateId: 'post-7781', meaning: expect.stringMatching(/AI-generated/) });
  });

  it('reads the wrapped EXIF form as Tencent writes it: ASCII UserComment, ReservedCode1 itself a JSON string', async () => {
    const label = { Label: '1', ContentProducer: '001191440300708461136T1WFUO', ProduceID: 'a8c4e0f2', ReservedCode1: '{"Type":" TC260PG","AlgID":"sm3","Data":"00"}' };
    const m = await readImageMetadata(file('aigc-tencent.jpg', jpegWithAigcExif(label)));
    expect(m.aigcLabel).toMatchObject({ carrier: 'exif', label: '1', contentProducer: '001191440300708461136T1WFUO', reservedCode1: label.ReservedCode1 });
    expect(m.aigcLabel?.raw).toBe(JSON.stringify({ AIGC: label }));
  });

  it('reads a label written with a stray colon in a key, as published samples show', async () => {
    const m = await readImageMetadata(file('aigc-text.png', pngWithText([{ type: 'tEXt', keyword: 'AIGC', text: '{"Label":"2","ContentProducer":"p","ProduceID":"x","ReservedCode2:":"r2"}' }])));
    expect(m.aigcLabel).toMatchObject({ label: '2', carrier: 'png-text', reservedCode2: 'r2' });
  });
});

describe('seeds stay exact', () => {
  it('reads a 64-bit ComfyUI seed with all its digits, in the seed field itself', async () => {
    const graph = '{"3": {"class_type": "KSampler", "inputs": {"seed": 18446744073709551557, "steps": 20, "cfg": 7, "sampler_name": "euler", "scheduler": "normal", "denoise": 1}}, "9": {"class_type": "SaveImage", "inputs": {"images": ["3", 0]}}}';
    const m = await readImageMetadata(file('big-seed.png', pngWithText([{ type: 'tEXt', keyword: 'prompt', text: graph }])));
    expect(m.seed).toBe('18446744073709551557');
  });

  it('quotes only integers a double cannot hold, never text inside strings or decimals', () => {
    expect(quoteUnsafeIntegers('{"a": 9007199254740993, "b": "9007199254740993 x", "c": 1.2345678901234567e+25, "d": -18446744073709551557, "e": 42}'))
      .toBe('{"a": "9007199254740993", "b": "9007199254740993 x", "c": 1.2345678901234567e+25, "d": "-18446744073709551557", "e": 42}');
    expect(parseJsonExact('{"s": "a \\" 12345678901234567890", "n": [9007199254740991, 9007199254740992]}')).toEqual({ s: 'a " 12345678901234567890', n: [9007199254740991, '9007199254740992'] });
  });

  it('turns every seed form into decimal digits', () => {
    expect([seedOrNull(42), seedOrNull(' +0042 '), seedOrNull('-1'), seedOrNull('6952411511246973023'), seedOrNull('abc'), seedOrNull(1.5), seedOrNull(null)]).toEqual(['42', '42', '-1', '6952411511246973023', null, null, null]);
  });

  it('compares a seed recorded as a number (older archives) with the same seed as a string as unchanged', () => {
    expect(diffParameters({ seed: 42, steps: 20 }, { seed: '42', steps: 20 }).changes).toEqual([]);
    expect(diffParameters({ seed: 42 }, { seed: '43' }).changes).toEqual([{ field: 'seed', a: '42', b: '43', change: 'changed' }]);
  });
});

describe('C2PA carriers are found without loading c2pa-rs', () => {
  it('finds the JUMBF APP11 segment of a signed JPEG and none in a plain one, and the caBX chunk of a PNG', async () => {
    expect(await jpegHasJumbf(join(__dirname, '..', 'fixtures', 'ai-images', 'c2pa-C.jpg'))).toBe(true);
    expect(await jpegHasJumbf(file('plain.jpg', jpegWithExif({})))).toBe(false);
    const png = pngWithText([]);
    const withCabx = Buffer.concat([png.subarray(0, 33), (await import('../support/ai-images.js')).pngChunk('caBX', Buffer.from('jumb')), png.subarray(33)]);
    expect((await readPngInfo(file('cabx.png', withCabx))).hasC2pa).toBe(true);
    expect((await readPngInfo(file('nocabx.png', png))).hasC2pa).toBe(false);
  });

  it('reports a caBX chunk that is not a manifest store as unreadable, naming nothing', async () => {
    const png = pngWithText([]);
    const junk = Buffer.concat([png.subarray(0, 33), (await import('../support/ai-images.js')).pngChunk('caBX', Buffer.from('not a JUMBF box at all')), png.subarray(33)]);
    const m = await readImageMetadata(file('junk-cabx.png', junk));
    expect(m.tool).toBe('unknown');
    expect(m.c2pa).toBeUndefined();
    expect(m.warnings.join()).toMatch(/C2PA manifest store that c2pa-rs cannot read/);
  });
});
