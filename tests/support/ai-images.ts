// Real image files carrying what AI tools embed, built byte by byte from the specs (PNG 1.2 text
// chunks, EXIF 2.32 TIFF IFDs in a JPEG APP1 or a WebP EXIF chunk, XMP in APP1 / iTXt), so the
// parsers are tested on files a tool could have written, not on parsed objects.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

export interface TextChunk {
  readonly type: 'tEXt' | 'zTXt' | 'iTXt';
  readonly keyword: string;
  readonly text: string;
  /** iTXt only: deflate the text (zTXt is always compressed). */
  readonly compressed?: boolean;
}

function pixels(width: number, height: number, seed: number): Buffer {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    data[i * 4] = (i * 7 + seed * 31) & 0xff;
    data[i * 4 + 1] = (i * 13 + seed * 17) & 0xff;
    data[i * 4 + 2] = (seed * 101) & 0xff;
    data[i * 4 + 3] = 0xff;
  }
  return data;
}

export function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

export function textChunk(chunk: TextChunk): Buffer {
  const keyword = Buffer.from(chunk.keyword, 'latin1');
  if (chunk.type === 'tEXt') return pngChunk('tEXt', Buffer.concat([keyword, Buffer.from([0]), Buffer.from(chunk.text, 'latin1')]));
  if (chunk.type === 'zTXt') return pngChunk('zTXt', Buffer.concat([keyword, Buffer.from([0, 0]), deflateSync(Buffer.from(chunk.text, 'latin1'))]));
  const text = Buffer.from(chunk.text, 'utf8');
  return pngChunk('iTXt', Buffer.concat([keyword, Buffer.from([0, chunk.compressed ? 1 : 0, 0]), Buffer.from('zh-CN\0', 'latin1'), Buffer.from('\0'), chunk.compressed ? deflateSync(text) : text]));
}

/** A real PNG (pngjs) with text chunks inserted after IHDR, where A1111 and ComfyUI put them. */
export function pngWithText(chunks: readonly TextChunk[], options: { width?: number; height?: number; seed?: number } = {}): Buffer {
  const width = options.width ?? 16;
  const height = options.height ?? 12;
  const png = new PNG({ width, height });
  pixels(width, height, options.seed ?? 1).copy(png.data);
  const encoded = PNG.sync.write(png);
  const ihdrEnd = 8 + 8 + 13 + 4;
  return Buffer.concat([encoded.subarray(0, ihdrEnd), ...chunks.map(textChunk), encoded.subarray(ihdrEnd)]);
}

export type UserCommentEncoding = 'ascii' | 'unicode-be' | 'unicode-le' | 'jis' | 'undefined';

export function userCommentBytes(text: string, encoding: UserCommentEncoding): Buffer {
  switch (encoding) {
    case 'ascii': return Buffer.concat([Buffer.from('ASCII\0\0\0', 'latin1'), Buffer.from(text, 'latin1')]);
    case 'unicode-le': return Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), Buffer.from(text, 'utf16le')]);
    case 'unicode-be': return Buffer.concat([Buffer.from('UNICODE\0', 'latin1'), Buffer.from(text, 'utf16le').swap16()]);
    case 'jis': return Buffer.concat([Buffer.from('JIS\0\0\0\0\0', 'latin1'), shiftJis(text)]);
    case 'undefined': return Buffer.concat([Buffer.alloc(8), Buffer.from(text, 'utf8')]);
  }
}

// Shift_JIS bytes for the few characters the tests use (Node has a decoder but no encoder).
function shiftJis(text: string): Buffer {
  const table: Record<string, number[]> = { '猫': [0x94, 0x4c], '赤': [0x90, 0xd4], 'い': [0x82, 0xa2] };
  return Buffer.from([...text].flatMap((c) => table[c] ?? [c.charCodeAt(0) & 0x7f]));
}

export interface ExifFields {
  readonly userComment?: Buffer;
  readonly imageDescription?: string;
  readonly software?: string;
  readonly makerNote?: string;
}

