// The live channel (contract.ts, `watchInput`): the host pushes a session's pulse when its chain
// grows or its anchoring moves, whichever process appended, so a screen fetches only when
// something changed. Here: the watcher over the store, `serve`'s `GET /api/live` (behind the
// secret, as server-sent events) with an append by another process (the real CLI), and the
// app's IPC registration with a plain object for ipcMain.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { createLiveWatch } from '../../src/host/live-watch.js';
import { createHost, type Host } from '../../src/host/operations.js';
import { SettingsStore } from '../../src/host/settings-store.js';
import { startWebHost, type WebHost } from '../../src/host/web-host.js';
import { registerLiveIpc } from '../../src/main/live-ipc.js';
import type { TrustedRenderer } from '../../src/main/ipc-trust.js';
import { LIVE_PULSE_CHANNEL, LIVE_WATCH_CHANNEL } from '../../src/shared/bridge.js';
import type { SessionPulse } from '../../src/shared/contract.js';
import { proofline } from '../support/cli.js';

let dir: string;
let dataDir: string;
let pl: Proofline;
let host: Host;
let web: WebHost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-live-'));
  dataDir = join(dir, 'data');
  const renderer = join(dir, 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(join(renderer, 'index.html'), '<!doctype html><title>Proofline</title>');
  pl = openProofline({ dataDir });
  host = createHost({ pl, settings: new SettingsStore(dataDir), host: 'web', exportDir: join(dir, 'exports') });
  web = await startWebHost({ host, pl, rendererDir: renderer, archivePath: host.archivePath, liveTickMs: 50 });
});

afterAll(async () => {
  await host.shutdown();
  await web.close();
  pl.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Collects what a listener is given, and waits for one that passes a test. */
function pulses(): { readonly push: (pulse: SessionPulse) => void; readonly seen: SessionPulse[]; next(test: (pulse: SessionPulse) => boolean, timeoutMs?: number): Promise<SessionPulse> } {
  const seen: SessionPulse[] = [];
  const waiting = new Set<() => void>();
  return {
    seen,
    push(pulse) {
      seen.push(pulse);
      for (const wake of waiting) wake();
    },
    next(test, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = seen.find(test);
          if (!found) return;
          waiting.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiting.delete(check);
          reject(new Error(`no such pulse within ${timeoutMs} ms; seen: ${JSON.stringify(seen)}`));
        }, timeoutMs);
        waiting.add(check);
        check();
      });
    },
  };
}

/** Opens `GET path` on the web host and hands each server-sent pulse to `onPulse`; resolves with the response once its head came. */
function openStream(path: string, headers: Record<string, string>, onPulse: (pulse: SessionPulse) => void): Promise<{ readonly res: IncomingMessage; body: () => string; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: web.port, method: 'GET', path, headers: { host: `127.0.0.1:${web.port}`, ...headers } }, (res) => {
      let body = '';
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (/^event: pulse$/m.test(block) && data !== undefined) onPulse(JSON.parse(data) as SessionPulse);
        }
      });
      res.on('error', () => undefined); // destroyed by close() below
      resolve({ res, body: () => body, close: () => req.destroy() });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the live watch over the store', () => {
  it('gives the pulse at once, pushes when the chain grows or anchoring moves, and stays quiet otherwise', async () => {
    const live = createLiveWatch(pl.db, { tickMs: 20 });
    const watched = await pl.sessions.create({ kind: 'creation', title: 'Watched' });
    const other = await pl.sessions.create({ kind: 'creation', title: 'Not watched' });
    const got = pulses();
    const stop = live.watch([watched.id], got.push);
    try {
      expect(got.seen).toEqual([{ id: watched.id, headSeq: 0, checkpoint: 0, pendingTimestamps: 0, timestampTries: 0 }]);
      // Another session's events push nothing to this watcher.
      await pl.sessions.note(other.id, 'elsewhere');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(got.seen).toHaveLength(1);
      // An append by this process (this connection).
      await pl.sessions.note(watched.id, 'first');
      expect((await got.next((p) => p.headSeq === 1)).checkpoint).toBe(0);
      // A checkpoint moves the pulse too: the anchoring panel asks again.
      await pl.sessions.anchorNow(watched.id);
      await got.next((p) => p.checkpoint === 1);
    } finally {
      stop();
      live.close();
    }
  });

  it('sees an append made through another connection to the same data folder, as another process would make', async () => {
    const live = createLiveWatch(pl.db, { tickMs: 20 });
    const session = await pl.sessions.create({ kind: 'web', title: 'Two writers' });
    const got = pulses();
    const stop = live.watch([session.id], got.push);
    const elsewhere = openProofline({ dataDir });
    try {
      await elsewhere.sessions.note(session.id, 'from the other connection');
      await got.next((p) => p.headSeq === 1);
    } finally {
      elsewhere.close();
      stop();
      live.close();
    }
  });
});

