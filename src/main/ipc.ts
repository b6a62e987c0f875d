// Registers the handlers the preload bridge calls. Every handler checks the sender first
// (ipc-trust.ts), then does its work through the core. Takes an IpcMainLike instead of
// Electron's ipcMain so a test can register against a plain object.
import type { IpcMainInvokeEvent } from 'electron';
import { channels, type DeviceInfo, type SessionSummary } from '../shared/bridge.js';
import { assertTrusted, type TrustedRenderer } from './ipc-trust.js';

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
}

/** The part of the core the window needs today; grows with the bridge. */
export interface SessionsApi {
  readonly sessions: { list(): SessionSummary[] };
  device(): Promise<DeviceInfo>;
}

export function registerIpc(ipc: IpcMainLike, core: SessionsApi, trusted: TrustedRenderer): void {
  ipc.handle(channels.listSessions, (event) => {
    assertTrusted(event, channels.listSessions, trusted);
    return core.sessions.list();
  });
  ipc.handle(channels.deviceInfo, async (event): Promise<DeviceInfo> => {
    assertTrusted(event, channels.deviceInfo, trusted);
    const device = await core.device();
    return { keyId: device.keyId, keyPath: device.keyPath };
  });
}
