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
//   the operation's zod schema before the core sees them;
// - `POST /api/cancel` `{ callId }` (same secret, same checks) aborts the long call that was sent
//   with `X-Proofline-Call-Id: callId`; closing a call's stream cancels it too.
// - `GET /api/live?session=ID…` (same secret, same checks) streams the pulses of those sessions as
//   server-sent events (live-watch.ts): their chain grew, their anchoring moved, in any process.
// - captured pages are replayed on a second listener, another origin with no privileges
//   (replay-server.ts); the window's CSP lets it frame that origin and no other.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Proofline } from '../core/proofline.js';
import { isCallId } from '../shared/bridge.js';
import { cancelInput, isLongOperation, isOperationName, operations, parseInput, watchInput, type CancelResult, type OperationError, type OperationName } from '../shared/contract.js';
import { HTTP_STATUS_OF_KIND } from './http-status.js';
import { createLiveWatch } from './live-watch.js';
import { createMediaResolver, mediaSourcesOf } from './media-resolver.js';
import { sendPublished } from './published-download.js';
import { startReplayServer } from './replay-server.js';
import { toOperationError, type Host } from './operations.js';

export { HTTP_STATUS_OF_KIND };

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
  /** How often the live channel looks for changes (live-watch.ts); tests make it short or long. */
  readonly liveTickMs?: number;
}

export interface WebHost {
  readonly url: string;
  readonly origin: string;
  readonly port: number;
  readonly secret: string;
  /** Where captured pages are replayed (replay-server.ts): another origin, with no privileges. */
  readonly replayOrigin: string;
  close(): Promise<void>;
}

const MAX_JSON_BODY = 1 << 20;
const MAX_UPLOAD = 16 * 1024 ** 3;
const COOKIE = 'proofline_secret';

