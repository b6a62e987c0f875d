import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotAnImageError, readImageMetadata } from '../../src/core/capture/creation/metadata/index.js';
import { decodeUserComment } from '../../src/core/capture/creation/metadata/user-comment.js';
import { A1111_CHINESE, AIGC_LABEL, FOOOCUS_JSON, MIDJOURNEY_DESCRIPTION, NOVELAI_COMMENT, INVOKEAI_METADATA, jpegWithExif, pngWithText, tc260Xmp, userCommentBytes, webpWithExif, xmpPacket } from '../support/ai-images.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-exif-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('EXIF UserComment', () => {
  it('decodes each character-code header: ASCII, UNICODE in both byte orders, JIS, undefined', () => {
    expect(decodeUserComment(userCommentBytes('Steps: 20', 'ascii'))).toBe('Steps: 20');
    expect(decodeUserComment(userCommentBytes(A1111_CHINESE, 'unicode-be'))).toBe(A1111_CHINESE);
    expect(decodeUserComment(userCommentBytes(A1111_CHINESE, 'unicode-le'))).toBe(A1111_CHINESE);
    expect(decodeUserComment(userCommentBytes('赤い猫', 'jis'))).toBe('赤い猫');
    expect(decodeUserComment(userCommentBytes('雪の狐 snow fox', 'undefined'))).toBe('雪の狐 snow fox');
  });
});

describe('readImageMetadata on JPEG and WebP', () => {
  it('reads A1111 parameters from a JPEG UserComment and the TC260 label from its XMP', async () => {
    const path = file('a1111.jpg', jpegWithExif({ userComment: userCommentBytes(A1111_CHINESE, 'unicode-be') }, { xmp: tc260Xmp(AIGC_LABEL), width: 24, height: 18 }));
    const meta = await readImageMetadata(path);
    expect(meta).toMatchObject({ format: 'jpeg', tool: 'a1111', prompt: '一只在雪地里的红狐狸，水墨画风格，金色阳光', seed: '20250901', image: { width: 24, height: 18 }, aigcLabel: { label: '1', carrier: 'xmp' } });
    expect(meta.raw['exif:UserComment']).toBe(A1111_CHINESE);
    expect(meta.raw['xmp']).toContain('TC260:AIGC');
  });

  it('reads Fooocus JSON from a WebP EXIF chunk (scheme in MakerNote)', async () => {
    const path = file('fooocus.webp', webpWithExif({ userComment: userCommentBytes(JSON.stringify(FOOOCUS_JSON), 'unicode-le'), makerNote: 'fooocus', software: 'Fooocus v2.5.5' }, { width: 20, height: 14 }));
    expect(await readImageMetadata(path)).toMatchObject({ format: 'webp', tool: 'fooocus', seed: '8813052427012345', width: 1152, image: { width: 20, height: 14 }, software: 'Fooocus v2.5.5' });
  });

  it('reads Midjourney from a JPEG ImageDescription, and from XMP dc:description', async () => {
    const fromExif = await readImageMetadata(file('mj.jpg', jpegWithExif({ imageDescription: MIDJOURNEY_DESCRIPTION })));
    expect(fromExif).toMatchObject({ tool: 'midjourney', seed: '987654' });
    const xmp = xmpPacket(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description><rdf:Alt><rdf:li xml:lang="x-default">${MIDJOURNEY_DESCRIPTION}</rdf:li></rdf:Alt></dc:description></rdf:Description>`);
    const fromXmp = await readImageMetadata(file('mj-xmp.png', pngWithText([{ type: 'iTXt', keyword: 'XML:com.adobe.xmp', text: xmp }])));
    expect(fromXmp).toMatchObject({ tool: 'midjourney', prompt: 'a paper boat on a rainy street, cinematic' });
  });
});

describe('readImageMetadata on PNG', () => {
  it('tells each tool apart by what it writes', async () => {
    const cases: [string, Buffer, string][] = [
      ['invoke.png', pngWithText([{ type: 'tEXt', keyword: 'invokeai_metadata', text: JSON.stringify(INVOKEAI_METADATA) }]), 'invokeai'],
      ['fooocus.png', pngWithText([{ type: 'tEXt', keyword: 'parameters', text: JSON.stringify(FOOOCUS_JSON) }, { type: 'tEXt', keyword: 'fooocus_scheme', text: 'fooocus' }]), 'fooocus'],
      ['nai.png', pngWithText([{ type: 'tEXt', keyword: 'Software', text: 'NovelAI' }, { type: 'tEXt', keyword: 'Source', text: 'Stable Diffusion XL C1E1DE52' }, { type: 'iTXt', keyword: 'Comment', text: JSON.stringify(NOVELAI_COMMENT) }]), 'novelai'],
      ['mj.png', pngWithText([{ type: 'tEXt', keyword: 'Description', text: MIDJOURNEY_DESCRIPTION }, { type: 'tEXt', keyword: 'Author', text: 'someone' }]), 'midjourney'],
      ['plain.png', pngWithText([]), 'unknown'],
    ];
    for (const [name, bytes, tool] of cases) expect((await readImageMetadata(file(name, bytes))).tool, name).toBe(tool);
  });

  it('keeps the raw text of a broken ComfyUI graph and says so', async () => {
    const meta = await readImageMetadata(file('broken-graph.png', pngWithText([{ type: 'tEXt', keyword: 'prompt', text: '{"3": {"class_type": "KSampler", ' }])));
    expect(meta.raw['prompt']).toBe('{"3": {"class_type": "KSampler", ');
    expect(meta.warnings[0]).toMatch(/not an API-format graph/);
  });

  it('refuses a file that only has an image name', async () => {
    await expect(readImageMetadata(file('fake.png', Buffer.from('GIF89a not really')))).rejects.toBeInstanceOf(NotAnImageError);
  });
});

describe('seeds beyond 2^53', () => {
  it('keeps every digit of a 64-bit ComfyUI seed in the seed itself', async () => {
    const graph = '{"3": {"class_type": "KSampler", "inputs": {"seed": 18446744073709551557, "steps": 20, "cfg": 7, "sampler_name": "euler", "scheduler": "normal", "denoise": 1}}, "9": {"class_type": "SaveImage", "inputs": {"images": ["3", 0]}}}';
    const meta = await readImageMetadata(file('big-seed.png', pngWithText([{ type: 'tEXt', keyword: 'prompt', text: graph }])));
    expect(meta.seed).toBe('18446744073709551557');
    expect(meta.parameters['seedExact']).toBeUndefined();
  });
});
