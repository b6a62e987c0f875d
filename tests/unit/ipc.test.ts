import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpcMainInvokeEvent } from 'electron';
import { afterAll, describe, expect, it } from 'vitest';
import { openProofline } from '../../src/core/proofline.js';
import { createHost } from '../../src/host/operations.js';
import { SettingsStore } from '../../src/host/settings-store.js';
import { registerIpc, type IpcMainLike } from '../../src/main/ipc.js';
import type { TrustedRenderer } from '../../src/main/ipc-trust.js';
import { cancelled } from '../../src/core/errors.js';
import { CANCEL_CHANNEL, operationChannel } from '../../src/shared/bridge.js';
import { operationNames, type OperationHandlers } from '../../src/shared/contract.js';

const renderer: TrustedRenderer = { kind: 'file', url: 'file:///app/out/renderer/index.html' };
type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

const dataDir = mkdtempSync(join(tmpdir(), 'proofline-ipc-'));
const pl = openProofline({ dataDir });
const host = createHost({ pl, settings: new SettingsStore(dataDir), host: 'electron', exportDir: join(dataDir, 'exports') });
afterAll(() => {
  pl.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function registered(handlers: OperationHandlers = host.handlers): Map<string, Handler> {
  const channels = new Map<string, Handler>();
  const ipc: IpcMainLike = { handle: (channel, listener) => void channels.set(channel, listener) };
  registerIpc(ipc, handlers, renderer);
  return channels;
}

const sent: unknown[][] = [];
/** A message from a frame at `url`, of window `windowId` (Electron's webContents id). */
const from = (url: string, windowId = 1) =>
  ({ senderFrame: { url, parent: null }, sender: { id: windowId, isDestroyed: () => false, send: (...args: unknown[]) => sent.push(args) } }) as unknown as IpcMainInvokeEvent;

/** Handlers whose archive.verify runs until its signal aborts, then ends as cancelled (as the real one does). */
function withEndlessVerify(): OperationHandlers {
  return {
    ...host.handlers,
    'archive.verify': (_input, { signal, progress }) =>
      new Promise((_resolve, reject) => {
        progress({ phase: 'verify', done: 1, total: 100 });
        signal.addEventListener('abort', () => reject(cancelled('Verifying was cancelled before it finished.')), { once: true });
      }),
  };
}
const ARCHIVE = '00000000-0000-4000-8000-000000000000';

describe('IPC handlers derived from the operation contract', () => {
  it('registers exactly one channel per operation, and the cancel channel', () => {
    expect([...registered().keys()].sort()).toEqual([...operationNames.map(operationChannel), CANCEL_CHANNEL].sort());
  });

  it('cancels a long call by its call id: the call ends as cancelled, with its kind', async () => {
    const channels = registered(withEndlessVerify());
    const call = channels.get('op:archive.verify')!(from(renderer.url), { archive: ARCHIVE }, 'verify-1') as Promise<unknown>;
    expect(sent.at(-1)).toEqual(['op:progress', 'verify-1', { phase: 'verify', done: 1, total: 100 }]);
    expect(await channels.get(CANCEL_CHANNEL)!(from(renderer.url), { callId: 'verify-1' })).toEqual({ ok: true, result: { cancelled: true } });
    expect(await call).toMatchObject({ ok: false, error: { kind: 'interrupted', code: 'operation.cancelled' } });
    // Finished: a second cancel finds nothing, and says so without failing.
    expect(await channels.get(CANCEL_CHANNEL)!(from(renderer.url), { callId: 'verify-1' })).toEqual({ ok: true, result: { cancelled: false } });
  });

  it('lets a window cancel only its own calls, and checks the sender and the call id first', async () => {
    const channels = registered(withEndlessVerify());
    const cancel = channels.get(CANCEL_CHANNEL)!;
    const call = channels.get('op:archive.verify')!(from(renderer.url, 1), { archive: ARCHIVE }, 'verify-2') as Promise<unknown>;
    expect(await cancel(from(renderer.url, 2), { callId: 'verify-2' })).toEqual({ ok: true, result: { cancelled: false } });
    await expect(Promise.resolve().then(() => cancel(from('file:///tmp/evil.html', 1), { callId: 'verify-2' }))).rejects.toThrow(/op:cancel/);
    expect(await cancel(from(renderer.url, 1), { callId: '../../etc' })).toMatchObject({ ok: false, error: { kind: 'invalid-input' } });
    expect(await cancel(from(renderer.url, 1), 'verify-2')).toMatchObject({ ok: false, error: { kind: 'invalid-input' } });
    expect(await cancel(from(renderer.url, 1), { callId: 'verify-2' })).toEqual({ ok: true, result: { cancelled: true } });
    expect(await call).toMatchObject({ ok: false, error: { code: 'operation.cancelled' } });
  });

  it('answers the trusted window through the core: create a session, then list it', async () => {
    const handlers = registered();
    const created = (await handlers.get('op:session.create')!(from(renderer.url), { kind: 'creation', title: 'Ink study' }, 'c1')) as { ok: true; result: { id: string } };
    expect(created.ok).toBe(true);
    const listed = (await handlers.get('op:session.list')!(from(renderer.url), {}, 'c2')) as { ok: true; result: { id: string; title: string }[] };
    expect(listed.result.map((s) => s.title)).toEqual(['Ink study']);
    const info = (await handlers.get('op:app.info')!(from(renderer.url), {}, 'c3')) as { ok: true; result: { device: { keyId: string; keyPath: string } } };
    expect(info.result.device.keyId).toMatch(/^[0-9a-f]{64}$/);
    expect(info.result.device.keyPath).toContain(dataDir);
  });

  it('validates input before the core sees it, and says which field is wrong', async () => {
    const result = (await registered().get('op:session.create')!(from(renderer.url), { kind: 'bogus', title: '' }, 'c4')) as { ok: false; error: { kind: string; issues: { path: string }[] } };
    expect(result.ok).toBe(false);
    expect(result.error.kind).toBe('invalid-input');
    expect(result.error.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['kind', 'title']));
    expect(pl.sessions.list().map((s) => s.title)).toEqual(['Ink study']);
  });

  it('keeps the kind of a core error: an unknown session is not-found', async () => {
    const result = (await registered().get('op:session.get')!(from(renderer.url), { id: 'ffffffff' }, 'c5')) as { ok: false; error: { kind: string; message: string } };
    expect(result).toMatchObject({ ok: false, error: { kind: 'not-found' } });
  });

  it('refuses every channel to any other page, before reading its input', async () => {
    for (const [channel, handler] of registered()) {
      await expect(Promise.resolve().then(() => handler(from('file:///tmp/evil.html'), {}, 'x')), channel).rejects.toThrow(new RegExp(channel));
    }
  });
});
