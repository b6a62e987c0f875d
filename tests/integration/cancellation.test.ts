// Cancellation that works: an export, a verify and a batch capture cancelled half-way through
// the contract's cancel channel (`POST /api/cancel` on `proofline serve`, the operations'
// AbortSignal), and Ctrl-C to the CLI. Each cancels on the first progress event of work made
// large enough to be under way then, never after a delay, so the machine's speed does not matter.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyArchive } from '../../src/core/archive/verify-archive.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { createHost, type Host } from '../../src/host/operations.js';
import { SettingsStore } from '../../src/host/settings-store.js';
import { startWebHost, type WebHost } from '../../src/host/web-host.js';
import { parseInput, type OperationError } from '../../src/shared/contract.js';
import type { CaptureProgress } from '../../src/shared/views.js';
import { CLI } from '../support/cli.js';
import { sealedSessionWithLargeFiles, withLargeEntry } from '../support/large-archive.js';
import { startTestSite, type TestSite } from '../support/test-site.js';

let dir: string;
let pl: Proofline;
let host: Host;
let web: WebHost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-cancel-'));
  pl = openProofline({ dataDir: join(dir, 'data') });
  host = createHost({ pl, settings: new SettingsStore(join(dir, 'data')), host: 'web', exportDir: join(dir, 'exports') });
  const renderer = join(dir, 'renderer');
  mkdirSync(renderer);
  web = await startWebHost({ host, pl, rendererDir: renderer, archivePath: host.archivePath });
});

afterAll(async () => {
  await host.shutdown();
  await web.close();
  pl.close();
  rmSync(dir, { recursive: true, force: true });
});

type Envelope = { ok: true; result: unknown } | { ok: false; error: OperationError };
const headers = (): Record<string, string> => ({ 'content-type': 'application/json', 'x-proofline-secret': web.secret });

