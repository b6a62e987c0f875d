// The replay origin: a second loopback listener that serves one thing, the WACZ of a captured
// page replayed by ReplayWeb.page's embeddable component (the `replaywebpage` package), and
// nothing else: no API, no media, no store, no cookie, no secret.
//
// Why a separate origin: a captured page is hostile. ReplayWeb.page runs the page's own scripts
// (that is what a replay is), inside frames of the origin that serves its service worker. Served
// from the app's origin, those scripts could call the API with the window's cookie. Served from
// here they run with the privileges of this listener, which are none:
// - the app's web host (127.0.0.1:A) refuses them: another port is another origin, so its Origin
//   check turns away every API call (a POST always carries Origin), CORP same-origin on all its
//   answers keeps <img>/<script> loads from reading media, frame-ancestors 'none' keeps the app
//   out of their frames, and its cookie is HttpOnly;
// - same site on purpose (127.0.0.1 like the app, not `localhost`): Chromium refuses a service
//   worker to a cross-site frame when third-party cookies are blocked ("The user denied
//   permission to use Service Worker"), and ReplayWeb.page cannot replay without one;
// - here, each opened WACZ is reachable only under an unguessable per-archive token;
// - every document and the service worker carry a CSP that allows only this origin, so neither the
//   replay UI nor the worker can fetch anything off the machine (the worker's own CSP bounds its
//   fetch(), the one way a replayed resource could be sought on the live web).
//
//   /<token>/                the shell page: <replay-web-page> over ./archive.wacz
//   /<token>/ui.js           ReplayWeb.page's UI (also /<token>/replay/ui.js, for its inner frame)
//   /<token>/replay/sw.js    its service worker, whose scope is /<token>/replay/
//   /<token>/archive.wacz    the WACZ's bytes, read from the archive entry (Range, HEAD)
import { randomBytes } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** An answer of the media resolver, which reads the WACZ from the opened archive (Range, HEAD). */
export interface ReplayRead {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readable | null;
}

export interface ReplayServerOptions {
  /** The WACZ entry `entry` of the archive opened as `handle`, as the media resolver answers it. */
  readonly read: (handle: string, entry: string, range: string | undefined, method: string) => Promise<ReplayRead>;
  /** Who may frame the shell (CSP frame-ancestors): the app window's origin(s), e.g. `http://127.0.0.1:A` or `file:`. */
  readonly frameAncestors: () => readonly string[];
  /** The host name the replay is addressed by: 127.0.0.1 by default, the app's own (module comment). */
  readonly hostname?: 'localhost' | '127.0.0.1';
  /** Where ReplayWeb.page's ui.js and sw.js are; the installed package by default. */
  readonly assetsDir?: string;
}

export interface ReplayServer {
  readonly origin: string;
  /** The shell's address for a WACZ entry of an opened archive, opening `page` (a captured URL) when given. */
  address(handle: string, entry: string, page?: string | null): string;
  close(): Promise<void>;
}

const TOKEN = /^[A-Za-z0-9_-]{32}$/;
/** Most archives opened in one run; the oldest token is forgotten past it. */
const MAX_TOKENS = 256;

