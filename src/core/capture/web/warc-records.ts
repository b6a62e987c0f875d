import { WARCRecord, WARCSerializer } from 'warcio';
import type { HttpExchange } from './har.js';
import { cdxTimestamp, surt } from './surt.js';

const WARC_1_1 = 'WARC/1.1';

/** One line of a CDXJ index (https://specs.webrecorder.net/cdxj/0.1.0/): what points into the WARC. */
export interface CdxjEntry {
  readonly surt: string;
  readonly timestamp: string;
  readonly url: string;
  readonly mime: string;
  readonly status: string;
  readonly digest: string;
  readonly length: string;
  readonly offset: string;
  readonly filename: string;
}

export interface BuiltWarc {
  readonly bytes: Buffer;
  readonly index: CdxjEntry[];
  readonly records: number;
}

// Bodies are archived decoded (as the browser handed them over), so the transfer framing
// headers no longer describe the payload; the originals are kept under X-Archive-Orig-*, the
// convention replay tools (pywb, ReplayWeb.page) understand.
const REWRITTEN = new Set(['content-encoding', 'transfer-encoding', 'content-length']);

function responseHeaders(exchange: HttpExchange): [string, string][] {
  const headers: [string, string][] = [];
  for (const [name, value] of exchange.responseHeaders) {
    const lower = name.toLowerCase();
    if (REWRITTEN.has(lower)) headers.push([`X-Archive-Orig-${name}`, value]);
    else headers.push([name, value]);
  }
  headers.push(['Content-Length', String(exchange.body.length)]);
  return headers;
}

function requestLine(exchange: HttpExchange): string {
  let target = exchange.url;
  try {
    const parsed = new URL(exchange.url);
    target = `${parsed.pathname}${parsed.search}`;
  } catch {
    // keep the URL as typed
  }
  return `${exchange.method} ${target} HTTP/1.1`;
}

function requestHeaders(exchange: HttpExchange): [string, string][] {
  const headers = exchange.requestHeaders.map(([name, value]) => [name, value] as [string, string]);
  if (!headers.some(([name]) => name.toLowerCase() === 'host')) {
    try {
      headers.unshift(['Host', new URL(exchange.url).host]);
    } catch {
      // no host to add
    }
  }
  return headers;
}

async function serialize(record: WARCRecord): Promise<Buffer> {
  // One gzip member per record: a reader can seek to a CDXJ offset and inflate just that record.
  return Buffer.from(await WARCSerializer.serialize(record, { gzip: true }));
}

function mimeOf(exchange: HttpExchange): string {
  const type = exchange.responseHeaders.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  return type.split(';')[0]!.trim().toLowerCase() || 'unk';
}

/**
 * A WARC 1.1 file (ISO 28500:2017) of a warcinfo record, then for each exchange a response record
 * and the request record that is WARC-Concurrent-To it; digests are SHA-256 (warcio computes
 * WARC-Payload-Digest and WARC-Block-Digest). Returns the CDXJ entries of the response records.
 */
export async function buildWarc(
  exchanges: readonly HttpExchange[],
  info: { readonly filename: string; readonly software: string; readonly description: string; readonly date: Date },
): Promise<BuiltWarc> {
  const chunks: Buffer[] = [];
  const index: CdxjEntry[] = [];
  let offset = 0;
  const push = (bytes: Buffer): number => {
    const at = offset;
    chunks.push(bytes);
    offset += bytes.length;
    return at;
  };
  const warcinfo = await WARCRecord.createWARCInfo(
    { filename: info.filename, warcVersion: WARC_1_1, date: info.date.toISOString() },
    { software: info.software, format: 'WARC File Format 1.1', conformsTo: 'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/', description: info.description },
  );
  push(await serialize(warcinfo));
  let records = 1;
  for (const exchange of exchanges) {
    const date = Number.isNaN(exchange.date.getTime()) ? info.date : exchange.date;
    const warcHeaders: Record<string, string> = {};
    if (exchange.serverIp) warcHeaders['WARC-IP-Address'] = exchange.serverIp;
    // WARC 1.1 §5.13: the record holds only part of the payload; 'time' is a capture that ran out of it.
    if (exchange.truncated) warcHeaders['WARC-Truncated'] = 'time';
    const response = WARCRecord.create(
      {
        url: exchange.url,
        date: date.toISOString(),
        type: 'response',
        warcVersion: WARC_1_1,
        statusline: `HTTP/1.1 ${exchange.status} ${exchange.statusText}`.trimEnd(),
        httpHeaders: responseHeaders(exchange),
        warcHeaders,
      },
      [exchange.body],
    );
    const responseBytes = await serialize(response);
    const responseOffset = push(responseBytes);
    const responseId = response.warcHeaders.headers.get('WARC-Record-ID')!;
    const request = WARCRecord.create(
      {
        url: exchange.url,
        date: date.toISOString(),
        type: 'request',
        warcVersion: WARC_1_1,
        statusline: requestLine(exchange),
        httpHeaders: requestHeaders(exchange),
        warcHeaders: { 'WARC-Concurrent-To': responseId },
      },
      [exchange.requestBody],
    );
    push(await serialize(request));
    records += 2;
    index.push({
      surt: surt(exchange.url),
      timestamp: cdxTimestamp(date),
      url: exchange.url,
      mime: mimeOf(exchange),
      status: String(exchange.status),
      digest: response.warcHeaders.headers.get('WARC-Payload-Digest') ?? '',
      length: String(responseBytes.length),
      offset: String(responseOffset),
      filename: info.filename,
    });
  }
  return { bytes: Buffer.concat(chunks), index, records };
}

/** CDXJ text: "SURT TIMESTAMP {json}" lines sorted bytewise, as binary search over the index requires. */
export function cdxjText(index: readonly CdxjEntry[]): string {
  const lines = index.map((entry) => {
    const { surt: key, timestamp, ...fields } = entry;
    return `${key} ${timestamp} ${JSON.stringify(fields)}`;
  });
  lines.sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