/** A long call as the renderer's client makes it: streamed, with a call id; progress as it comes. */
async function streamCall(name: string, input: unknown, callId: string, onProgress: (progress: Record<string, unknown>) => void): Promise<Envelope> {
  const response = await fetch(`${web.origin}/api/${name}`, {
    method: 'POST',
    headers: { ...headers(), accept: 'text/event-stream', 'x-proofline-call-id': callId },
    body: JSON.stringify(input),
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the stream of ${name} ended without a result`);
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = JSON.parse(/^data: (.*)$/m.exec(block)![1]!) as unknown;
      if (block.startsWith('event: progress')) onProgress(data as Record<string, unknown>);
      else return data as Envelope;
    }
  }
}

const cancel = async (callId: unknown): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(`${web.origin}/api/cancel`, { method: 'POST', headers: headers(), body: JSON.stringify({ callId }) });
  return { status: response.status, body: await response.json() };
};

function stat(pid: string): { comm: string; state: string; ppid: number } | undefined {
  try {
    const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(readFileSync(`/proc/${pid}/stat`, 'utf8'))!;
    const [state, ppid] = rest!.split(' ');
    return { comm: comm!, state: state!, ppid: Number(ppid) };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The running children of `parent` that are Chromium (Debian's wrapper execs it; Playwright's is chrome or headless_shell). */
function browserChildren(parent = process.pid): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      const s = stat(pid);
      return s !== undefined && s.ppid === parent && s.state !== 'Z' && /chrom|headless/i.test(s.comm);
    })
    .map(Number);
}

const alive = (pid: number): boolean => {
  const s = stat(String(pid));
  return s !== undefined && s.state !== 'Z';
};

/** Resolves once `condition` holds (polled): the moment a process has reached a point, not a delay. */
async function until(condition: () => boolean, timeout = 60_000): Promise<void> {
  await expect.poll(condition, { timeout, interval: 10 }).toBe(true);
}

/** Runs the built CLI; `interruptWhen` is polled, and Ctrl-C (SIGINT) is sent once it holds. */
async function interrupted(args: readonly string[], interruptWhen: (pid: number) => boolean): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, PROOFLINE_TSA_URLS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  await until(() => interruptWhen(child.pid!));
  child.kill('SIGINT');
  return { code: await exited, stdout, stderr };
}

const call = async (name: string, input: unknown): Promise<Envelope> =>
  (await fetch(`${web.origin}/api/${name}`, { method: 'POST', headers: headers(), body: JSON.stringify(input) })).json() as Promise<Envelope>;

describe('cancelling an export', () => {
  it('stops it half-way: no archive at the target, no partial file beside it; a later export is whole and verifies', async () => {
    const id = await sealedSessionWithLargeFiles(pl, dir);
    const folder = join(dir, 'out');
    mkdirSync(folder);
    const out = join(folder, 'evidence.zip');
    let cancelling: Promise<{ status: number; body: unknown }> | undefined;
    let last = { done: 0, total: 0 };
    const reply = await streamCall('session.export', { id, out }, 'export-1', (p) => {
      last = { done: p['done'] as number, total: p['total'] as number };
      cancelling ??= cancel('export-1');
    });
    expect((await cancelling!).body).toEqual({ ok: true, result: { cancelled: true } });
    expect(reply).toMatchObject({ ok: false, error: { kind: 'interrupted', code: 'export.cancelled', message: expect.stringMatching(/cancelled: no archive was written/) } });
    expect(last.done).toBeLessThan(last.total);
    expect(readdirSync(folder)).toEqual([]);

    const again = await streamCall('session.export', { id, out }, 'export-2', () => undefined);
    expect(again).toMatchObject({ ok: true, result: { path: out } });
    expect(readdirSync(folder)).toEqual(['evidence.zip']);
    const report = await verifyArchive(out);
    // No TSA in this test: unattested, but every file, hash, signature and the chain check out.
    expect(report.checks.filter((c) => c.status === 'fail')).toEqual([]);
  }, 120_000);
});

describe('cancelling a verify', () => {
  it('stops it inside a multi-GB entry: cancelled, not a verdict; the host verifies the next one', async () => {
    const id = await sealedSessionWithLargeFiles(pl, dir, 1, 1);
    const small = join(dir, 'small.zip');
    await pl.exportSession(id, { out: small });
    const large = join(dir, 'large.zip');
    await withLargeEntry(small, large);
    const opened = (await call('archive.open', { path: large })) as { ok: true; result: { archive: string } };
    let cancelling: Promise<{ status: number; body: unknown }> | undefined;
    const started = Date.now();
    const reply = await streamCall('archive.verify', { archive: opened.result.archive }, 'verify-1', () => {
      cancelling ??= cancel('verify-1');
    });
    expect((await cancelling!).body).toEqual({ ok: true, result: { cancelled: true } });
    expect(reply).toMatchObject({ ok: false, error: { kind: 'interrupted', code: 'operation.cancelled', message: expect.stringMatching(/cancelled before it finished: there is no verdict/) } });
    // Hashing 3.5 GiB takes seconds; the cancel stopped it inside the entry.
    expect(Date.now() - started).toBeLessThan(30_000);

    const whole = (await call('archive.open', { path: small })) as { ok: true; result: { archive: string } };
    const verified = await streamCall('archive.verify', { archive: whole.result.archive }, 'verify-2', () => undefined);
    expect(verified).toMatchObject({ ok: true, result: { verdict: 'unattested' } });
  }, 120_000);

  it('cancels a call whose cancel came first, and refuses a cancel without the secret or a call id', async () => {
    expect((await cancel('verify-early')).body).toEqual({ ok: true, result: { cancelled: false } });
    const id = await sealedSessionWithLargeFiles(pl, dir, 1, 1);
    const reply = await streamCall('session.export', { id, out: join(dir, 'early.zip') }, 'verify-early', () => undefined);
    expect(reply).toMatchObject({ ok: false, error: { code: 'export.cancelled' } });
    expect(readdirSync(dir).filter((name) => name.startsWith('early.zip'))).toEqual([]);

    expect(await cancel('../etc/passwd')).toMatchObject({ status: 400, body: { ok: false, error: { kind: 'invalid-input' } } });
    const anonymous = await fetch(`${web.origin}/api/cancel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ callId: 'verify-1' }) });
    expect(anonymous.status).toBe(401);
  }, 60_000);
});

describe('cancelling a batch capture', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await startTestSite(dir);
  });
  afterAll(async () => {
    await site?.stop();
  });

  it('stops launching pages, closes the browser, and records in the session which URLs were not captured', async () => {
    const session = await pl.sessions.create({ kind: 'web', title: 'Slow pages' });
    // Pages whose load event never comes: each stays loading until its two-minute time limit.
    const urls = [1, 2, 3, 4].map((n) => `${site.httpOrigin}/never?copy=${n}`);
    const before = new Set(browserChildren());
    const input = parseInput('web.capture', { id: session.id, urls, concurrency: 2, retries: 0, timeoutSeconds: 120 });
    if (!input.ok) throw new Error(input.error.message);
    const abort = new AbortController();
    const seen: CaptureProgress[] = [];
    let browser: number[] = [];
    const capture = host.handlers['web.capture'](input.value, {
      signal: abort.signal,
      progress: (p) => {
        seen.push(p);
        if (p.state === 'loading' && !abort.signal.aborted) {
          browser = browserChildren().filter((pid) => !before.has(pid));
          abort.abort();
        }
      },
    });
    await expect(capture).rejects.toMatchObject({ kind: 'interrupted', code: 'operation.cancelled', params: { captured: 0, notCaptured: 4, total: 4 } });
    expect(browser.length).toBeGreaterThan(0);
    // Playwright's close resolves as the browser's pipe closes; the kernel reaps it a moment later.
    await expect.poll(() => browserChildren().filter((pid) => !before.has(pid)), { timeout: 5_000, interval: 20 }).toEqual([]);

    const events = [...pl.events.iterate(session.id)].map((e) => e.body);
    const cancelledEvent = events.find((e) => e.type === 'web.capture.cancelled');
    expect(cancelledEvent?.payload).toMatchObject({ reason: 'the batch was cancelled', requested: 4, captured: 0, failed: 0, notCaptured: urls });
    // Said once, for the batch: not as four failures of the pages.
    expect(events.filter((e) => e.type === 'web.capture.failed')).toEqual([]);
    expect(seen.filter((p) => p.state === 'cancelled').map((p) => p.url).sort()).toEqual([...urls].sort());
  }, 120_000);
});

