// The live channel in the app (contract.ts, `watchInput`): a window names the sessions it shows
// on LIVE_WATCH_CHANNEL, and main pushes their pulses to that window alone on LIVE_PULSE_CHANNEL
// (src/host/live-watch.ts notices changes made by any process). One watch per window, replaced
// by its next call and dropped when the window goes. The sender is checked as for every
// operation (ipc-trust.ts), then the input parsed.
import type { IpcMainInvokeEvent } from 'electron';
import { LIVE_PULSE_CHANNEL, LIVE_WATCH_CHANNEL, type Envelope } from '../shared/bridge.js';
import { watchInput } from '../shared/contract.js';
import type { LiveWatch } from '../host/live-watch.js';
import type { IpcMainLike } from './ipc.js';
import { assertTrusted, type TrustedRenderer } from './ipc-trust.js';

export function registerLiveIpc(ipc: IpcMainLike, live: LiveWatch, trusted: TrustedRenderer): void {
  /** Each window's watch, by its webContents id. */
  const watching = new Map<number, () => void>();
  const forget = (windowId: number): void => {
    watching.get(windowId)?.();
    watching.delete(windowId);
  };

  ipc.handle(LIVE_WATCH_CHANNEL, async (event: IpcMainInvokeEvent, input): Promise<Envelope<null>> => {
    assertTrusted(event, LIVE_WATCH_CHANNEL, trusted);
    const parsed = watchInput.safeParse(input);
    if (!parsed.success) return { ok: false, error: { kind: 'invalid-input', code: 'input.invalid', message: `watch: ${parsed.error.issues[0]?.message ?? 'give the ids of the sessions to watch'}` } };
    const sender = event.sender;
    if (!watching.has(sender.id)) sender.once('destroyed', () => forget(sender.id));
    forget(sender.id);
    const stop = live.watch(parsed.data.sessions, (pulse) => {
      if (!sender.isDestroyed()) sender.send(LIVE_PULSE_CHANNEL, pulse);
    });
    watching.set(sender.id, stop);
    return { ok: true, result: null };
  });
}
