// `proofline serve`: the renderer and every operation of the contract over loopback HTTP, for
// machines without an Electron binary and for tests that drive the real UI in Chromium.
//
// Defences, in the order a request meets them:
// - listens on 127.0.0.1 only;
// - Host must name this server (127.0.0.1:port or localhost:port): a DNS-rebinding page cannot
//   reach us under its own name;
// - Origin, when sent, must be this server's own: another site's page cannot call the API;
// - every API call and media request carries the per-launch secret (header, or the HttpOnly
//   SameSite=Strict cookie set once the page has shown the secret), else 401;
// - API bodies must be application/json (no CORS-simple form posts) and at most 1 MiB, and pass
//   the operation's zod schema before the core sees them.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { openArchive } from '../core/archive/read-zip.js';
import type { Proofline } from '../core/proofline.js';
import { mediaTypeOf } from '../core/store/media-types.js';
import { isOperationName, operations, parseInput, type OperationError, type OperationName } from '../shared/contract.js';
import type { ErrorKind } from '../shared/errors.js';
import { toOperationError, type Host } from './operations.js';
import { remuxTsToMp4 } from './remux.js';

export interface WebHostOptions {
  readonly host: Host;
  readonly pl: Proofline;
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  readonly port?: number;
  /** Fixed only by tests; otherwise 32 random bytes per launch. */
  readonly secret?: string;
  /** Resolves an archive handle from `archive.open` to its path, for media requests. */
  readonly archivePath?: (handle: string) => string | undefined;
  /** The configured ffmpeg, for `?as=mp4` (MPEG-TS recordings remuxed so a browser can play them). */
  readonly ffmpegPath?: () => string | undefined;
}

export interface WebHost {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly secret: string;
  close(): Promise<void>;
}

const MAX_JSON_BODY = 1 << 20;
const MAX_UPLOAD = 16 * 1024 ** 3;
const COOKIE = 'proofline_secret';

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "frame-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The HTTP status of each kind of error, the one place the web host maps them (STYLE.md habit 9).
 * damaged is 422: the request was understood, but the archive or file it names cannot be used.
 * interrupted is 499, nginx's "client closed request": nothing standard names a cancelled call,
 * and the caller that cancelled it has usually gone.
 */