describe('Ctrl-C in the command line', () => {
  it('ends `proofline verify` inside a large entry with exit 130 and no verdict', async () => {
    const store = openProofline({ dataDir: join(dir, 'cli-verify') });
    const id = await sealedSessionWithLargeFiles(store, dir, 1, 1);
    const small = join(dir, 'cli-small.zip');
    await store.exportSession(id, { out: small });
    store.close();
    const large = join(dir, 'cli-large.zip');
    await withLargeEntry(small, large);
    // Verify holds the archive open while it reads it: Ctrl-C once it has opened it.
    const opened = (pid: number): boolean => readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === large;
      } catch {
        return false;
      }
    });
    const { code, stdout, stderr } = await interrupted(['verify', large], opened);
    expect(stderr).toMatch(/interrupted \(Ctrl-C\): Verifying .*cli-large\.zip was cancelled before it finished: there is no verdict/);
    expect(stdout).toBe('');
    expect(code).toBe(130);
  }, 120_000);

  it('ends `proofline capture` with exit 130: the browser closed, the URLs not captured named in the session', async () => {
    const site = await startTestSite(dir);
    const dataDir = join(dir, 'cli-capture');
    try {
      const store = openProofline({ dataDir });
      const session = await store.sessions.create({ kind: 'web', title: 'Slow pages, Ctrl-C' });
      store.close();
      const urls = [1, 2, 3].map((n) => `${site.httpOrigin}/never?copy=${n}`);
      let browsers: number[] = [];
      // Ctrl-C once the batch's browser runs (its pages then stay loading for two minutes).
      const { code, stderr } = await interrupted(['--data', dataDir, 'capture', session.id, ...urls, '--no-env-check', '--timeout', '120', '--retries', '0'], (pid) => (browsers = browserChildren(pid)).length > 0 && site.requested.some((path) => path.startsWith('/never')));
      expect(stderr).toMatch(/interrupted \(Ctrl-C\): The batch capture was cancelled: 0 of 3 URL\(s\) captured, 3 not captured/);
      expect(code).toBe(130);
      expect(browsers.filter(alive)).toEqual([]);
      const reopened = openProofline({ dataDir });
      try {
        const cancelledEvent = [...reopened.events.iterate(session.id)].find((e) => e.body.type === 'web.capture.cancelled');
        expect(cancelledEvent?.body.payload).toMatchObject({ notCaptured: urls, captured: 0 });
      } finally {
        reopened.close();
      }
    } finally {
      await site.stop();
    }
  }, 120_000);

  it('ends `proofline export` with exit 130, leaving no partial archive', async () => {
    const dataDir = join(dir, 'cli-data');
    const store = openProofline({ dataDir });
    const id = await sealedSessionWithLargeFiles(store, dir);
    store.close();
    const folder = join(dir, 'cli-out');
    mkdirSync(folder);
    const child = spawn(process.execPath, [CLI, '--data', dataDir, 'export', id, '--out', join(folder, 'evidence.zip')], {
      env: { ...process.env, PROOFLINE_TSA_URLS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // The export's first write is its partial file: Ctrl-C then, half-way by construction.
    const watcher = watch(folder, (_event, name) => {
      if (name?.endsWith('.partial')) {
        watcher.close();
        child.kill('SIGINT');
      }
    });
    const code = await new Promise<number | null>((resolveExit) => child.once('exit', (exitCode) => resolveExit(exitCode)));
    watcher.close();
    expect(stderr).toMatch(/stopping \(Ctrl-C\)/);
    expect(stderr).toMatch(/interrupted \(Ctrl-C\): Export to .*evidence\.zip cancelled: no archive was written/);
    expect(code).toBe(130);
    expect(readdirSync(folder)).toEqual([]);
  }, 120_000);
});