describe('proofline serve: GET /api/live', () => {
  it('refuses a page without the secret, a POST, and a malformed session id', async () => {
    const session = await pl.sessions.create({ kind: 'creation', title: 'Refused' });
    const none = await openStream(`/api/live?session=${session.id}`, {}, () => undefined);
    expect(none.res.statusCode).toBe(401);
    const wrong = await openStream(`/api/live?session=${session.id}`, { 'x-proofline-secret': 'x'.repeat(web.secret.length) }, () => undefined);
    expect(wrong.res.statusCode).toBe(401);
    const rebinding = await openStream(`/api/live?session=${session.id}`, { 'x-proofline-secret': web.secret, host: `evil.example:${web.port}` }, () => undefined);
    expect(rebinding.res.statusCode).toBe(403);
    const malformed = await openStream('/api/live?session=..%2Fetc', { 'x-proofline-secret': web.secret }, () => undefined);
    expect(malformed.res.statusCode).toBe(400);
    const post = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: web.port, method: 'POST', path: `/api/live?session=${session.id}`, headers: { host: `127.0.0.1:${web.port}`, 'x-proofline-secret': web.secret, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end('{}');
    });
    expect(post).toBe(405);
    for (const stream of [none, wrong, rebinding, malformed]) stream.close();
  });

  it('streams the pulse at once, then a message when the head moves, in this process and from the CLI in another', async () => {
    const session = await pl.sessions.create({ kind: 'creation', title: 'Pushed' });
    const got = pulses();
    const stream = await openStream(`/api/live?session=${session.id}`, { 'x-proofline-secret': web.secret }, got.push);
    try {
      expect(stream.res.statusCode).toBe(200);
      expect(stream.res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect((await got.next((p) => p.headSeq === 0)).id).toBe(session.id);

      await host.handlers['session.note']({ id: session.id, text: 'in this process' }, { progress: () => undefined, signal: new AbortController().signal });
      await got.next((p) => p.headSeq === 1);

      // Another process appends to the same data folder: `serve` notices it by itself.
      const note = await proofline(['--data', dataDir, 'note', session.id, 'from the command line']);
      expect(note.code, note.stderr).toBe(0);
      await got.next((p) => p.headSeq >= 2, 10_000);
      expect(stream.body()).toContain('event: pulse');
    } finally {
      stream.close();
    }
  });
});

describe('the app: live:watch over IPC', () => {
  const trusted: TrustedRenderer = { kind: 'file', url: 'file:///app/out/renderer/index.html' };
  type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

  it('checks the sender, pushes pulses to that window alone, replaces its watch, and drops it when the window goes', async () => {
    const live = createLiveWatch(pl.db, { tickMs: 20 });
    const channels = new Map<string, Handler>();
    registerLiveIpc({ handle: (channel, listener) => void channels.set(channel, listener) }, live, trusted);
    const watchCall = channels.get(LIVE_WATCH_CHANNEL)!;
    const sent: unknown[][] = [];
    let destroyed: (() => void) | undefined;
    const window = { id: 7, isDestroyed: () => false, send: (...args: unknown[]) => sent.push(args), once: (_name: string, listener: () => void) => (destroyed = listener) };
    const from = (url: string) => ({ senderFrame: { url, parent: null }, sender: window }) as unknown as IpcMainInvokeEvent;
    const a = await pl.sessions.create({ kind: 'creation', title: 'IPC a' });
    const b = await pl.sessions.create({ kind: 'creation', title: 'IPC b' });
    try {
      await expect(async () => watchCall(from('https://evil.example/'), { sessions: [a.id] })).rejects.toThrow(/only the Proofline window/);
      expect(await watchCall(from(trusted.url), { sessions: ['../x'] })).toMatchObject({ ok: false, error: { kind: 'invalid-input' } });
      expect(sent).toEqual([]);

      expect(await watchCall(from(trusted.url), { sessions: [a.id] })).toEqual({ ok: true, result: null });
      expect(sent).toEqual([[LIVE_PULSE_CHANNEL, expect.objectContaining({ id: a.id, headSeq: 0 })]]);
      // The next call replaces the list: a's notes push nothing more, b's do.
      await watchCall(from(trusted.url), { sessions: [b.id] });
      sent.length = 0;
      await pl.sessions.note(a.id, 'not watched any more');
      await pl.sessions.note(b.id, 'watched');
      await expect.poll(() => sent, { timeout: 5_000 }).toEqual([[LIVE_PULSE_CHANNEL, expect.objectContaining({ id: b.id, headSeq: 1 })]]);

      destroyed!();
      sent.length = 0;
      await pl.sessions.note(b.id, 'after the window closed');
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(sent).toEqual([]);
    } finally {
      live.close();
    }
  });
});
