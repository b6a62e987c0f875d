// ReplayWeb.page as any web server would host it for one WACZ: the installed `replaywebpage`
// package's ui.js and sw.js, and a page embedding <replay-web-page embed="replay-with-info">, the
// mode that shows ReplayWeb.page's own receipt (who signed the archive, how many hashes it
// verified). Loopback only; WACZ bytes served with Range support, as ReplayWeb.page reads them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';

export interface StaticReplay {
  readonly origin: string;
  /** Serves `bytes` as /<name>.wacz and returns the URL of a page replaying `url` from it. */
  host(name: string, bytes: Buffer, url: string): string;
  stop(): Promise<void>;
}

const assets = dirname(createRequire(import.meta.url).resolve('replaywebpage/index.html'));

export async function startStaticReplay(): Promise<StaticReplay> {
  const waczs = new Map<string, Buffer>();
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const send = (status: number, type: string, body: Buffer, extra: Record<string, string> = {}): void => {
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': String(body.length), 'Cache-Control': 'no-store', ...extra });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    const page = pages.get(path);
    if (page) return send(200, 'text/html; charset=utf-8', Buffer.from(page));
    if (/^\/[^/]+\/(replay\/)?ui\.js$/.test(path)) return send(200, 'text/javascript', readFileSync(join(assets, 'ui.js')));
    if (/^\/[^/]+\/replay\/sw\.js$/.test(path)) return send(200, 'text/javascript', readFileSync(join(assets, 'sw.js')), { 'Service-Worker-Allowed': `${path.slice(0, path.lastIndexOf('/') + 1)}` });
    // Before its worker controls the frame, ReplayWeb.page's replay/ page is its app page.
    if (/^\/[^/]+\/replay\/(index\.html)?$/.test(path)) return send(200, 'text/html; charset=utf-8', readFileSync(join(assets, 'index.html')));
    const wacz = waczs.get(path);
    if (!wacz) return send(404, 'text/plain', Buffer.from('not found'));
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (!range) return send(200, 'application/wacz', wacz, { 'Accept-Ranges': 'bytes' });
    const start = Number(range[1]);
    const end = range[2] ? Math.min(Number(range[2]), wacz.length - 1) : wacz.length - 1;
    return send(206, 'application/wacz', wacz.subarray(start, end + 1), { 'Accept-Ranges': 'bytes', 'Content-Range': `bytes ${start}-${end}/${wacz.length}` });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    host(name, bytes, url) {
      // Each WACZ under its own folder: its own service worker scope, so no cache is shared.
      waczs.set(`/${name}/${name}.wacz`, bytes);
      const attributes = `source="${name}.wacz" replaybase="./replay/" embed="replay-with-info" url="${url}"`;
      pages.set(`/${name}/`, `<!doctype html><html><head><meta charset="utf-8"><title>${name}</title><script src="ui.js"></script></head><body style="margin:0;height:100vh"><replay-web-page ${attributes}></replay-web-page></body></html>`);
      return `${origin}/${name}/`;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