/** A little-endian TIFF (EXIF 2.32 §4.5) with IFD0 and an Exif IFD. */
export function tiffExif(fields: ExifFields): Buffer {
  type Entry = { tag: number; type: number; count: number; data: Buffer };
  const ascii = (tag: number, s: string): Entry => ({ tag, type: 2, count: Buffer.byteLength(s) + 1, data: Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]) });
  const undef = (tag: number, b: Buffer): Entry => ({ tag, type: 7, count: b.length, data: b });
  const ifd0: Entry[] = [];
  if (fields.imageDescription !== undefined) ifd0.push(ascii(0x010e, fields.imageDescription));
  if (fields.software !== undefined) ifd0.push(ascii(0x0131, fields.software));
  const exif: Entry[] = [];
  if (fields.userComment) exif.push(undef(0x9286, fields.userComment));
  if (fields.makerNote !== undefined) exif.push(undef(0x927c, Buffer.from(fields.makerNote, 'utf8')));
  const pointer: Entry = { tag: 0x8769, type: 4, count: 1, data: Buffer.alloc(4) };
  ifd0.push(pointer);
  const ifdSize = (n: number): number => 2 + n * 12 + 4;
  const layout = (entries: Entry[], start: number): { table: Buffer; extra: Buffer } => {
    let dataAt = start + ifdSize(entries.length);
    const table = Buffer.alloc(ifdSize(entries.length));
    const extras: Buffer[] = [];
    table.writeUInt16LE(entries.length, 0);
    entries.sort((a, b) => a.tag - b.tag).forEach((e, i) => {
      const at = 2 + i * 12;
      table.writeUInt16LE(e.tag, at);
      table.writeUInt16LE(e.type, at + 2);
      table.writeUInt32LE(e.count, at + 4);
      if (e.data.length <= 4) e.data.copy(table, at + 8);
      else {
        table.writeUInt32LE(dataAt, at + 8);
        const padded = e.data.length % 2 ? Buffer.concat([e.data, Buffer.alloc(1)]) : e.data;
        extras.push(padded);
        dataAt += padded.length;
      }
    });
    return { table, extra: Buffer.concat(extras) };
  };
  const header = Buffer.from([0x49, 0x49, 0x2a, 0x00, 8, 0, 0, 0]);
  // Lay IFD0 out once to learn where the Exif IFD will start, then point to it.
  const first = layout(ifd0, 8);
  pointer.data.writeUInt32LE(8 + first.table.length + first.extra.length, 0);
  const zero = layout(ifd0, 8);
  const exifStart = 8 + zero.table.length + zero.extra.length;
  const sub = layout(exif, exifStart);
  return Buffer.concat([header, zero.table, zero.extra, sub.table, sub.extra]);
}

export function xmpPacket(inner: string): string {
  return `<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${inner}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;
}

export function tc260Xmp(label: Record<string, string>, attribute = true): string {
  const json = JSON.stringify(label);
  const escaped = json.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return xmpPacket(attribute
    ? `<rdf:Description rdf:about="" xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/" TC260:AIGC="${escaped}"/>`
    : `<rdf:Description rdf:about="" xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/"><TC260:AIGC>${escaped}</TC260:AIGC></rdf:Description>`);
}

