// Files in the formats no public test suite we could find holds a sample of (SwarmUI, Draw
// Things, Forge/reForge infotext, RGB stealth info, the TC260 label in EXIF or a private PNG
// chunk), built byte by byte from each format's public source, named beside each builder.
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { jpegWithExif, pngChunk, pngWithText, userCommentBytes, xmpPacket } from './ai-images.js';

/**
 * sd-webui-stealth-pnginfo (stealth_pnginfo.py, add_stealth_pnginfo): signature, 32-bit length in
 * bits, payload; bits down each column, left to right; alpha mode 1 bit per pixel (A), RGB 3.
 */
export function stealthPng(text: string, signature: 'stealth_pnginfo' | 'stealth_pngcomp' | 'stealth_rgbinfo' | 'stealth_rgbcomp', size = 64): Buffer {
  const payload = signature.endsWith('comp') ? gzipSync(Buffer.from(text, 'utf8')) : Buffer.from(text, 'utf8');
  const bytes = Buffer.concat([Buffer.from(signature, 'latin1'), Buffer.alloc(4), payload]);
  bytes.writeUInt32BE(payload.length * 8, signature.length);
  const bits: number[] = [];
  for (const byte of bytes) for (let i = 7; i >= 0; i--) bits.push((byte >> i) & 1);
  const png = new PNG({ width: size, height: size });
  for (let i = 0; i < size * size; i++) png.data.set([(i * 5) & 0xff, (i * 11) & 0xff, 200, 255], i * 4);
  const rgb = signature.startsWith('stealth_rgb');
  const perPixel = rgb ? 3 : 1;
  if (bits.length > size * size * perPixel) throw new Error('payload too large for the test image');
  bits.forEach((bit, i) => {
    const pixel = Math.floor(i / perPixel);
    const x = Math.floor(pixel / size);
    const y = pixel % size;
    const at = (y * size + x) * 4 + (rgb ? i % perPixel : 3);
    png.data[at] = (png.data[at]! & 0xfe) | bit;
  });
  return PNG.sync.write(png, rgb ? { colorType: 2 } : { colorType: 6 });
}

/** SwarmUI's image metadata: {"sui_image_params": {…}, "sui_extra_data": {…}} (Swarm 0.9.x ids). */
export const SWARM_METADATA = {
  sui_image_params: {
    prompt: 'a glass teapot on a wooden table, morning light',
    negativeprompt: 'blurry',
    model: 'Flux/flux1-dev-fp8',
    seed: 1234567890123456789n,
    steps: 25,
    cfgscale: 1.0,
    aspectratio: 'Custom',
    width: 512,
    height: 768,
    sampler: 'euler',
    scheduler: 'normal',
    swarm_version: '0.9.1.1',
  },
  sui_extra_data: { date: '2024-08-07', generation_time: '1.23 (prep) and 35.81 (gen) seconds' },
};

/** JSON with the seed written as a bare 64-bit integer, as Swarm's C# serialiser writes it. */
export function swarmJson(): string {
  return JSON.stringify(SWARM_METADATA, (_k, v: unknown) => (typeof v === 'bigint' ? `@@${v}@@` : v), 2).replace(/"@@(\d+)@@"/g, '$1');
}

export const swarmPng = (): Buffer => pngWithText([{ type: 'tEXt', keyword: 'parameters', text: swarmJson() }]);
export const swarmJpeg = (): Buffer => jpegWithExif({ userComment: userCommentBytes(swarmJson(), 'unicode-be') });

/** Draw Things: XMP with xmp:CreatorTool "Draw Things" and the generation JSON in exif:UserComment. */
export const DRAW_THINGS_JSON = {
  c: 'a koi pond in autumn, ukiyo-e',
  uc: 'text, watermark',
  seed: 3175405581,
  steps: 30,
  scale: 4.5,
  sampler: 'DPM++ 2M Karras',
  size: '768x1024',
  model: 'sd_xl_base_1.0_f16.ckpt',
  strength: 1,
  seed_mode: 'Scale Alike',
};

export function drawThingsPng(): Buffer {
  const json = JSON.stringify(DRAW_THINGS_JSON).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const xmp = xmpPacket(
    '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">' +
      '<xmp:CreatorTool>Draw Things</xmp:CreatorTool>' +
      `<dc:description><rdf:Alt><rdf:li xml:lang="x-default">${DRAW_THINGS_JSON.c}</rdf:li></rdf:Alt></dc:description>` +
      `<exif:UserComment><rdf:Alt><rdf:li xml:lang="x-default">${json}</rdf:li></rdf:Alt></exif:UserComment>` +
      '</rdf:Description>',
  );
  return pngWithText([{ type: 'iTXt', keyword: 'XML:com.adobe.xmp', text: xmp }]);
}

/** Forge (`Version: f2.0.1v1.10.1-…`) and reForge (`Version: 2.0.0dev-v1.10.1RC`) infotext. */
export function webuiInfotext(version: string, seed = '3301221055'): string {
  return `a lighthouse at dusk, oil painting\nNegative prompt: blurry\nSteps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: ${seed}, Size: 832x1216, Model hash: 67ab2fd8ec, Model: ponyDiffusionV6XL, Version: ${version}`;
}

/** The TC260 practice guide's PNG private chunk: type AIGC, the label JSON as its data. */
export function pngWithAigcChunk(label: Record<string, string>, type = 'aIGC'): Buffer {
  const png = pngWithText([]);
  const ihdrEnd = 8 + 8 + 13 + 4;
  return Buffer.concat([png.subarray(0, ihdrEnd), pngChunk(type, Buffer.from(JSON.stringify(label), 'utf8')), png.subarray(ihdrEnd)]);
}

/** The TC260 label in EXIF UserComment of a JPEG, under an "AIGC" key. */
export const jpegWithAigcExif = (label: Record<string, string>): Buffer => jpegWithExif({ userComment: userCommentBytes(JSON.stringify({ AIGC: label }), 'ascii') });
