// A small web site on loopback for the web-capture tests: one handler behind a plain HTTP
// server and an HTTPS server whose certificate comes from a test CA made here with openssl
// (CA → leaf for 127.0.0.1 and localhost, with subjectAltName), so TLS is real end to end and
// the system does not trust it.
//
// Pages: /plain, /redirect (301 → 302 → /plain), /tall (lazy images far below the fold and an
// image inserted by script when the reader scrolls near the bottom), /never (a subresource the
// server holds open forever), /missing (404), /page/N (a small page for batches), /slow/N (one that answers
// after a second), /moving
// (submits a form to /moved 500 ms after it loads), and
// refusedUrl(): a loopback port that refuses connections.

import { execFile } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { expect } from 'vitest';
import yauzl, { type Entry, type ZipFile } from 'yauzl';

const run = promisify(execFile);

export interface TestSite {
  /** http://127.0.0.1:PORT */
  readonly httpOrigin: string;
  /** https://127.0.0.1:PORT (the test CA's leaf) */
  readonly httpsOrigin: string;
  readonly caPem: string;
  readonly leafPem: string;
  /** base64 SHA-256 of the leaf's SubjectPublicKeyInfo: Chromium's --ignore-certificate-errors-spki-list form. */
  readonly leafSpki: string;
  /** Height in CSS pixels of /tall. */
  readonly tallHeightPx: number;
  /** Paths requested so far, in order. */
  readonly requested: readonly string[];
  /** A URL on loopback whose port refuses connections. */
  refusedUrl(): Promise<string>;
  stop(): Promise<void>;
}

const LEAF_EXT = `[leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
authorityKeyIdentifier = keyid
`;

export const TALL_HEIGHT_PX = 9000;

function png(width: number, height: number, rgb: readonly [number, number, number]): Buffer {
  const image = new PNG({ width, height });
  for (let i = 0; i < width * height; i += 1) {
    image.data[i * 4] = rgb[0];
    image.data[i * 4 + 1] = rgb[1];
    image.data[i * 4 + 2] = rgb[2];
    image.data[i * 4 + 3] = 255;
  }
  return PNG.sync.write(image);
}

const IMAGES: Record<string, Buffer> = {
  '/img/top.png': png(40, 40, [200, 30, 30]),
  '/img/lazy-1.png': png(60, 60, [30, 200, 30]),
  '/img/lazy-2.png': png(60, 60, [30, 30, 200]),
  '/img/scroll-inserted.png': png(80, 80, [220, 160, 0]),
};

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title>`
    + '<link rel="stylesheet" href="/style.css"></head>'
    + `<body>${body}</body></html>`;
}

const TALL = page(
  'A tall page',
  `<h1>Tall page</h1><img src="/img/top.png" alt="top">`
    + `<div style="height:${TALL_HEIGHT_PX - 1500}px">spacer</div>`
    + '<p>Lazy images far below the fold:</p>'
    + '<img loading="lazy" src="/img/lazy-1.png" width="60" height="60" alt="lazy one">'
    + '<div style="height:300px"></div>'
    + '<img loading="lazy" src="/img/lazy-2.png" width="60" height="60" alt="lazy two">'
    + '<div id="sentinel" style="height:10px"></div><div id="inserted"></div>'
    + '<div style="height:900px">bottom of the page</div>'
    // Only a reader who scrolls down gets this image: the kind of content a capture must not miss.
    + `<script>new IntersectionObserver((entries, observer) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        observer.disconnect();
        const img = document.createElement('img');
        img.src = '/img/scroll-inserted.png'; img.alt = 'inserted on scroll';
        document.getElementById('inserted').appendChild(img);
      }).observe(document.getElementById('sentinel'));</script>`,
);

export const MOVING_MARKER = 'first-document-marker';
export const MOVED_MARKER = 'second-document-marker';
export const MOVING_HEIGHT_PX = 24_000;

// A page that moves itself while it is being captured, whatever the machine's speed: a finite CSS
// animation of ten minutes runs from its load, and its end submits a form to /moved. A capture's
// full-page screenshot disables animations (Playwright fast-forwards finite ones to their end),
// so the move comes at the screenshot, after the DOM, the text and the MHTML were taken. (A
// timer after the load event came before the DOM was read on a loaded machine, or after the
// capture had ended on an idle one.) It is tall and painted: a long screenshot.
const MOVING = page(
  'A page that moves',
  `<style>@keyframes hold { from { opacity: 1 } to { opacity: 0.99 } } #clock { animation: hold 600s linear 1 }</style>`
    + `<h1 id="clock">${MOVING_MARKER}</h1><p>This document submits a form by itself.</p>`
    + `<form id="away" method="post" action="/moved"><input type="hidden" name="from" value="moving"></form>`
    + `<div style="height:${MOVING_HEIGHT_PX}px;background:repeating-linear-gradient(45deg,#c33 0 7px,#3c3 7px 13px,#33c 13px 23px)">painted</div>`
    + `<script>document.getElementById('clock').addEventListener('animationend', () => document.getElementById('away').submit());</script>`,
);