export async function startReplayServer(options: ReplayServerOptions): Promise<ReplayServer> {
  const assets = options.assetsDir ?? dirname(createRequire(import.meta.url).resolve('replaywebpage/index.html'));
  const hostname = options.hostname ?? '127.0.0.1';
  const tokens = new Map<string, { readonly handle: string; readonly entry: string }>();
  const byTarget = new Map<string, string>();
  let port = 0;

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'The replay could not be served.');
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    // DNS rebinding: only our own loopback names.
    if (req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`) return send(res, 403, 'Forbidden: unexpected Host header.');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method not allowed.');
    const path = (req.url ?? '/').split('?')[0]!;
    const match = /^\/([^/]+)\/(.*)$/.exec(path);
    const target = match && TOKEN.test(match[1]!) ? tokens.get(match[1]!) : undefined;
    if (!match || !target) return send(res, 404, 'Not found.');
    const rest = match[2]!;
    // Only the shell is framed by the app (another site); everything else is fetched by the
    // shell, ReplayWeb.page's frames and its worker, all of this origin.
    const site = req.headers['sec-fetch-site'];
    if (rest !== '' && site !== undefined && site !== 'same-origin' && site !== 'none') return send(res, 403, 'Forbidden: cross-origin request.');
    if (rest === '') return sendShell(res, new URL(req.url ?? '/', 'http://x').searchParams.get('page'), req.method === 'HEAD');
    if (rest === 'ui.js' || rest === 'replay/ui.js') return sendAsset(req, res, 'ui.js', { 'Cross-Origin-Resource-Policy': 'same-origin' });
    // ReplayWeb.page opens replay/?source=… in its frame as soon as its service worker is
    // registered; when that navigation comes before the worker controls the frame, it reaches
    // this server. Answered with a page (framed by ReplayWeb.page's own, of this origin) that waits
    // for the worker and loads itself again (once),
    // instead of a 404 that left the replay blank about one time in three.
    if (rest === 'replay/' || rest === 'replay/index.html') return sendWaiting(res, req.method === 'HEAD');
    if (rest === 'replay-wait.js') return sendScript(res, WAIT_SCRIPT, req.method === 'HEAD');
    if (rest === 'replay/sw.js') return sendAsset(req, res, 'sw.js', { 'Content-Security-Policy': WORKER_CSP, 'Service-Worker-Allowed': `/${match[1]}/replay/` });
    if (rest === 'archive.wacz') {
      const reply = await options.read(target.handle, target.entry, req.headers.range, req.method ?? 'GET');
      res.writeHead(reply.status, { ...reply.headers, 'Cross-Origin-Resource-Policy': 'same-origin' });
      if (!reply.body) return void res.end();
      await pipeline(reply.body, res).catch(() => res.destroy());
      return;
    }
    return send(res, 404, 'Not found.');
  }

  function sendWaiting(res: ServerResponse, head: boolean): void {
    const bytes = Buffer.from('<!doctype html><html><head><meta charset="utf-8"><title>Replay</title><script src="../replay-wait.js"></script></head><body></body></html>\n', 'utf8');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': bytes.length, 'Content-Security-Policy': shellCsp([...options.frameAncestors(), "'self'"]) });
    res.end(head ? undefined : bytes);
  }

  function sendScript(res: ServerResponse, source: string, head: boolean): void {
    const bytes = Buffer.from(source, 'utf8');
    res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Length': bytes.length, 'Cross-Origin-Resource-Policy': 'same-origin' });
    res.end(head ? undefined : bytes);
  }

  function sendShell(res: ServerResponse, page: string | null, head: boolean): void {
    const attributes = [
      ['source', 'archive.wacz'],
      ['replaybase', './replay/'],
      // The toolbar shows the archived address and the capture time, as a reader expects of a replay.
      ['embed', 'default'],
      ...(page ? [['url', page]] : []),
    ];
    const html = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Replay</title>
    <link rel="icon" href="data:," />
    <script src="ui.js"></script>
  </head>
  <body style="margin:0;height:100vh">
    <replay-web-page ${attributes.map(([name, value]) => `${name}="${escapeAttribute(value!)}"`).join(' ')}></replay-web-page>
  </body>
</html>
`;
    const bytes = Buffer.from(html, 'utf8');
    res.writeHead(200, {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': bytes.length,
      'Content-Security-Policy': shellCsp(options.frameAncestors()),
    });
    res.end(head ? undefined : bytes);
  }

  async function sendAsset(req: IncomingMessage, res: ServerResponse, name: 'ui.js' | 'sw.js', headers: Record<string, string>): Promise<void> {
    const file = join(assets, name);
    const size = statSync(file).size;
    res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Content-Length': size, ...headers });
    if (req.method === 'HEAD') return void res.end();
    await pipeline(createReadStream(file), res);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://${hostname}:${port}`;
  return {
    origin,
    address(handle, entry, page) {
      const key = `${handle}\n${entry}`;
      let token = byTarget.get(key);
      if (token === undefined) {
        token = randomBytes(24).toString('base64url');
        if (tokens.size >= MAX_TOKENS) {
          const [oldest, target] = tokens.entries().next().value!;
          tokens.delete(oldest);
          byTarget.delete(`${target.handle}\n${target.entry}`);
        }
        tokens.set(token, { handle, entry });
        byTarget.set(key, token);
      }
      return `${origin}/${token}/${page ? `?page=${encodeURIComponent(page)}` : ''}`;
    },
    close: () =>
      new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }),
  };
}

/**
 * The shell and, through it, ReplayWeb.page's UI: this origin only. 'unsafe-inline' styles: the
 * UI's web components set style attributes. frame-src 'self': its frames are the replay, served
 * by its worker on this origin. frame-ancestors: only the app's window may frame it.
 */
/**
 * The frame's page when the service worker did not answer it yet: once the worker controls the
 * scope, load the same address again, which the worker then serves. At most once per address
 * (sessionStorage), so a worker that never takes over cannot loop.
 */
const WAIT_SCRIPT = `(() => {
  const sw = navigator.serviceWorker;
  const key = 'proofline-replay-reloaded:' + location.pathname + location.search;
  if (!sw || sw.controller || sessionStorage.getItem(key)) return;
  let done = false;
  const again = () => {
    if (done) return;
    done = true;
    sessionStorage.setItem(key, '1');
    location.reload();
  };
  sw.ready.then(again);
})();
`;

function shellCsp(ancestors: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "frame-src 'self'",
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'none'",
    `frame-ancestors ${ancestors.length > 0 ? ancestors.join(' ') : "'none'"}`,
  ].join('; ');
}

/**
 * The service worker's own policy: a worker obeys the CSP of its script's response, so every
 * fetch() it makes (the WACZ's ranges, or a resource the archive lacks that wabac.js would try
 * on the live web) can reach this origin alone. 'wasm-unsafe-eval': wabac.js may compile
 * WebAssembly (decompression); it cannot fetch with it.
 */
const WORKER_CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; connect-src 'self'";

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function send(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
