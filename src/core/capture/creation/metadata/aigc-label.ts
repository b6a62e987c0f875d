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

function xmlUnescape(text: string): string {
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

export function aigcFromJson(raw: string, carrier: AigcLabel['carrier']): AigcLabel {
  const json = parseJsonObject(raw) ?? {};
  const field = (name: string): string | null => stringOrNull(json[name] ?? json[name.toLowerCase()]);
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
    raw,
  };
}
