// Registers one IPC handler per operation of the contract. Every handler checks the sender
// first (ipc-trust.ts), then validates the input against the operation's zod schema, and only
// then reaches the core through the shared host (src/host/operations.ts). Takes an IpcMainLike
// instead of Electron's ipcMain so a test can register against a plain object.
import type { IpcMainInvokeEvent } from 'electron';
import { CANCEL_CHANNEL, isCallId, operationChannel, PROGRESS_CHANNEL, type Envelope } from '../shared/bridge.js';
import { cancelInput, isLongOperation, operationNames, parseInput, type CancelResult, type OperationHandlers, type OperationName } from '../shared/contract.js';
import { toOperationError } from '../host/operations.js';
import { assertTrusted, type TrustedRenderer } from './ipc-trust.js';

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
}

export function registerIpc(ipc: IpcMainLike, handlers: OperationHandlers, trusted: TrustedRenderer): void {
  // The long calls under way, by window and call id: a window cancels only its own calls.
  const running = new Map<string, AbortController>();
  const key = (event: IpcMainInvokeEvent, callId: string): string => `${event.sender.id}:${callId}`;

  for (const name of operationNames) {
    const channel = operationChannel(name);
    ipc.handle(channel, async (event, input, callId): Promise<Envelope<unknown>> => {
      assertTrusted(event, channel, trusted);
      const parsed = parseInput(name, input);
      if (!parsed.ok) return { ok: false, error: parsed.error };
      const id = isCallId(callId) ? callId : undefined;
      const long = isLongOperation(name);
      const controller = new AbortController();
      // Only a long call can be cancelled; the key is taken by the newest call that names it.
      const registered = long && id !== undefined ? key(event, id) : undefined;
      if (registered !== undefined) running.set(registered, controller);
      try {
        const handler = handlers[name as OperationName] as (input: unknown, context: unknown) => Promise<unknown>;
        const result = await handler(parsed.value, {
          signal: controller.signal,
          progress: (progress: unknown) => {
            if (long && id !== undefined && !event.sender.isDestroyed()) event.sender.send(PROGRESS_CHANNEL, id, progress);
          },
        });
        return { ok: true, result: result ?? null };
      } catch (error) {
        return { ok: false, error: toOperationError(error) };
      } finally {
        if (registered !== undefined && running.get(registered) === controller) running.delete(registered);
      }
    });
  }

  ipc.handle(CANCEL_CHANNEL, async (event, input): Promise<Envelope<CancelResult>> => {
    assertTrusted(event, CANCEL_CHANNEL, trusted);
    const parsed = cancelInput.safeParse(input);
    if (!parsed.success) return { ok: false, error: { kind: 'invalid-input', code: 'input.invalid', message: `cancel: ${parsed.error.issues[0]?.message ?? 'give the callId of a call'}` } };
    const controller = running.get(key(event, parsed.data.callId));
    controller?.abort();
    return { ok: true, result: { cancelled: controller !== undefined } };
  });
}
