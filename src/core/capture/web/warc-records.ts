import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { HttpExchange } from './har.js';
import { cdxTimestamp, surt } from './surt.js';

const gzipAsync = promisify(gzip);

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

function mimeOf(exchange: HttpExchange): string {
  const type = exchange.responseHeaders.find(([name]) => name.toLowerCase() === 'content-type')?.[1] ?? '';
  return type.split(';')[0]!.trim().toLowerCase() || 'unk';
}

/** The header lines of a WARC record: name and value, in order. */
type WarcFields = readonly (readonly [string, string])[];

const CRLF = '\r\n';
const digestOf = (...parts: readonly Uint8Array[]): string => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return `sha256:${hash.digest('hex')}`;
};
const recordId = (): string => `<urn:uuid:${randomUUID()}>`;

/** `Name: value` lines, each ended by CRLF; the text is UTF-8, as warcio and pywb write it. */
function fieldLines(fields: WarcFields): string {
  let text = '';
  for (const [name, value] of fields) text += `${name}: ${value}${CRLF}`;
  return text;
}

/**
 * One record (WARC 1.1 §4): the version line, the named fields, Content-Length, a blank line, the
 * block, and the two CRLFs that end a record; gzipped on its own, one member per record, so that a
 * reader can seek to a CDXJ offset and inflate just that record (WARC 1.1 annex D.2).
 */
function record(fields: WarcFields, block: readonly Buffer[]): Promise<Buffer> {
  const length = block.reduce((sum, part) => sum + part.length, 0);
  const head = Buffer.from(`WARC/1.1${CRLF}${fieldLines(fields)}Content-Length: ${length}${CRLF}${CRLF}`, 'utf8');
  // zlib's gzip runs on libuv's thread pool: the records of a page compress beside the event
  // loop, which meanwhile drives the other pages of the batch.
  return gzipAsync(Buffer.concat([head, ...block, Buffer.from(CRLF + CRLF)]));
}

/** An HTTP message as a WARC block: the start line, the header lines, a blank line; then the body. */
function httpHead(startLine: string, headers: WarcFields): Buffer {
  return Buffer.from(`${startLine}${CRLF}${fieldLines(headers)}${CRLF}`, 'utf8');
}

/**
 * A WARC 1.1 file (ISO 28500:2017) of a warcinfo record, then for each exchange a response record
 * and the request record that is WARC-Concurrent-To it, with WARC-Payload-Digest and
 * WARC-Block-Digest in SHA-256. Returns the CDXJ entries of the response records.
 *
 * Written here rather than through warcio's serializer, which gave the same records but cost a
 * web stream, a WebAssembly hasher and a CompressionStream per record: ~50 ms for a page of 14
 * requests on this project's 2-core machine (bench/README.md, "Web capture"), ~10 ms now, with
 * node:crypto hashing and zlib compressing off the event loop.
 */
export async function buildWarc(
  exchanges: readonly HttpExchange[],
  info: { readonly filename: string; readonly software: string; readonly description: string; readonly date: Date },
): Promise<BuiltWarc> {
  const infoBlock = Buffer.from(fieldLines([
    ['software', info.software],
    ['format', 'WARC File Format 1.1'],
    ['conformsTo', 'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/'],
    ['description', info.description],
  ]), 'utf8');
  const pending: Promise<Buffer>[] = [
    record([
      ['WARC-Filename', info.filename],
      ['WARC-Date', info.date.toISOString()],
      ['WARC-Type', 'warcinfo'],
      ['WARC-Record-ID', recordId()],
      ['Content-Type', 'application/warc-fields'],
    ], [infoBlock]),
  ];
  const responses: { exchange: HttpExchange; date: Date; payloadDigest: string }[] = [];
  for (const exchange of exchanges) {
    const date = Number.isNaN(exchange.date.getTime()) ? info.date : exchange.date;
    const extra: [string, string][] = [];
    if (exchange.serverIp) extra.push(['WARC-IP-Address', exchange.serverIp]);
    // WARC 1.1 §5.13: the record holds only part of the payload; 'time' is a capture that ran out of it.
    if (exchange.truncated) extra.push(['WARC-Truncated', 'time']);
    const body = Buffer.from(exchange.body.buffer, exchange.body.byteOffset, exchange.body.byteLength);
    const head = httpHead(`HTTP/1.1 ${exchange.status} ${exchange.statusText}`.trimEnd(), responseHeaders(exchange));
    const responseId = recordId();
    const payloadDigest = digestOf(body);
    pending.push(record([
      ...extra,
      ['WARC-Target-URI', exchange.url],
      ['WARC-Date', date.toISOString()],
      ['WARC-Type', 'response'],
      ['WARC-Record-ID', responseId],
      ['Content-Type', 'application/http; msgtype=response'],
      ['WARC-Payload-Digest', payloadDigest],
      ['WARC-Block-Digest', digestOf(head, body)],
    ], [head, body]));
    const requestBody = Buffer.from(exchange.requestBody.buffer, exchange.requestBody.byteOffset, exchange.requestBody.byteLength);
    const requestHead = httpHead(requestLine(exchange), requestHeaders(exchange));
    pending.push(record([
      ['WARC-Concurrent-To', responseId],
      ['WARC-Target-URI', exchange.url],
      ['WARC-Date', date.toISOString()],
      ['WARC-Type', 'request'],
      ['WARC-Record-ID', recordId()],
      ['Content-Type', 'application/http; msgtype=request'],
      ['WARC-Payload-Digest', digestOf(requestBody)],
      ['WARC-Block-Digest', digestOf(requestHead, requestBody)],
    ], [requestHead, requestBody]));
    responses.push({ exchange, date, payloadDigest });
  }
  const records = await Promise.all(pending);
  const index: CdxjEntry[] = [];
  let offset = records[0]!.length;
  responses.forEach(({ exchange, date, payloadDigest }, i) => {
    const response = records[1 + 2 * i]!;
    const request = records[2 + 2 * i]!;
    index.push({
      surt: surt(exchange.url),
      timestamp: cdxTimestamp(date),
      url: exchange.url,
      mime: mimeOf(exchange),
      status: String(exchange.status),
      digest: payloadDigest,
      length: String(response.length),
      offset: String(offset),
      filename: info.filename,
    });
    offset += response.length + request.length;
  });
  return { bytes: Buffer.concat(records), index, records: records.length };
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