/** A real baseline JPEG (jpeg-js) with an EXIF APP1 and, optionally, an XMP APP1. */
export function jpegWithExif(fields: ExifFields, options: { xmp?: string; width?: number; height?: number } = {}): Buffer {
  const width = options.width ?? 16;
  const height = options.height ?? 12;
  const encoded = jpeg.encode({ data: pixels(width, height, 3), width, height }, 80).data;
  const segment = (payload: Buffer): Buffer => {
    const head = Buffer.from([0xff, 0xe1, 0, 0]);
    head.writeUInt16BE(payload.length + 2, 2);
    return Buffer.concat([head, payload]);
  };
  const app1 = segment(Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiffExif(fields)]));
  const xmp = options.xmp ? segment(Buffer.concat([Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'), Buffer.from(options.xmp, 'utf8')])) : Buffer.alloc(0);
  return Buffer.concat([encoded.subarray(0, 2), app1, xmp, encoded.subarray(2)]);
}

export function hasLibwebp(): boolean {
  try {
    return execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' }).includes('libwebp');
  } catch {
    return false;
  }
}

/** A real WebP (ffmpeg libwebp) turned into an extended file (VP8X) with an EXIF chunk (RFC 9649). */
export function webpWithExif(fields: ExifFields, options: { width?: number; height?: number } = {}): Buffer {
  const width = options.width ?? 16;
  const height = options.height ?? 12;
  const dir = mkdtempSync(join(tmpdir(), 'proofline-webp-'));
  try {
    const png = new PNG({ width, height });
    pixels(width, height, 5).copy(png.data);
    writeFileSync(join(dir, 'in.png'), PNG.sync.write(png));
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', join(dir, 'in.png'), '-c:v', 'libwebp', '-lossless', '1', join(dir, 'out.webp')]);
    const plain = readFileSync(join(dir, 'out.webp'));
    const image = plain.subarray(12);
    const riffChunk = (fourcc: string, data: Buffer): Buffer => {
      const head = Buffer.alloc(8);
      head.write(fourcc, 0, 'latin1');
      head.writeUInt32LE(data.length, 4);
      return Buffer.concat([head, data, data.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
    };
    const vp8x = Buffer.alloc(10);
    vp8x[0] = 0x08; // EXIF present
    vp8x.writeUIntLE(width - 1, 4, 3);
    vp8x.writeUIntLE(height - 1, 7, 3);
    const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), riffChunk('VP8X', vp8x), image, riffChunk('EXIF', tiffExif(fields))]);
    const riff = Buffer.alloc(8);
    riff.write('RIFF', 0, 'latin1');
    riff.writeUInt32LE(body.length, 4);
    return Buffer.concat([riff, body]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// ---- what each tool writes --------------------------------------------------------------

export const A1111_PARAMETERS = [
  'masterpiece, a red fox in the snow, (detailed fur:1.2)',
  'golden hour',
  'Negative prompt: lowres, bad anatomy',
  'blurry',
  'Steps: 28, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 6.5, Seed: 3141592653, Size: 832x1216, Model hash: 6ce0161689, Model: sd_xl_base_1.0, Denoising strength: 0.35, Lora hashes: "fox_v2: 1a2b3c4d5e6f, snow: 0f0f0f0f0f0f", Version: v1.10.1',
].join('\n');

export const A1111_CHINESE = [
  '一只在雪地里的红狐狸，水墨画风格，金色阳光',
  'Negative prompt: 模糊，低质量',
  'Steps: 30, Sampler: Euler a, CFG scale: 7, Seed: 20250901, Size: 768x512, Model hash: 7f96a1a9ca, Model: 国风_v3, Version: v1.10.1',
].join('\n');

export function a1111Parameters(seed: number, prompt = 'a lighthouse at dusk, oil painting'): string {
  return `${prompt}\nNegative prompt: blurry\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: ${seed}, Size: 512x512, Model hash: 6ce0161689, Model: v1-5-pruned-emaonly`;
}

/** An API-format ComfyUI graph: checkpoint → LoRA → KSampler, text through links, img2img input. */
export function comfyPromptGraph(seed = 156680208700286, options: { img2img?: boolean } = {}): Record<string, unknown> {
  const graph: Record<string, unknown> = {
    '3': { class_type: 'KSampler', inputs: { seed, steps: 25, cfg: 7.5, sampler_name: 'dpmpp_2m', scheduler: 'karras', denoise: options.img2img ? 0.6 : 1, model: ['10', 0], positive: ['6', 0], negative: ['7', 0], latent_image: options.img2img ? ['12', 0] : ['5', 0] }, _meta: { title: 'KSampler' } },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: 'sd_xl_base_1.0.safetensors' } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: 1024, height: 768, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: ['13', 0], clip: ['10', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: 'text, watermark, 模糊', clip: ['10', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'ComfyUI', images: ['8', 0] } },
    '10': { class_type: 'LoraLoader', inputs: { lora_name: 'ink_style.safetensors', strength_model: 0.8, strength_clip: 0.8, model: ['4', 0], clip: ['4', 1] } },
    '13': { class_type: 'PrimitiveStringMultiline', inputs: { value: '水墨山水，远山与小舟, ink landscape' } },
  };
  if (options.img2img) {
    graph['11'] = { class_type: 'LoadImage', inputs: { image: 'sketch-v3.png', upload: 'image' } };
    graph['12'] = { class_type: 'VAEEncode', inputs: { pixels: ['11', 0], vae: ['4', 2] } };
  }
  return graph;
}

/** The UI-format workflow saved beside it (a trimmed but faithful shape: nodes, links, widgets). */
export function comfyWorkflow(): Record<string, unknown> {
  return {
    last_node_id: 9,
    last_link_id: 9,
    nodes: [
      { id: 3, type: 'KSampler', inputs: [{ name: 'model', link: 1 }, { name: 'positive', link: 4 }, { name: 'negative', link: 6 }, { name: 'latent_image', link: 2 }], widgets_values: [42, 'fixed', 20, 8, 'euler', 'normal', 1] },
      { id: 4, type: 'CheckpointLoaderSimple', inputs: [], widgets_values: ['v1-5-pruned-emaonly.safetensors'] },
      { id: 5, type: 'EmptyLatentImage', inputs: [], widgets_values: [512, 512, 1] },
      { id: 6, type: 'CLIPTextEncode', inputs: [{ name: 'clip', link: 3 }], widgets_values: ['beautiful scenery nature glass bottle landscape'] },
      { id: 7, type: 'CLIPTextEncode', inputs: [{ name: 'clip', link: 5 }], widgets_values: ['text, watermark'] },
    ],
    links: [[1, 4, 0, 3, 0, 'MODEL'], [2, 5, 0, 3, 3, 'LATENT'], [3, 4, 1, 6, 0, 'CLIP'], [4, 6, 0, 3, 1, 'CONDITIONING'], [5, 4, 1, 7, 0, 'CLIP'], [6, 7, 0, 3, 2, 'CONDITIONING']],
    version: 0.4,
  };
}

/** Python's json.dumps (ensure_ascii): what ComfyUI writes, so the tEXt chunk stays Latin-1. */
export function pythonJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function comfyPng(seed?: number, options: { img2img?: boolean; width?: number; height?: number; pixelSeed?: number } = {}): Buffer {
  return pngWithText([
    { type: 'tEXt', keyword: 'prompt', text: pythonJson(comfyPromptGraph(seed, options)) },
    { type: 'tEXt', keyword: 'workflow', text: pythonJson(comfyWorkflow()) },
  ], { width: options.width, height: options.height, seed: options.pixelSeed });
}

export const INVOKEAI_METADATA = {
  generation_mode: 'sdxl_txt2img',
  positive_prompt: 'a cozy reading nook, warm light',
  negative_prompt: 'clutter',
  width: 1024,
  height: 1024,
  seed: 1234567,
  rand_device: 'cpu',
  cfg_scale: 6,
  cfg_rescale_multiplier: 0,
  steps: 30,
  scheduler: 'dpmpp_2m_k',
  model: { key: 'a3b1', hash: 'blake3:9f1e…', name: 'Juggernaut XL v9', base: 'sdxl', type: 'main' },
  app_version: '5.6.0',
};

export const FOOOCUS_JSON = {
  adm_guidance: '(1.5, 0.8, 0.3)',
  base_model: 'juggernautXL_v8Rundiffusion.safetensors',
  base_model_hash: 'aeb7e9e689',
  full_negative_prompt: ['unrealistic', 'saturated'],
  full_prompt: ['cinematic still of a cat'],
  guidance_scale: 4,
  negative_prompt: '',
  performance: 'Speed',
  prompt: 'a cat astronaut',
  resolution: '(1152, 896)',
  sampler: 'dpmpp_2m_sde_gpu',
  scheduler: 'karras',
  seed: '8813052427012345',
  sharpness: 2,
  steps: 30,
  styles: "['Fooocus V2', 'Fooocus Enhance']",
  version: 'Fooocus v2.5.5',
};

export const NOVELAI_COMMENT = {
  prompt: '1girl, cherry blossoms, 樱花, best quality',
  steps: 28,
  height: 1216,
  width: 832,
  scale: 5,
  uncond_scale: 0,
  cfg_rescale: 0,
  seed: 2718281828,
  n_samples: 1,
  noise_schedule: 'karras',
  sampler: 'k_euler_ancestral',
  uc: 'lowres, bad hands',
  request_type: 'PromptGenerateRequest',
};

export const MIDJOURNEY_DESCRIPTION = 'a paper boat on a rainy street, cinematic --ar 3:2 --v 6.1 --seed 987654 --no people Job ID: 1b7c9d2e-3f4a-4b5c-8d6e-7f8091a2b3c4';

export const AIGC_LABEL = {
  Label: '1',
  ContentProducer: '001191110108MA01KP2T5U00000',
  ProduceID: 'img-20250901-000123',
  ReservedCode1: '',
  ContentPropagator: '001191110108MA01KP2T5U00000',
  PropagateID: 'post-7781',
  ReservedCode2: '',
};