const cspWith = (replayOrigin: string): string => [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  `frame-src 'self' blob: data: ${replayOrigin}`,
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const secret = options.secret ?? randomBytes(32).toString('base64url');
  const secretBytes = Buffer.from(secret);
  let port = 0;
  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = (): Set<string> => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const rendererDir = resolve(options.rendererDir);
  const uploads = join(options.pl.dataDir, 'inbox');
  /** The long calls under way, by the call id their client gave them (the cancel channel). */
  const running = new Map<string, AbortController>();
  /** Cancels that named no running call, by when they came: the call may arrive after them. */
  const cancelledEarly = new Map<string, number>();
  const live = createLiveWatch(options.pl.db, { tickMs: options.liveTickMs });
  const replay = await startReplayServer({
    // The WACZ's bytes, as the media resolver reads any archive entry (ranges, HEAD).
    read: (handle, entry, range, method) => resolver.resolve({ path: `archive/${handle}/${entry.split('/').map(encodeURIComponent).join('/')}`, range, method }),
    frameAncestors: () => [...allowedOrigins()],
  });
  const CSP = cspWith(replay.origin);
  const resolver = createMediaResolver({
    ...mediaSourcesOf(options.pl, { capture: options.host.capture, archivePath: options.archivePath ?? (() => undefined), reportPath: (id) => options.host.reportPath?.(id) }, options.ffmpegPath),
    replayAddress: (handle, entry, page) => replay.address(handle, entry, page),
  });

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

    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    } catch {
      return sendText(res, 400, 'Bad request: the address cannot be parsed.');
    }
    if (url.pathname === '/api/live') return liveStream(req, res, url);
    if (url.pathname.startsWith('/api/')) {
      const name = decodePath(url.pathname.slice(5));
      if (name === null) return sendJson(res, 400, { ok: false, error: { kind: 'invalid-input', message: 'The address is not correctly percent-encoded.' } });
      return api(req, res, name);
    }
    if (url.pathname.startsWith('/media/') || url.pathname === '/upload') {
      if (!authorised(req)) return sendJson(res, 401, { ok: false, error: { kind: 'invalid-input', message: 'Missing or wrong secret: open the address `proofline serve` printed.' } });
      if (url.pathname === '/upload') return upload(req, res, url);
      if (url.pathname.startsWith('/media/published/')) return sendPublished(req, res, options.host.publishedPath?.(url.pathname.slice('/media/published/'.length)));
      return media(req, res, url);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed');
    return staticFile(req, res, url.pathname);
  }

  async function api(req: IncomingMessage, res: ServerResponse, name: string): Promise<void> {
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { kind: 'invalid-input', message: 'API calls are POST requests.' } });
    if (!authorised(req)) return sendJson(res, 401, { ok: false, error: { kind: 'invalid-input', message: 'Missing or wrong secret: open the address `proofline serve` printed.' } });
    if (name === 'cancel') return cancel(req, res);
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

    // Cancelled by `POST /api/cancel` naming the call's id (the client's Cancel button), or by
    // the client going away (the stream closed before the result was sent).
    const abort = new AbortController();
    const callId = req.headers['x-proofline-call-id'];
    const registered = isLongOperation(name) && isCallId(callId) ? callId : undefined;
    if (registered !== undefined) {
      running.set(registered, abort);
      // Its cancel came first (another connection, and so no order): it is cancelled already.
      if (cancelledEarly.delete(registered)) abort.abort(new Error('cancelled'));
    }
    res.on('close', () => {
      if (registered !== undefined && running.get(registered) === abort) running.delete(registered);
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

  /** `POST /api/cancel` `{ callId }`: aborts the long call that sent `X-Proofline-Call-Id: callId`. */
  async function cancel(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return sendJson(res, 415, { ok: false, error: { kind: 'invalid-input', message: 'Send the input as application/json.' } });
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req, 4096)).toString('utf8') || '{}');
    } catch (error) {
      return sendJson(res, 400, { ok: false, error: { kind: 'invalid-input', message: `The body is not JSON: ${(error as Error).message}` } });
    }
    const parsed = cancelInput.safeParse(body);
    if (!parsed.success) return sendJson(res, 400, { ok: false, error: { kind: 'invalid-input', code: 'input.invalid', message: `callId: ${parsed.error.issues[0]?.message ?? 'missing'}` } });
    const call = running.get(parsed.data.callId);
    call?.abort();
    if (!call) {
      // Not here yet, or already done: kept a minute, in case the call itself is on its way.
      const now = Date.now();
      for (const [id, at] of cancelledEarly) if (now - at > 60_000) cancelledEarly.delete(id);
      if (cancelledEarly.size < 1000) cancelledEarly.set(parsed.data.callId, now);
    }
    const result: CancelResult = { cancelled: call !== undefined };
    sendJson(res, 200, { ok: true, result });
  }

  /**
   * `GET /api/live?session=ID…`: the pulse of each session now, then each time one changes, as
   * server-sent events (`event: pulse`), until the page goes. GET, so that a page can open it as
   * an EventSource too (the secret then comes by cookie).
   */
  function liveStream(req: IncomingMessage, res: ServerResponse, url: URL): void {
    if (req.method !== 'GET') return sendJson(res, 405, { ok: false, error: { kind: 'invalid-input', message: 'The live channel is a GET request.' } });
    if (!authorised(req)) return sendJson(res, 401, { ok: false, error: { kind: 'invalid-input', message: 'Missing or wrong secret: open the address `proofline serve` printed.' } });
    const parsed = watchInput.safeParse({ sessions: url.searchParams.getAll('session') });
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return sendJson(res, 400, { ok: false, error: { kind: 'invalid-input', code: 'input.invalid', message: `session: ${issue?.message ?? 'give the ids of the sessions to watch'}` } });
    }
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store' });
    // A comment first, so the page's fetch resolves before any pulse.
    res.write(': live\n\n');
    const stop = live.watch(parsed.data.sessions, (pulse) => {
      if (!res.writableEnded && !res.destroyed) res.write(`event: pulse\ndata: ${JSON.stringify(pulse)}\n\n`);
    });
    res.on('close', stop);
  }

  /** /media/blob/<session>/<sha256> and /media/archive/<handle>/<path inside the archive>: the one resolver's answer. */
  async function media(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const reply = await resolver.resolve({ path: url.pathname.slice('/media/'.length), as: url.searchParams.get('as'), range: req.headers.range, method: req.method, page: url.searchParams.get('page'), download: url.searchParams.get('download') });
    res.writeHead(reply.status, reply.headers);
    if (!reply.body) return void res.end();
    // A viewer that goes away mid-file destroys the body, which stops ffmpeg or the entry's read.
    await pipeline(reply.body, res).catch(() => res.destroy());
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
    const decoded = decodePath(pathname);
    if (decoded === null) return sendText(res, 400, 'Bad request: the address is not correctly percent-encoded.');
    const relative = pathname === '/' ? 'index.html' : decoded.replace(/^\/+/, '');
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
  }).catch(async (error: unknown) => {
    await replay.close();
    throw error;
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    // The secret rides in the fragment: browsers never send it to a server or in a Referer.
    url: `${origin}/#secret=${secret}`,
    port,
    secret,
    replayOrigin: replay.origin,
    close: () => {
      live.close();
      return Promise.all([
        new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          server.closeAllConnections();
        }),
        replay.close(),
      ]).then(() => undefined);
    },
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

/** A percent-decoded path, or null when its encoding is malformed (`/%`, `/%zz`, bad UTF-8): a 400, not a 500. */
function decodePath(path: string): string | null {
  try {
    return decodeURIComponent(path);
  } catch {
    return null;
  }
}

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
