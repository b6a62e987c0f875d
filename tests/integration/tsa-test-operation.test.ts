// `tsa.test` over `proofline serve`'s HTTP API: a real RFC 3161 token from the loopback TSA, judged
// under the configured roots, and nothing recorded in any session (issue 11, first-launch check).
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { createHost, type Host } from '../../src/host/operations.js';
import { SettingsStore } from '../../src/host/settings-store.js';
import { startWebHost, type WebHost } from '../../src/host/web-host.js';
import type { AppInfo, TimelineEvent, TsaTestResult } from '../../src/shared/views.js';
import { proofline } from '../support/cli.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let dir: string;
let tsa: RunningTsa;
let pl: Proofline;
let settings: SettingsStore;
let host: Host;
let web: WebHost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-tsa-test-op-'));
  tsa = await startTsa({ dir, name: 'Readiness Check' });
  pl = openProofline({ dataDir: join(dir, 'data') });
  settings = new SettingsStore(join(dir, 'data'));
  host = createHost({ pl, settings, host: 'web', exportDir: join(dir, 'exports') });
  web = await startWebHost({ host, pl, rendererDir: join(dir, 'no-renderer'), archivePath: host.archivePath });
}, 60_000);

afterAll(async () => {
  await host?.shutdown();
  await web?.close();
  pl?.close();
  await tsa?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function api<R>(op: string, input: unknown): Promise<{ status: number; body: { ok: true; result: R } | { ok: false; error: { code?: string; message: string } } }> {
  const res = await fetch(`${web.origin}/api/${op}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-proofline-secret': web.secret }, body: JSON.stringify(input) });
  return { status: res.status, body: (await res.json()) as never };
}
/** A loopback port nothing listens on: taken, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const ok = <R>(reply: { body: { ok: true; result: R } | { ok: false; error: { message: string } } }): R => {
  if (!reply.body.ok) throw new Error(reply.body.error.message);
  return reply.body.result;
};

describe('tsa.test through the HTTP API', () => {
  it('refuses with a code when no TSA is configured and none is given', async () => {
    const reply = await api('tsa.test', {});
    expect(reply.status).toBe(400);
    expect(reply.body.ok === false && reply.body.error.code).toBe('tsa.none-configured');
  });

  it('gets a real token from the configured TSA, trusted under its root, and records nothing', async () => {
    const session = ok(await api<{ id: string }>('session.create', { kind: 'web', title: 'Untouched by the TSA test' }));
    const before = ok(await api<TimelineEvent[]>('session.events', { id: session.id }));
    const requestsBefore = tsa.requests;
    const queuedBefore = pl.timestamps.list(session.id).length;

    // Credentials in a TSA URL never come back (the loopback TSA ignores them).
    const withCredentials = tsa.url.replace('http://', 'http://user:hunter2@');
    ok(await api('settings.update', { tsaUrls: [withCredentials], trustedRootFiles: [tsa.caPath] }));
    const info = ok(await api<AppInfo>('app.info', {}));
    expect(info.readiness.tsa).toEqual({ count: 1, urls: [tsa.url] });
    expect(info.readiness.trustedRoots).toEqual({ files: 1, certificates: 1 });

    const [result, ...rest] = ok(await api<TsaTestResult[]>('tsa.test', {}));
    expect(rest).toEqual([]);
    expect(result).toMatchObject({ url: tsa.url, ok: true, trusted: true });
    expect(JSON.stringify(result)).not.toContain('hunter2');
    // A real token: dated by the TSA now, signed by the test TSA's certificate, one request more.
    expect(Math.abs(Date.parse(result!.genTime!) - Date.now())).toBeLessThan(60_000);
    expect(result!.signer).toContain('CN=Readiness Check TSA');
    expect(result!.tsaName).toContain('Readiness Check TSA');
    expect(tsa.requests).toBe(requestsBefore + 1);

    // Nothing recorded: no session gained an event, no timestamp request was queued.
    const after = ok(await api<TimelineEvent[]>('session.events', { id: session.id }));
    expect(after).toEqual(before);
    const sessions = ok(await api<{ id: string; eventCount: number }[]>('session.list', {}));
    expect(sessions.map((s) => [s.id, s.eventCount])).toEqual([[session.id, before.length]]);
    expect(pl.timestamps.list(session.id).length).toBe(queuedBefore);
  }, 60_000);

  it('says a token is untrusted when no root is configured', async () => {
    ok(await api('settings.update', { tsaUrls: [tsa.url], trustedRootFiles: [] }));
    const [result] = ok(await api<TsaTestResult[]>('tsa.test', {}));
    expect(result).toMatchObject({ ok: true, trusted: false, trustProblem: { cause: 'no-roots' } });
    const info = ok(await api<AppInfo>('app.info', {}));
    expect(info.readiness.trustedRoots).toEqual({ files: 0, certificates: 0 });
  }, 60_000);

  it('reports a TSA on a closed port as unreachable, with the URL it asked', async () => {
    const closed = `http://127.0.0.1:${await closedPort()}/tsr`;
    const [result] = ok(await api<TsaTestResult[]>('tsa.test', { url: closed }));
    expect(result).toMatchObject({ url: closed, ok: false, error: { reason: 'unreachable' } });
    expect(result!.error!.message).toContain('ECONNREFUSED');
    // A test queues nothing, so its message does not say the request will be retried.
    expect(result!.error!.message).not.toContain('queued');
  }, 60_000);

  it('is the CLI\'s tsa-test too: the token\'s signer, trusted under --trust, exit 1 for a TSA that gives none', async () => {
    const data = join(dir, 'cli-data');
    const good = await proofline(['--data', data, 'tsa-test', tsa.url, '--trust', tsa.caPath, '--json']);
    expect(good.code).toBe(0);
    const [result] = JSON.parse(good.stdout) as TsaTestResult[];
    expect(result).toMatchObject({ ok: true, trusted: true, url: tsa.url });
    expect(result!.signer).toContain('Readiness Check TSA');
    const bad = await proofline(['--data', data, 'tsa-test', `http://127.0.0.1:${await closedPort()}/tsr`]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('FAILED');
  }, 60_000);
});