export const HTTP_STATUS_OF_KIND: Readonly<Record<ErrorKind, number>> = {
  'invalid-input': 400,
  'not-found': 404,
  conflict: 409,
  damaged: 422,
  unavailable: 503,
  interrupted: 499,
  failed: 500,
};

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const secretBytes = Buffer.from(secret);
  let port = 0;
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = (): Set<string> => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const rendererDir = resolve(options.rendererDir);
  const uploads = join(options.pl.dataDir, 'inbox');

  const authorised = (req: IncomingMessage): boolean => {
    const header = req.headers['x-proofline-secret'];
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const cookie = (req.headers.cookie ?? '')
      .split(';')
      .map((part) => part.trim().split('='))
      .find(([name]) => name === COOKIE)?.[1];
    const given = (typeof header === 'string' ? header : undefined) ?? bearer ?? cookie;
    if (given === undefined) return false;
    const bytes = Buffer.from(given);
    return bytes.length === secretBytes.length && timingSafeEqual(bytes, secretBytes);
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendFailure(res, toOperationError(error));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
    if (!allowedHosts().has(req.headers.host ?? '')) return sendText(res, 403, 'Forbidden: unexpected Host header (only 127.0.0.1 and localhost are served).');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return sendText(res, 403, 'Forbidden: cross-origin request.');
    if (req.headers['sec-fetch-site'] === 'cross-site') return sendText(res, 403, 'Forbidden: cross-site request.');

    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (url.pathname.startsWith('/api/')) return api(req, res, decodeURIComponent(url.pathname.slice(5)));
    if (url.pathname.startsWith('/media/') || url.pathname === '/upload') {
      if (!authorised(req)) return sendJson(res, 401, { ok: false, error: { kind: 'invalid-input', message: 'Missing or wrong secret: open the address `proofline serve` printed.' } });
      if (url.pathname === '/upload') return upload(req, res, url);
      return media(req, res, url);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    return staticFile(req, res, url.pathname);
  }

  async function api(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { kind: 'invalid-input', message: 'API calls are POST requests.' } });
    if (!authorised(req)) return sendJson(res, 401, { ok: false, error: { kind: 'invalid-input', message: 'Missing or wrong secret: open the address `proofline serve` printed.' } });
    if (!isOperationName(name) || 'desktopOnly' in operations[name]) {
      return sendJson(res, 404, { ok: false, error: { kind: 'not-found', message: `There is no operation '${name}' here.` } });
    }
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return sendJson(res, 415, { ok: false, error: { kind: 'invalid-input', message: 'Send the input as application/json.' } });
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, MAX_JSON_BODY)).toString('utf8') || '{}');
    } catch (error) {
      return sendJson(res, 400, { ok: false, error: { kind: 'invalid-input', message: `The body is not JSON: ${(error as Error).message}` } });
    }
    const parsed = parseInput(name, body);
    if (!parsed.ok) return sendJson(res, 400, { ok: false, error: parsed.error });
    // The page has shown it holds the secret: let its media and frame requests in by cookie.
    res.setHeader('Set-Cookie', `${COOKIE}=${secret}; HttpOnly; SameSite=Strict; Path=/`);

    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new Error('the client went away'));
    });
    const streaming = /text\/event-stream/.test(req.headers.accept ?? '') && 'progress' in operations[name];
    if (streaming) {
      res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' });
    }
    const send = (event: string, data: unknown): void => {
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    try {
      const handler = options.host.handlers[name as OperationName] as (input: unknown, context: unknown) => Promise<unknown>;
      const result = await handler(parsed.value, {
        signal: abort.signal,
        progress: streaming ? (p: unknown) => send('progress', p) : () => undefined,
      });
      if (streaming) {
        send('result', { ok: true, result: result ?? null });
        res.end();
      } else {
        sendJson(res, 200, { ok: true, result: result ?? null });
      }
    } catch (error) {
      const failure = toOperationError(error);
      if (streaming) {
        send('result', { ok: false, error: failure });
        res.end();
      } else {
        sendFailure(res, failure);
      }
    }
  }

  /** /media/blob/<session>/<sha256> and /media/archive/<handle>/<path inside the archive>. */
  async function media(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const parts = url.pathname.split('/').slice(2).map(decodeURIComponent);
    const asMp4 = url.searchParams.get('as') === 'mp4';
    if (parts[0] === 'blob' && parts.length === 3) {
      const artifact = await options.host.capture.findArtifact(options.pl.sessions.get(parts[1]!).id, parts[2]!);
      if (!artifact) return sendText(res, 404, 'No such file in this session.');
      if (asMp4) return sendRemuxed(res, createReadStream(options.pl.blobs.pathOf(artifact.sha256)), options.ffmpegPath?.());
      res.setHeader('Content-Security-Policy', "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'");
      return sendFile(req, res, options.pl.blobs.pathOf(artifact.sha256), artifact.mime);
    }
    if (parts[0] === 'archive' && parts.length >= 3) {
      const archive = options.archivePath?.(parts[1]!);
      if (!archive) return sendText(res, 404, 'That archive is not open.');
      const entryName = parts.slice(2).join('/');
      const zip = await openArchive(archive);
      try {
        const entry = zip.entries.find((e) => e.name === entryName);
        if (!entry) return sendText(res, 404, 'No such file in the archive.');
        if (asMp4) return await sendRemuxed(res, await zip.openStream(entryName), options.ffmpegPath?.());
        const range = byteRange(req.headers.range, entry.size);
        if (range === 'unsatisfiable') {
          res.writeHead(416, { 'Content-Range': `bytes */${entry.size}` });
          return void res.end();
        }
        const headers = { 'Content-Type': mediaTypeOf(entryName), 'Accept-Ranges': 'bytes', 'Content-Security-Policy': "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'" };
        if (range) res.writeHead(206, { ...headers, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${entry.size}` });
        else res.writeHead(200, { ...headers, 'Content-Length': entry.size });
        if (req.method === 'HEAD') return void res.end();
        // Entries are streamed through their checks (size, CRC); a range skips to its start.
        const stream = await zip.openStream(entryName);
        await pipeline(range ? stream.pipe(sliceBytes(range.start, range.end)) : stream, res);
      } finally {
        zip.close();
      }
      return;
    }
    return sendText(res, 404, 'Not found');
  }

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'PUT') return sendText(res, 405, 'Use PUT to upload.');
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (!(declared > 0) || declared > MAX_UPLOAD) return sendJson(res, 413, { ok: false, error: { kind: 'invalid-input', message: 'Give the archive size (Content-Length), at most 16 GiB.' } });
    const name = (url.searchParams.get('name') ?? 'archive.zip').replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 120) || 'archive.zip';
    mkdirSync(uploads, { recursive: true });
    const target = join(uploads, `${randomUUID()}-${name}`);
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > declared) req.destroy(new Error('more bytes than Content-Length'));
    });
    try {
      await pipeline(req, createWriteStream(target, { flags: 'wx', mode: 0o600 }));
      if (received !== declared) throw new Error(`received ${received} of ${declared} bytes`);
    } catch (error) {
      rmSync(target, { force: true });
      return sendJson(res, HTTP_STATUS_OF_KIND['invalid-input'], { ok: false, error: { kind: 'invalid-input', message: `The upload did not complete: ${(error as Error).message}` } });
    }
    sendJson(res, 200, { ok: true, result: { path: target } });
  }

  async function staticFile(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname).replace(/^\/+/, '');
    const file = normalize(join(rendererDir, relative));
    if (!file.startsWith(rendererDir + sep)) return sendText(res, 404, 'Not found');
    let size: number;
    try {
      const stat = statSync(file);
      if (!stat.isFile()) return sendText(res, 404, 'Not found');
      size = stat.size;
    } catch {
      if (relative === 'index.html') return sendText(res, 503, `The UI is not built: run \`npm run build:ui\` (no ${file}).`);
      return sendText(res, 404, 'Not found');
    }
    const type = STATIC_TYPES[extname(file)] ?? 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': size, 'Content-Security-Policy': CSP, 'Cache-Control': 'no-cache' });
    if (req.method === 'HEAD') return void res.end();
    await pipeline(createReadStream(file), res);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    // The secret rides in the fragment: browsers never send it to a server or in a Referer.
    url: `${origin}/#secret=${secret}`,
    port,
    secret,
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

const STATIC_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(text);
}

function sendFailure(res: ServerResponse, error: OperationError): void {
  sendJson(res, HTTP_STATUS_OF_KIND[error.kind], { ok: false, error });
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** One `Range: bytes=a-b` (or `a-`, or `-n`) of a body of `size` bytes; null for the whole body. */
function byteRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header ?? '');
  if (!match || (!match[1] && !match[2])) return null;
  const start = match[1] ? Number(match[1]) : Math.max(0, size - Number(match[2]));
  const end = match[1] && match[2] ? Math.min(Number(match[2]), size - 1) : size - 1;
  return start > end || start >= size ? 'unsatisfiable' : { start, end };
}

/** Passes on bytes start..end (inclusive) of a stream and drops the rest. */
function sliceBytes(start: number, end: number): Transform {
  let offset = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const from = Math.max(0, start - offset);
      const to = Math.min(chunk.length, end + 1 - offset);
      offset += chunk.length;
      done(null, from < to ? chunk.subarray(from, to) : undefined);
    },
  });
}

