// Registers one IPC handler per operation of the contract. Every handler checks the sender
// first (ipc-trust.ts), then validates the input against the operation's zod schema, and only
// then reaches the core through the shared host (src/host/operations.ts). Takes an IpcMainLike
// instead of Electron's ipcMain so a test can register against a plain object.
import type { IpcMainInvokeEvent } from 'electron';
import { CALL_ID, operationChannel, PROGRESS_CHANNEL, type Envelope } from '../shared/bridge.js';
import { operationNames, operations, parseInput, type OperationHandlers, type OperationName } from '../shared/contract.js';
import { toOperationError } from '../host/operations.js';
import { assertTrusted, type TrustedRenderer } from './ipc-trust.js';

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
}

export function registerIpc(ipc: IpcMainLike, handlers: OperationHandlers, trusted: TrustedRenderer): void {
  for (const name of operationNames) {
    const channel = operationChannel(name);
    ipc.handle(channel, async (event, input, callId): Promise<Envelope<unknown>> => {
      assertTrusted(event, channel, trusted);
      const parsed = parseInput(name, input);
      if (!parsed.ok) return { ok: false, error: parsed.error };
      const id = typeof callId === 'string' && CALL_ID.test(callId) ? callId : undefined;
      const streams = 'progress' in operations[name];
      const controller = new AbortController();
      try {
        const handler = handlers[name as OperationName] as (input: unknown, context: unknown) => Promise<unknown>;
        const result = await handler(parsed.value, {
          signal: controller.signal,
          progress: (progress: unknown) => {
            if (streams && id !== undefined && !event.sender.isDestroyed()) event.sender.send(PROGRESS_CHANNEL, id, progress);
          },
        });
        return { ok: true, result: result ?? null };
      } catch (error) {
        return { ok: false, error: toOperationError(error) };
      }
    });
  }
}
