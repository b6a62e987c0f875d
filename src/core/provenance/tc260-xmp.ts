// The TC260 implicit label (GB 45438-2025 §5.2 and Appendix E; the TC260 practice guide on
// metadata labels) written into an image's XMP, and the XMP written into the file: PNG as an iTXt
// chunk keyed "XML:com.adobe.xmp" (XMP Specification Part 3, §1.1.5), JPEG as an APP1 segment
// whose payload starts "http://ns.adobe.com/xap/1.0/\0" (Part 3, §1.1.3). Written before the C2PA
// manifest is signed, so the manifest's hard binding (c2pa.hash.data) covers the label too.
import { crc32 } from 'node:zlib';
import { ProoflineError } from '../errors.js';

export const TC260_NS = 'http://www.tc260.org.cn/ns/AIGC/1.0/';

/** The fields of the `AIGC` JSON, in the order of GB 45438-2025 Appendix E. */
export interface Tc260Label {
  /** "1": AI-generated (属于人工智能生成合成内容). */
  readonly Label: '1' | '2' | '3';
  readonly ContentProducer: string;
  readonly ProduceID: string;
  readonly ReservedCode1: string;
  readonly ContentPropagator: string;
  readonly PropagateID: string;
  readonly ReservedCode2: string;
}

const xmlEscape = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** One rdf:Description with TC260:AIGC as an attribute (the form the TC260 guide shows). */
function description(label: Tc260Label): string {
  return `<rdf:Description rdf:about="" xmlns:TC260="${TC260_NS}" TC260:AIGC="${xmlEscape(JSON.stringify(label))}"/>`;
}

export function xmpPacket(label: Tc260Label): string {
  return [
    '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?>',
    '<x:xmpmeta xmlns:x="adobe:ns:meta/">',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
    description(label),
    '</rdf:RDF>',
    '</x:xmpmeta>',
    '<?xpacket end="w"?>',
  ].join('\n');
}

/** An existing packet with our description added, so what the generator wrote stays. */
function mergedPacket(existing: string | null, label: Tc260Label, where: string): string {
  if (existing === null) return xmpPacket(label);
  if (existing.includes(TC260_NS) || /TC260:AIGC/.test(existing)) {
    throw new ProoflineError('publish.label-present', `${where} already carries a TC260 label in its XMP; Proofline does not overwrite another producer's label. Publish it without a label (--no-label).`, { sha256: where });
  }
  const end = existing.lastIndexOf('</rdf:RDF>');
  if (end < 0) return xmpPacket(label); // not RDF: replaced by a valid packet
  return `${existing.slice(0, end)}${description(label)}\n${existing.slice(end)}`;
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const XMP_KEYWORD = 'XML:com.adobe.xmp';

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** PNG: the XMP iTXt replaced (or added right after IHDR, before any image data). */
export function pngWithXmp(png: Buffer, label: Tc260Label, where: string): Buffer {
  if (!png.subarray(0, 8).equals(PNG_SIGNATURE)) throw new ProoflineError('publish.format', `${where} is not a PNG file.`, { sha256: where, mime: 'unknown' });
  const parts: Buffer[] = [PNG_SIGNATURE];
  let existing: string | null = null;
  let at = 8;
  let insertAfter = -1;
  const chunks: { type: string; bytes: Buffer }[] = [];
  while (at + 12 <= png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (end > png.length) break;
    const data = png.subarray(at + 8, at + 8 + length);
    if (type === 'iTXt' && data.subarray(0, XMP_KEYWORD.length + 1).equals(Buffer.from(`${XMP_KEYWORD}\0`, 'latin1')) && data[XMP_KEYWORD.length + 1] === 0) {
      // keyword\0, compression flag 0, method, language\0, translated keyword\0, text
      let p = XMP_KEYWORD.length + 3;
      p = data.indexOf(0, p) + 1;
      p = data.indexOf(0, p) + 1;
      existing = data.subarray(p).toString('utf8');
    } else {
      chunks.push({ type, bytes: png.subarray(at, end) });
      if (type === 'IHDR') insertAfter = chunks.length - 1;
    }
    at = end;
  }
  if (insertAfter < 0) throw new ProoflineError('publish.format', `${where} is not a readable PNG (no IHDR).`, { sha256: where, mime: 'image/png' });
  const text = Buffer.from(mergedPacket(existing, label, where), 'utf8');
  const itxt = pngChunk('iTXt', Buffer.concat([Buffer.from(`${XMP_KEYWORD}\0\0\0\0\0`, 'latin1'), text]));
  chunks.forEach((chunk, i) => {
    parts.push(chunk.bytes);
    if (i === insertAfter) parts.push(itxt);
  });
  return Buffer.concat(parts);
}

const XMP_APP1 = Buffer.from('http://ns.adobe.com/xap/1.0/\0', 'latin1');

/** JPEG: the XMP APP1 replaced (or added after SOI and the APP0/APP1 segments already there). */
export function jpegWithXmp(jpeg: Buffer, label: Tc260Label, where: string): Buffer {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new ProoflineError('publish.format', `${where} is not a JPEG file.`, { sha256: where, mime: 'unknown' });
  const head: Buffer[] = [];
  let existing: string | null = null;
  let at = 2;
  // Walk the APPn segments at the start (APP0 JFIF, APP1 Exif/XMP, APP2 ICC…); the XMP goes after them.
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff && jpeg[at + 1]! >= 0xe0 && jpeg[at + 1]! <= 0xef) {
    const length = jpeg.readUInt16BE(at + 2);
    const segment = jpeg.subarray(at, at + 2 + length);
    const data = segment.subarray(4);
    if (jpeg[at + 1] === 0xe1 && data.subarray(0, XMP_APP1.length).equals(XMP_APP1)) existing = data.subarray(XMP_APP1.length).toString('utf8');
    else head.push(segment);
    at += 2 + length;
  }
  const text = Buffer.from(mergedPacket(existing, label, where), 'utf8');
  const payload = Buffer.concat([XMP_APP1, text]);
  if (payload.length + 2 > 0xffff) throw new ProoflineError('publish.failed', `The XMP of ${where} is too large for one JPEG segment.`, { reason: 'XMP over 64 KB' });
  const marker = Buffer.from([0xff, 0xe1, 0, 0]);
  marker.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), ...head, marker, payload, jpeg.subarray(at)]);
}