/** Starts the site; call stop() in afterAll. `dir` is a parent folder for the CA's files. */
export async function startTestSite(dir?: string): Promise<TestSite> {
  const work = await mkdtemp(join(dir ?? tmpdir(), 'test-site-'));
  const requested: string[] = [];
  const held = new Set<ServerResponse>();
  const sockets = new Set<Socket>();

  const ca = await makeCertificates(work);

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    requested.push(path);
    const html = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'x-test-site': 'proofline' });
      res.end(body);
    };
    if (path === '/plain') return html(200, page('Plain page', '<h1>Plain page</h1><p>Infringing copy of the poster.</p><img src="/img/top.png" alt="top"><p><a id="to-tall" href="/tall">more</a></p>'));
    if (path === '/redirect') {
      res.writeHead(301, { location: '/redirect-2' });
      return void res.end();
    }
    if (path === '/redirect-2') {
      res.writeHead(302, { location: '/plain' });
      return void res.end();
    }
    if (path === '/tall') return html(200, TALL);
    if (path === '/moving') return html(200, MOVING);
    if (path === '/moved') return html(200, page('Moved here', `<h1>${MOVED_MARKER}</h1><p>The page the form went to (${req.method}).</p>`));
    if (path === '/never') return html(200, page('Never finishes', '<h1>Never finishes</h1><p>Text that rendered.</p><img src="/hang.png" alt="hangs">'));
    if (path === '/hang.png') {
      // Headers go out, the body never ends: the page's load event never fires.
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(IMAGES['/img/top.png']!.subarray(0, 16));
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    if (path === '/style.css') {
      res.writeHead(200, { 'content-type': 'text/css' });
      return void res.end('body { font-family: sans-serif; margin: 0; } h1 { color: #333; }');
    }
    if (path.startsWith('/slow/')) {
      // A page of a long batch: answers after a second, so that a batch of them takes a while.
      const n = path.slice(6);
      const timer = setTimeout(() => html(200, page(`Slow ${n}`, `<h1>Slow page ${n}</h1>`)), 1000);
      res.on('close', () => clearTimeout(timer));
      return;
    }
    if (path.startsWith('/page/')) return html(200, page(`Page ${path.slice(6)}`, `<h1>Page ${path.slice(6)}</h1><p>${'Lorem ipsum. '.repeat(40)}</p><img src="/img/top.png" alt="top">`));
    const image = IMAGES[path];
    if (image) {
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(image.length) });
      return void res.end(image);
    }
    return html(404, page('Not found', '<h1>404</h1><p>This page is gone.</p>'));
  };

  const track = (server: Server): void => {
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  };
  const http = createHttpServer(handler);
  const https = createHttpsServer({ key: ca.leafKey, cert: `${ca.leafPem}${ca.caPem}` }, handler);
  track(http);
  track(https);
  // Secure connections are counted through 'secureConnection' too; their raw sockets come through 'connection'.
  const listen = (server: Server): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  const httpPort = await listen(http);
  const httpsPort = await listen(https);

  return {
    httpOrigin: `http://127.0.0.1:${httpPort}`,
    httpsOrigin: `https://127.0.0.1:${httpsPort}`,
    caPem: ca.caPem,
    leafPem: ca.leafPem,
    leafSpki: spkiHash(ca.leafPem),
    tallHeightPx: TALL_HEIGHT_PX,
    requested,
    async refusedUrl() {
      // Bind a port, then release it: nothing listens there any more, so connecting is refused.
      const probe = createNetServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
      return `http://127.0.0.1:${port}/refused`;
    },
    async stop() {
      for (const res of held) res.destroy();
      for (const socket of sockets) socket.destroy();
      await Promise.all([http, https].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      await rm(work, { recursive: true, force: true });
    },
  };
}

