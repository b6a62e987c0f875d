import type { IpcMainInvokeEvent } from 'electron';
import { describe, expect, it } from 'vitest';
import { registerIpc, type IpcMainLike } from '../../src/main/ipc.js';
import type { TrustedRenderer } from '../../src/main/ipc-trust.js';
import { channels } from '../../src/shared/bridge.js';

const renderer: TrustedRenderer = { kind: 'file', url: 'file:///app/out/renderer/index.html' };
type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

function registered(): Map<string, Handler> {
  const handlers = new Map<string, Handler>();
  const ipc: IpcMainLike = { handle: (channel, listener) => void handlers.set(channel, listener) };
  registerIpc(
    ipc,
    {
      sessions: { list: () => [] },
      device: async () => ({ keyId: 'ab'.repeat(32), keyPath: '/home/u/.config/Proofline/device/device-key.pem', keyStorage: 'file', sign: () => Buffer.alloc(0), publicKeyPem: '', certificatePem: '' }),
    },
    renderer,
  );
  return handlers;
}

const from = (url: string) => ({ senderFrame: { url, parent: null } }) as unknown as IpcMainInvokeEvent;

describe('IPC handlers', () => {
  it('answers the trusted window with the device key and where it is kept', async () => {
    const info = await registered().get(channels.deviceInfo)!(from(renderer.url));
    expect(info).toEqual({ keyId: 'ab'.repeat(32), keyPath: '/home/u/.config/Proofline/device/device-key.pem' });
  });

  it('refuses every channel to any other page', async () => {
    for (const [channel, handler] of registered()) {
      await expect(Promise.resolve().then(() => handler(from('file:///tmp/evil.html'))), channel).rejects.toThrow(new RegExp(channel));
    }
  });
});
