import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { WARCParser } from 'warcio';
import { harExchanges, type Har, type HttpExchange } from '../../src/core/capture/web/har.js';
import { cdxTimestamp, surt } from '../../src/core/capture/web/surt.js';
import { writeWacz } from '../../src/core/capture/web/wacz-writer.js';
import { buildWarc, cdxjText } from '../../src/core/capture/web/warc-records.js';
import { expectValidWacz } from '../support/test-site.js';

const root = mkdtempSync(join(tmpdir(), 'proofline-wacz-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function exchange(url: string, body: string | Buffer, extra: Partial<HttpExchange> = {}): HttpExchange {
  return {
    url,
    date: new Date('2026-03-01T10:20:30.456Z'),
    method: 'GET',
    requestHeaders: [['User-Agent', 'test']],
    requestBody: new Uint8Array(0),
    status: 200,
    statusText: 'OK',
    responseHeaders: [['Content-Type', 'text/html; charset=utf-8'], ['Content-Encoding', 'gzip']],
    body: Buffer.from(body),
    truncated: false,
    ...extra,
  };
}

describe('SURT keys and CDX timestamps', () => {
  it('reverses host labels, drops www and default ports, sorts query arguments, keeps IPs', () => {
    expect(surt('https://www.Example.com/Path?b=2&a=1')).toBe('com,example)/path?a=1&b=2');
    expect(surt('http://news.example.co.uk:8080/x')).toBe('uk,co,example,news:8080)/x');
    expect(surt('http://127.0.0.1:4000/plain')).toBe('127.0.0.1:4000)/plain');
    expect(surt('https://example.com')).toBe('com,example)/');
    expect(cdxTimestamp(new Date('2026-03-01T10:20:30.456Z'))).toBe('20260301102030');
  });

  it('sorts CDXJ lines bytewise by key then timestamp', () => {
    const base = { mime: 'text/html', status: '200', digest: 'sha256:x', length: '1', offset: '0', filename: 'a.warc.gz' };
    const text = cdxjText([
      { surt: 'org,example)/', timestamp: '20260101000000', url: 'https://example.org/', ...base },
      { surt: 'com,example)/b', timestamp: '20260101000000', url: 'https://example.com/b', ...base },
      { surt: 'com,example)/a', timestamp: '20260102000000', url: 'https://example.com/a', ...base },
      { surt: 'com,example)/a', timestamp: '20260101000000', url: 'https://example.com/a', ...base },
    ]);
    expect(text.split('\n').filter(Boolean).map((l) => l.split(' ').slice(0, 2).join(' '))).toEqual([
      'com,example)/a 20260101000000',
      'com,example)/a 20260102000000',
      'com,example)/b 20260101000000',
      'org,example)/ 20260101000000',
    ]);
  });
});

describe('the WACZ writer', () => {
  it('writes a WACZ 1.1.1 whose datapackage, index, pages and WARC records all check out', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 255]);
    const exchanges = [
      exchange('https://example.com/z-last', '<html>last</html>'),
      exchange('https://example.com/', '<html><title>Home</title></html>'),
      exchange('https://example.com/img.png', png, { responseHeaders: [['Content-Type', 'image/png']], serverIp: '93.184.216.34' }),
      exchange('https://example.com/gone', 'not here', { status: 404, statusText: 'Not Found' }),
    ];
    const out = join(root, 'one.wacz');
    const result = await writeWacz(out, {
      exchanges,
      pages: [{ url: 'https://example.com/', title: 'Home', ts: new Date('2026-03-01T10:20:30Z') }],
      title: 'Capture of https://example.com/',
      software: 'Proofline test',
      created: new Date('2026-03-01T10:21:00Z'),
    });
    expect(result.records).toBe(1 + 2 * exchanges.length);
    const wacz = await expectValidWacz(out);
    expect(wacz.datapackage['mainPageUrl']).toBe('https://example.com/');
    expect(wacz.datapackage['mainPageDate']).toBe('2026-03-01T10:20:30.000Z');
    expect(wacz.pages).toHaveLength(1);
    expect(wacz.pages[0]).toMatchObject({ url: 'https://example.com/', title: 'Home', ts: '2026-03-01T10:20:30.000Z' });
    expect(wacz.cdxj.map((l) => l.surt)).toEqual(['com,example)/', 'com,example)/gone', 'com,example)/img.png', 'com,example)/z-last']);
    const image = wacz.records.find((r) => r.url === 'https://example.com/img.png')!;
    expect(image.payload.equals(png)).toBe(true);
    expect(wacz.cdxj.find((l) => l.fields['url'] === 'https://example.com/img.png')!.fields).toMatchObject({
      mime: 'image/png',
      status: '200',
      digest: `sha256:${createHash('sha256').update(png).digest('hex')}`,
    });
    expect(wacz.cdxj.find((l) => l.fields['url'] === 'https://example.com/gone')!.fields['status']).toBe('404');
    // The body is archived decoded: the original Content-Encoding is kept under X-Archive-Orig-.
    const home = wacz.records.find((r) => r.url === 'https://example.com/')!;
    expect(home.headers).toMatch(/X-Archive-Orig-Content-Encoding: gzip/);
    expect(home.headers).not.toMatch(/\r\nContent-Encoding:/);
    expect(home.headers).toContain(`Content-Length: ${home.payload.length}`);
  });

  it('writes WARC records that a standard reader (warcio) reads back with matching digests', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 1, 2, 3, 255]);
    const exchanges = [
      exchange('https://example.com/', '<html>été</html>', { requestHeaders: [['User-Agent', 'tést']], serverIp: '93.184.216.34' }),
      exchange('https://example.com/img.png', png, { responseHeaders: [['Content-Type', 'image/png']] }),
      exchange('https://example.com/form', 'sent', { method: 'POST', requestBody: Buffer.from('a=1&b=2'), status: 204, statusText: '', responseHeaders: [] }),
      exchange('https://example.com/held', '', { truncated: true }),
    ];
    const warc = await buildWarc(exchanges, { filename: 'data.warc.gz', software: 'Proofline test', description: 'd', date: new Date('2026-03-01T10:21:00Z') });
    const sha = (data: Uint8Array): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
    const read: { type: string; url?: string; concurrentTo?: string; id: string; payload: Buffer; truncated?: string }[] = [];
    for await (const record of new WARCParser([warc.bytes])) {
      const payload = Buffer.from(await record.readFully(false));
      if (record.warcType !== 'warcinfo') expect(record.warcPayloadDigest, record.warcTargetURI).toBe(sha(payload));
      read.push({ type: record.warcType!, url: record.warcTargetURI, concurrentTo: record.warcConcurrentTo[0], id: record.warcHeader('WARC-Record-ID')!, payload, truncated: record.warcHeader('WARC-Truncated') });
    }
    expect(read.map((r) => r.type)).toEqual(['warcinfo', 'response', 'request', 'response', 'request', 'response', 'request', 'response', 'request']);
    expect(warc.records).toBe(read.length);
    expect(read[1]!.payload.toString('utf8')).toBe('<html>été</html>');
    expect(read[3]!.payload.equals(png)).toBe(true);
    expect(read[6]!.payload.toString()).toBe('a=1&b=2');
    expect(read[7]!.truncated).toBe('time');
    // Each request is WARC-Concurrent-To its response.
    for (let i = 1; i < read.length; i += 2) expect(read[i + 1]!.concurrentTo).toBe(read[i]!.id);
    // The block digest covers the HTTP head and the payload, as the reader sees the block.
    const [first] = warc.index;
    const block = gunzipSync(warc.bytes.subarray(Number(first!.offset), Number(first!.offset) + Number(first!.length)));
    const headEnd = block.indexOf('\r\n\r\n') + 4;
    const length = Number(/Content-Length: (\d+)/.exec(block.subarray(0, headEnd).toString('latin1'))![1]);
    expect(block.subarray(0, headEnd).toString('latin1')).toContain(`WARC-Block-Digest: ${sha(block.subarray(headEnd, headEnd + length))}`);
  });

  it('refuses to overwrite an existing file', async () => {
    const out = join(root, 'twice.wacz');
    const input = { exchanges: [], pages: [], title: 't', software: 's', created: new Date() };
    await writeWacz(out, input);
    await expect(writeWacz(out, input)).rejects.toThrow(/Could not write the web archive .*twice\.wacz: .*EEXIST/);
  });
});

