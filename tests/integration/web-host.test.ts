// `proofline serve`'s defences and transport, over real HTTP on loopback: the secret, Host and
// Origin checks, input validation, progress as server-sent events, static files, uploads.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { createHost, type Host } from '../../src/host/operations.js';
import { SettingsStore } from '../../src/host/settings-store.js';
import { startWebHost, type WebHost } from '../../src/host/web-host.js';
import { proofline } from '../support/cli.js';

let dir: string;
let pl: Proofline;
let host: Host;
let web: WebHost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-web-host-'));
  const renderer = join(dir, 'renderer');
  mkdirSync(join(renderer, 'assets'), { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Proofline</title>');
  writeFileSync(join(renderer, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'not for the web');
  pl = openProofline({ dataDir: join(dir, 'data') });
  host = createHost({ pl, settings: new SettingsStore(join(dir, 'data')), host: 'web', exportDir: join(dir, 'exports') });
  web = await startWebHost({ host, pl, rendererDir: renderer, archivePath: host.archivePath });
});

afterAll(async () => {
  await host.shutdown();
  await web.close();
  pl.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP, so Host and Origin can be set to what an attacker's page would send. */
function call(method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, method, path, headers: { host: `127.0.0.1:${web.port}`, ...options.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

const api = (op: string, input: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
  call('POST', `/api/${op}`, { headers: { 'content-type': 'application/json', 'x-proofline-secret': web.secret, ...headers }, body: JSON.stringify(input) });

describe('proofline serve: the web host', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying the secret in its fragment', () => {
    expect(web.url).toBe(`http://127.0.0.1:${web.port}/#secret=${web.secret}`);
    expect(web.secret.length).toBeGreaterThanOrEqual(40);
  });

  it('answers an API call with the secret, and 401 without it or with a wrong one', async () => {
    expect((await api('session.list', {})).status).toBe(200);
    expect(JSON.parse((await api('session.list', {})).body)).toEqual({ ok: true, result: [] });
    const none = await call('POST', '/api/session.list', { headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(none.status).toBe(401);
    expect((await api('session.list', {}, { 'x-proofline-secret': 'x'.repeat(web.secret.length) })).status).toBe(401);
    expect((await call('GET', `/media/blob/abcd/${'0'.repeat(64)}`)).status).toBe(401);
  });

  it('refuses a rebinding Host and a cross-site Origin even with the secret', async () => {
    expect((await api('session.list', {}, { host: `evil.example:${web.port}` })).status).toBe(403);
    expect((await api('session.list', {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await api('session.list', {}, { origin: `http://localhost:${web.port}` })).status).toBe(200);
    expect((await call('GET', '/', { headers: { host: `attacker.test:${web.port}` } })).status).toBe(403);
  });

  it('takes JSON only, validates it against the contract, and names the field that is wrong', async () => {
    const form = await call('POST', '/api/session.create', { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-proofline-secret': web.secret }, body: 'kind=web&title=x' });
    expect(form.status).toBe(415);
    const bad = await api('session.create', { kind: 'web', title: '   ' });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error).toMatchObject({ kind: 'invalid-input', issues: [{ path: 'title' }] });
    expect((await api('no.such', {})).status).toBe(404);
    expect((await api('dialog.chooseArchive', {})).status).toBe(404);
    expect((await api('session.get', { id: 'ffffffff' })).status).toBe(404);
    expect(pl.sessions.list()).toHaveLength(0);
  });

  it('changes only the settings it is given: a language switch keeps the TSAs and folders', async () => {
    const first = await api('settings.update', { tsaUrls: ['http://127.0.0.1:9/tsr'], watchFolders: ['/srv/comfy/output'], recording: { fps: 10 } });
    expect(first.status).toBe(200);
    const second = JSON.parse((await api('settings.update', { language: 'zh', recording: { clock: false } })).body).result;
    expect(second).toMatchObject({ language: 'zh', tsaUrls: ['http://127.0.0.1:9/tsr'], watchFolders: ['/srv/comfy/output'], recording: { fps: 10, clock: false } });
    expect((await api('settings.update', { tsaUrls: ['ftp://x'] })).status).toBe(400);
    expect((await api('settings.update', { bogus: 1 })).status).toBe(400);
    expect(JSON.parse((await api('settings.get', {})).body).result.tsaUrls).toEqual(['http://127.0.0.1:9/tsr']);
  });

  it('streams progress as server-sent events, then the result, for a long operation', async () => {
    const created = JSON.parse((await api('session.create', { kind: 'creation', title: 'Streamed export' })).body).result as { id: string };
    const file = join(dir, 'draft.png');
    writeFileSync(file, Buffer.alloc(4096, 7));
    await pl.sessions.attach(created.id, [file]);
    expect((await api('session.seal', { id: created.id })).status).toBe(200);
    const out = join(dir, 'streamed.zip');
    const reply = await api('session.export', { id: created.id, out }, { accept: 'text/event-stream' });
    expect(reply.headers['content-type']).toMatch(/^text\/event-stream/);
    const events = reply.body.trim().split('\n\n').map((block) => ({ event: /^event: (.*)$/m.exec(block)![1], data: JSON.parse(/^data: (.*)$/m.exec(block)![1]!) }));
    expect(events.filter((e) => e.event === 'progress').length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ event: 'result', data: { ok: true, result: { path: out } } });
    const verified = await proofline(['verify', out]);
    expect(verified.code).toBe(3); // intact, no TSA configured here
  });

  it('serves archive entries and stored files by byte range, so a video can be sought', async () => {
    const out = join(dir, 'streamed.zip');
    const handle = JSON.parse((await api('archive.open', { path: out })).body).result.archive as string;
    const auth = { 'x-proofline-secret': web.secret };
    const whole = await call('GET', `/media/archive/${handle}/data/session.json`, { headers: auth });
    expect(whole.status).toBe(200);
    expect(whole.headers['content-security-policy']).toMatch(/^sandbox;/);
    const part = await call('GET', `/media/archive/${handle}/data/session.json`, { headers: { ...auth, range: 'bytes=5-14' } });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 5-14/${Buffer.byteLength(whole.body)}`);
    expect(part.body).toBe(whole.body.slice(5, 15));
    expect((await call('GET', `/media/archive/${handle}/data/session.json`, { headers: { ...auth, range: 'bytes=999999-' } })).status).toBe(416);
    const session = pl.sessions.list().find((s) => s.title === 'Streamed export')!;
    const sha = [...pl.events.iterate(session.id)].flatMap((e) => e.body.artifacts)[0]!.sha256;
    const tail = await call('GET', `/media/blob/${session.id}/${sha}`, { headers: { ...auth, range: 'bytes=-100' } });
    expect(tail.status).toBe(206);
    expect(tail.headers['content-range']).toBe('bytes 3996-4095/4096');
  });

  it('serves the built UI with a CSP, and nothing outside its folder', async () => {
    const index = await call('GET', '/');
    expect(index.status).toBe(200);
    expect(index.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect((await call('GET', '/assets/app.js')).status).toBe(200);
    expect((await call('GET', '/../secret.txt')).status).toBe(404);
    expect((await call('GET', '/%2e%2e/secret.txt')).status).toBe(404);
    expect((await call('GET', '/assets/%2e%2e/%2e%2e/secret.txt')).status).toBe(404);
  });

  it('answers a badly percent-encoded address with 400, not 500', async () => {
    for (const path of ['/%', '/%zz', '/assets/%E0%A4%A', '/%C0%AF']) {
      const reply = await call('GET', path);
      expect(reply.status, path).toBe(400);
      expect(reply.body).toMatch(/percent-encoded/);
    }
    for (const op of ['%', '%zz', 'session.list%']) {
      const reply = await call('POST', `/api/${op}`, { headers: { 'content-type': 'application/json', 'x-proofline-secret': web.secret }, body: '{}' });
      expect(reply.status, op).toBe(400);
      expect(JSON.parse(reply.body)).toMatchObject({ ok: false, error: { kind: 'invalid-input' } });
    }
    const media = await call('GET', '/media/blob/%/x', { headers: { 'x-proofline-secret': web.secret } });
    expect(media.status).toBe(400);
  });

  it('answers 404 for a stored file of a session that does not exist', async () => {
    const auth = { 'x-proofline-secret': web.secret };
    const sha = 'a'.repeat(64);
    for (const session of ['deadbeef', '00000000-0000-4000-8000-000000000000', 'no-such-session']) {
      const reply = await call('GET', `/media/blob/${session}/${sha}`, { headers: auth });
      expect(reply.status, session).toBe(404);
      expect(reply.headers['content-security-policy']).toMatch(/^sandbox;/);
      expect((await call('HEAD', `/media/blob/${session}/${sha}`, { headers: auth })).status).toBe(404);
    }
  });

  it('takes an uploaded archive into its inbox, and refuses one without the secret', async () => {
    const bytes = Buffer.from('PK\u0005\u0006'.padEnd(22, '\u0000'), 'binary');
    const refused = await call('PUT', '/upload?name=case.zip', { headers: { 'content-length': String(bytes.length) }, body: bytes });
    expect(refused.status).toBe(401);
    const ok = await call('PUT', '/upload?name=../../case.zip', { headers: { 'x-proofline-secret': web.secret, 'content-length': String(bytes.length) }, body: bytes });
    expect(ok.status).toBe(200);
    const path = JSON.parse(ok.body).result.path as string;
    expect(path.startsWith(join(pl.dataDir, 'inbox'))).toBe(true);
    expect(readFileSync(path)).toEqual(bytes);
  });
});