/** Serves a file with Range support, so the recording can be sought to any event's moment. */
async function sendFile(req: IncomingMessage, res: ServerResponse, file: string, mime: string): Promise<void> {
  const size = statSync(file).size;
  const range = byteRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}` });
    return void res.end();
  }
  if (range) res.writeHead(206, { 'Content-Type': mime, 'Content-Length': range.end - range.start + 1, 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Accept-Ranges': 'bytes' });
  else res.writeHead(200, { 'Content-Type': mime, 'Content-Length': size, 'Accept-Ranges': 'bytes' });
  if (req.method === 'HEAD') return void res.end();
  await pipeline(createReadStream(file, range ?? {}), res);
}

/** A recording segment as fragmented MP4 for the browser's <video> (see remux.ts). */
async function sendRemuxed(res: ServerResponse, input: Readable, configured: string | undefined): Promise<void> {
  let remux;
  try {
    remux = await remuxTsToMp4(input, configured);
  } catch (error) {
    input.destroy();
    const failure = toOperationError(error);
    return sendText(res, HTTP_STATUS_OF_KIND[failure.kind], `Cannot convert the recording for playback: ${failure.message}`);
  }
  res.writeHead(200, { 'Content-Type': 'video/mp4', 'Cache-Control': 'no-store' });
  res.on('close', () => remux.cancel());
  try {
    await pipeline(remux.output, res);
  } catch {
    remux.cancel();
  }
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new Error(`the body is over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
