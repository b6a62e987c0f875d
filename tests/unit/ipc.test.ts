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
import { operationChannel } from '../../src/shared/bridge.js';
import { operationNames } from '../../src/shared/contract.js';

const renderer: TrustedRenderer = { kind: 'file', url: 'file:///app/out/renderer/index.html' };
type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

const dataDir = mkdtempSync(join(tmpdir(), 'proofline-ipc-'));
const pl = openProofline({ dataDir });
const host = createHost({ pl, settings: new SettingsStore(dataDir), host: 'electron', exportDir: join(dataDir, 'exports') });
afterAll(() => {
  pl.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function registered(): Map<string, Handler> {
  const handlers = new Map<string, Handler>();
  const ipc: IpcMainLike = { handle: (channel, listener) => void handlers.set(channel, listener) };
  registerIpc(ipc, host.handlers, renderer);
  return handlers;
}

const sent: unknown[][] = [];
const from = (url: string) => ({ senderFrame: { url, parent: null }, sender: { isDestroyed: () => false, send: (...args: unknown[]) => sent.push(args) } }) as unknown as IpcMainInvokeEvent;

describe('IPC handlers derived from the operation contract', () => {
  it('registers exactly one channel per operation', () => {
    expect([...registered().keys()].sort()).toEqual(operationNames.map(operationChannel).sort());
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