export function spkiHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

async function makeCertificates(work: string): Promise<{ caPem: string; leafPem: string; leafKey: string }> {
  const file = (name: string): string => join(work, name);
  await writeFile(file('leaf.cnf'), LEAF_EXT);
  await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2',
    '-subj', '/CN=Proofline Test Web CA/O=Proofline tests', '-keyout', file('ca.key'), '-out', file('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-subj', '/CN=localhost/O=Proofline tests',
    '-keyout', file('leaf.key'), '-out', file('leaf.csr')]);
  await run('openssl', ['x509', '-req', '-in', file('leaf.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
    '-CAcreateserial', '-days', '2', '-sha256', '-extfile', file('leaf.cnf'), '-extensions', 'leaf', '-out', file('leaf.pem')]);
  return {
    caPem: await readFile(file('ca.pem'), 'utf8'),
    leafPem: await readFile(file('leaf.pem'), 'utf8'),
    leafKey: await readFile(file('leaf.key'), 'utf8'),
  };
}

export interface ZipEntryData {
  readonly data: Buffer;
  /** 0 stored, 8 deflated */
  readonly compressionMethod: number;
}

/** Every entry of a (small) zip, such as a WACZ, read with yauzl. */
export async function readZipEntries(path: string): Promise<Map<string, ZipEntryData>> {
  const entries = new Map<string, ZipEntryData>();
  const zip = await new Promise<ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true }, (error, file) => (error ? reject(error) : resolve(file))));
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => resolve());
    zip.on('entry', (entry: Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('error', reject);
        stream.on('end', () => {
          entries.set(entry.fileName, { data: Buffer.concat(chunks), compressionMethod: entry.compressionMethod });
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return entries;
}

export interface CheckedWacz {
  readonly datapackage: { [key: string]: unknown };
  readonly pages: { [key: string]: unknown }[];
  readonly cdxj: { surt: string; timestamp: string; fields: { [key: string]: string } }[];
  /** Each indexed response record, inflated from its CDXJ offset and length. */
  readonly records: { url: string; headers: string; payload: Buffer }[];
}

const sha = (data: Buffer): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * Checks a WACZ against WACZ 1.1.1 as a replay tool would read it: datapackage.json lists every
 * file with its true hash and size, datapackage-digest.json hashes datapackage.json, the CDXJ
 * lines are sorted and each points at a gzip member of the WARC that is the response for its
 * URL with the payload digest it claims, pages.jsonl has the header line, and archive/ and
 * indexes/ are stored uncompressed.
 */
export async function expectValidWacz(path: string): Promise<CheckedWacz> {
  const entries = await readZipEntries(path);
  const datapackageEntry = entries.get('datapackage.json');
  expect(datapackageEntry, 'datapackage.json').toBeDefined();
  const datapackage = JSON.parse(datapackageEntry!.data.toString('utf8')) as { [key: string]: unknown; resources: { name: string; path: string; hash: string; bytes: number }[] };
  expect(datapackage['profile']).toBe('data-package');
  expect(datapackage['wacz_version']).toBe('1.1.1');
  expect(typeof datapackage['created']).toBe('string');
  expect(String(datapackage['software'])).toMatch(/Proofline/);
  const digest = JSON.parse(entries.get('datapackage-digest.json')!.data.toString('utf8')) as { path: string; hash: string };
  // A signed WACZ carries signedData (and a timestamp) beside these (wacz-auth 0.1.0).
  expect(digest).toMatchObject({ path: 'datapackage.json', hash: sha(datapackageEntry!.data) });
  const listed = new Set<string>();
  for (const resource of datapackage.resources) {
    const entry = entries.get(resource.path);
    expect(entry, resource.path).toBeDefined();
    expect(resource.hash, resource.path).toBe(sha(entry!.data));
    expect(resource.bytes, resource.path).toBe(entry!.data.length);
    expect(resource.name).toMatch(/^[-a-z0-9._/]+$/);
    listed.add(resource.path);
  }
  for (const name of entries.keys()) {
    if (name !== 'datapackage.json' && name !== 'datapackage-digest.json') expect(listed.has(name), `${name} is listed in datapackage.json`).toBe(true);
    if (name.startsWith('archive/') || name.startsWith('indexes/')) expect(entries.get(name)!.compressionMethod, `${name} stored`).toBe(0);
  }
  const pageLines = entries.get('pages/pages.jsonl')!.data.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { [key: string]: unknown });
  expect(pageLines[0]).toEqual({ format: 'json-pages-1.0', id: 'pages', title: 'All Pages' });
  for (const pageLine of pageLines.slice(1)) {
    expect(Object.keys(pageLine).sort()).toEqual(['id', 'title', 'ts', 'url']);
    expect(Number.isNaN(Date.parse(String(pageLine['ts'])))).toBe(false);
  }
  const cdxText = entries.get('indexes/index.cdx')!.data.toString('utf8');
  const lines = cdxText.split('\n').filter(Boolean);
  expect([...lines].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))).toEqual(lines);
  const cdxj = lines.map((line) => {
    const [surt, timestamp] = line.split(' ', 2) as [string, string];
    const fields = JSON.parse(line.slice(surt.length + timestamp.length + 2)) as { [key: string]: string };
    return { surt, timestamp, fields };
  });
  const records: CheckedWacz['records'] = [];
  for (const { timestamp, fields } of cdxj) {
    expect(timestamp).toMatch(/^\d{14}$/);
    expect(Object.keys(fields).sort()).toEqual(['digest', 'filename', 'length', 'mime', 'offset', 'status', 'url']);
    const warc = entries.get(`archive/${fields['filename']}`);
    expect(warc, fields['filename']).toBeDefined();
    const offset = Number(fields['offset']);
    const length = Number(fields['length']);
    const record = gunzipSync(warc!.data.subarray(offset, offset + length));
    const text = record.toString('latin1');
    const warcHeadEnd = text.indexOf('\r\n\r\n');
    const warcHead = text.slice(0, warcHeadEnd);
    expect(warcHead.startsWith('WARC/1.1\r\n')).toBe(true);
    expect(warcHead).toMatch(/\r\nWARC-Type: response\r\n/);
    expect(warcHead).toContain(`\r\nWARC-Target-URI: ${fields['url']}\r\n`);
    expect(warcHead).toMatch(/\r\nWARC-Record-ID: <urn:uuid:[0-9a-f-]{36}>\r\n/);
    expect(warcHead).toMatch(/\r\nWARC-Date: \d{4}-\d\d-\d\dT/);
    const httpStart = warcHeadEnd + 4;
    const httpHeadEnd = text.indexOf('\r\n\r\n', httpStart);
    const headers = text.slice(httpStart, httpHeadEnd);
    expect(headers.startsWith(`HTTP/1.1 ${fields['status']}`)).toBe(true);
    const contentLength = Number(/\r\nContent-Length: (\d+)/.exec(warcHead)![1]);
    const payload = record.subarray(httpHeadEnd + 4, httpStart + contentLength);
    expect(fields['digest']).toBe(sha(payload));
    expect(warcHead).toContain(`WARC-Payload-Digest: ${fields['digest']}`);
    records.push({ url: fields['url']!, headers, payload });
  }
  // Every response has its request, WARC-Concurrent-To it; the file starts with a warcinfo record.
  for (const warcName of [...entries.keys()].filter((n) => n.startsWith('archive/'))) {
    const all = gunzipMembers(entries.get(warcName)!.data);
    expect(all[0]).toMatch(/^WARC\/1\.1\r\n[\s\S]*WARC-Type: warcinfo/);
    const responseIds = all.filter((r) => /WARC-Type: response/.test(r)).map((r) => /WARC-Record-ID: (<[^>]+>)/.exec(r)![1]);
    const concurrent = all.filter((r) => /WARC-Type: request/.test(r)).map((r) => /WARC-Concurrent-To: (<[^>]+>)/.exec(r)?.[1]);
    expect(concurrent.sort()).toEqual(responseIds.sort());
  }
  return { datapackage, pages: pageLines.slice(1), cdxj, records };
}

/** The records of a WARC written as one gzip member per record, as latin1 text. */
function gunzipMembers(data: Buffer): string[] {
  // gunzipSync reads concatenated members as one stream; split on the WARC/1.1 record starts instead.
  return gunzipSync(data).toString('latin1').split(/(?=WARC\/1\.1\r\nWARC-)/).filter(Boolean);
}