describe('reading a HAR back', () => {
  it('decodes base64 and text bodies, drops unanswered requests and marks bodies that never ended', () => {
    const har: Har = {
      log: {
        version: '1.2',
        creator: { name: 't', version: '1' },
        entries: [
          { startedDateTime: '2026-03-01T10:00:00Z', request: { method: 'GET', url: 'http://a/', httpVersion: 'HTTP/1.1', headers: [{ name: ':authority', value: 'a' }, { name: 'Accept', value: '*/*' }] }, response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], content: { size: 5, text: 'héllo' } }, serverIPAddress: '127.0.0.1' },
          { startedDateTime: '2026-03-01T10:00:01Z', request: { method: 'GET', url: 'http://a/i.png', httpVersion: 'HTTP/1.1', headers: [] }, response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], content: { size: 3, text: Buffer.from([1, 2, 3]).toString('base64'), encoding: 'base64' } } },
          { startedDateTime: '2026-03-01T10:00:02Z', request: { method: 'GET', url: 'http://a/hang', httpVersion: 'HTTP/1.1', headers: [] }, response: { status: 200, statusText: 'OK', httpVersion: 'HTTP/1.1', headers: [], content: { size: -1 } } },
          { startedDateTime: '2026-03-01T10:00:03Z', request: { method: 'GET', url: 'http://a/never-answered', httpVersion: 'HTTP/1.1', headers: [] }, response: { status: 0, statusText: '', httpVersion: '', headers: [], content: { size: -1 } } },
        ],
      },
    };
    const exchanges = harExchanges(har);
    expect(exchanges.map((e) => e.url)).toEqual(['http://a/', 'http://a/i.png', 'http://a/hang']);
    expect(Buffer.from(exchanges[0]!.body).toString('utf8')).toBe('héllo');
    expect(exchanges[0]!.requestHeaders).toEqual([['Accept', '*/*']]);
    expect([...exchanges[1]!.body]).toEqual([1, 2, 3]);
    expect(exchanges.map((e) => e.truncated)).toEqual([false, false, true]);
  });
});
