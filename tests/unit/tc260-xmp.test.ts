import { describe, expect, it } from 'vitest';
import jpeg from 'jpeg-js';
import { aigcFromXmp } from '../../src/core/capture/creation/metadata/aigc-label.js';
import { jpegWithXmp, pngWithXmp, xmpPacket, type Tc260Label } from '../../src/core/provenance/tc260-xmp.js';
import { jpegWithExif, pngWithText, tc260Xmp, xmpPacket as generatorXmp } from '../support/ai-images.js';

const LABEL: Tc260Label = { Label: '1', ContentProducer: 'a1111 v1.10.1', ProduceID: 'session-1', ReservedCode1: 'ab'.repeat(32), ContentPropagator: '', PropagateID: '', ReservedCode2: '' };

/** Every XMP iTXt chunk's text in a PNG. */
function pngXmps(png: Buffer): string[] {
  const found: string[] = [];
  for (let at = 8; at + 12 <= png.length; ) {
    const length = png.readUInt32BE(at);
    const data = png.subarray(at + 8, at + 8 + length);
    if (png.toString('latin1', at + 4, at + 8) === 'iTXt' && data.toString('latin1', 0, 18) === 'XML:com.adobe.xmp\0') found.push(data.subarray(22).toString('utf8'));
    at += 12 + length;
  }
  return found;
}

describe('the TC260 label written into XMP', () => {
  it('reads back with the label reader, special characters escaped', () => {
    const label = { ...LABEL, ContentProducer: 'Tool "A" & <B> 工具' };
    expect(aigcFromXmp(xmpPacket(label))).toMatchObject({ label: '1', contentProducer: 'Tool "A" & <B> 工具', produceId: 'session-1' });
  });

  it('PNG: one XMP chunk, after IHDR and before the image data; the generator’s XMP kept beside it', () => {
    const withGenerator = pngWithText([{ type: 'iTXt', keyword: 'XML:com.adobe.xmp', text: generatorXmp('<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Li Wei"/>') }]);
    const out = pngWithXmp(withGenerator, LABEL, 'img');
    const xmps = pngXmps(out);
    expect(xmps).toHaveLength(1);
    expect(xmps[0]).toContain('dc:creator="Li Wei"');
    expect(aigcFromXmp(xmps[0])).toMatchObject({ produceId: 'session-1', reservedCode1: LABEL.ReservedCode1 });
    expect(out.toString('latin1').indexOf('iTXt')).toBeLessThan(out.toString('latin1').indexOf('IDAT'));
  });

  it('refuses to overwrite another producer’s TC260 label', () => {
    const labelled = pngWithText([{ type: 'iTXt', keyword: 'XML:com.adobe.xmp', text: tc260Xmp({ Label: '1', ContentProducer: 'Doubao', ProduceID: 'x' }) }]);
    expect(() => pngWithXmp(labelled, LABEL, 'img')).toThrow(expect.objectContaining({ code: 'publish.label-present' }));
  });

  it('JPEG: the XMP APP1 after the EXIF APP1, the pixels decode the same', () => {
    const original = jpegWithExif({ software: 'Fooocus' });
    const out = jpegWithXmp(original, LABEL, 'img');
    expect(Buffer.compare(Buffer.from(jpeg.decode(out).data), Buffer.from(jpeg.decode(original).data))).toBe(0);
    const exif = out.indexOf(Buffer.from('Exif\0\0', 'latin1'));
    const xmp = out.indexOf(Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1'));
    expect(exif).toBeGreaterThan(0);
    expect(xmp).toBeGreaterThan(exif);
    expect(aigcFromXmp(out.subarray(xmp).toString('utf8'))).toMatchObject({ produceId: 'session-1' });
  });
});
