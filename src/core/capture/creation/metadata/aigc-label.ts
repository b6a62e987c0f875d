import { parseJsonObject, stringOrNull, type AigcLabel } from './types.js';

// GB 45438-2025 (标识办法 implicit label) puts a metadata field `AIGC` holding JSON with Label,
// ContentProducer, ProduceID, ReservedCode1, ContentPropagator, PropagateID, ReservedCode2; the
// TC260 practice guide carries it in XMP under xmlns:TC260="http://www.tc260.org.cn/ns/AIGC/1.0/"
// as TC260:AIGC (an attribute or an element). Files are stored untouched; this only reports it.
const MEANINGS: Readonly<Record<string, string>> = {
  '1': 'AI-generated content (属于人工智能生成合成内容)',
  '2': 'possibly AI-generated (可能为人工智能生成合成内容)',
  '3': 'suspected AI-generated (疑似为人工智能生成合成内容)',
};
const ATTRIBUTE = /TC260:AIGC\s*=\s*("([^"]*)"|'([^']*)')/;
const ELEMENT = /<TC260:AIGC(?:\s[^>]*)?>([\s\S]*?)<\/TC260:AIGC>/;

export function xmlUnescape(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

export function aigcFromXmp(xmp: string | undefined): AigcLabel | undefined {
  if (!xmp) return undefined;
  const attribute = ATTRIBUTE.exec(xmp);
  const element = attribute ? null : ELEMENT.exec(xmp);
  const raw = attribute ? (attribute[2] ?? attribute[3] ?? '') : element ? element[1]!.replace(/^<!\[CDATA\[|\]\]>$/g, '') : null;
  return raw === null ? undefined : aigcFromJson(xmlUnescape(raw).trim(), 'xmp');
}

// The TC260 practice guides (TC260-PG-20259A, 2025) also name EXIF UserComment for JPEG, HEIF,
// PNG and WebP, the label either as the JSON itself or wrapped as {"AIGC": {…}} (appendix B),
// and for PNG a text chunk or a private chunk called AIGC. Tencent's images carry the wrapped
// form in an ASCII UserComment, ReservedCode1 holding a JSON string of its own (SM3 digest).
export function aigcFromExif(userComment: string | undefined): AigcLabel | undefined {
  if (userComment === undefined || !/AIGC|ContentProducer|"Label"/i.test(userComment)) return undefined;
  const json = parseJsonObject(userComment.trim());
  if (!json) return undefined;
  const inner = json['AIGC'] ?? json['aigc'];
  if (typeof inner === 'string') return aigcFromJson(inner, 'exif');
  if (inner !== null && typeof inner === 'object' && !Array.isArray(inner)) return aigcFromJson(JSON.stringify(inner), 'exif', userComment);
  const keys = Object.keys(json).map(normalKey);
  return keys.includes('label') && (keys.includes('contentproducer') || keys.includes('produceid')) ? aigcFromJson(userComment.trim(), 'exif') : undefined;
}

/** Writers differ in case and stray punctuation ("ReservedCode2:" appears in published samples). */
const normalKey = (key: string): string => key.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

export function aigcFromJson(raw: string, carrier: AigcLabel['carrier'], asEmbedded = raw): AigcLabel {
  const parsed = parseJsonObject(raw) ?? {};
  const json: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) json[normalKey(key)] ??= value;
  const field = (name: string): string | null => stringOrNull(json[normalKey(name)]);
  const label = field('Label');
  return {
    label,
    meaning: label !== null ? (MEANINGS[label] ?? null) : null,
    contentProducer: field('ContentProducer'),
    produceId: field('ProduceID'),
    contentPropagator: field('ContentPropagator'),
    propagateId: field('PropagateID'),
    reservedCode1: field('ReservedCode1'),
    reservedCode2: field('ReservedCode2'),
    carrier,
    raw: asEmbedded,
  };
}
