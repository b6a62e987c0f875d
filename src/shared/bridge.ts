// The preload bridge as the renderer sees it (`window.proofline`), derived from contract.ts:
// one named function per operation (never a generic invoke, STYLE.md habit 4), each on its own
// IPC channel. src/preload builds it from the operation names, src/main registers one handler
// per name, and src/renderer's client wraps it, so all three break at compile time together.
import { callIdSchema, type CancelResult, type OperationError, type OperationName, type ResultOf, type SessionPulse } from './contract.js';

export type { SessionKind, SessionState, SessionSummary } from './domain.js';

/** What crosses IPC: errors travel as data so their kind survives (Electron flattens throws). */
export type Envelope<R> = { readonly ok: true; readonly result: R } | { readonly ok: false; readonly error: OperationError };

export type BridgeOperations = {
  readonly [N in OperationName]: (input: unknown, callId: string) => Promise<Envelope<ResultOf<N>>>;
};

export interface ProoflineBridge {
  readonly operations: BridgeOperations;
  /** Cancels the call of a long operation made with this callId (contract.ts, the cancel channel). */
  cancel(callId: string): Promise<Envelope<CancelResult>>;
  /** Progress of long operations, by the callId passed to the call; returns an unsubscribe. */
  onProgress(listener: (callId: string, progress: unknown) => void): () => void;
  /** Events pushed by main (global shortcut "note", tray "stop"), by name. */
  onCommand(listener: (command: string) => void): () => void;
  /** Names the sessions this window shows (contract.ts, the live channel); replaces the last list. */
  watch(sessions: readonly string[]): Promise<Envelope<null>>;
  /** The pulses main pushes for the sessions watched; returns an unsubscribe. */
  onPulse(listener: (pulse: SessionPulse) => void): () => void;
}

export const operationChannel = (name: OperationName): string => `op:${name}`;
export const PROGRESS_CHANNEL = 'op:progress';
/** Not an operation: it names a call of one (contract.ts, `cancelInput`). */
export const CANCEL_CHANNEL = 'op:cancel';
export const COMMAND_CHANNEL = 'app:command';
/** The live channel: the window names what it watches on one, main pushes pulses on the other. */
export const LIVE_WATCH_CHANNEL = 'live:watch';
export const LIVE_PULSE_CHANNEL = 'live:pulse';
/** A call id is opaque to main; the renderer makes one per call. */
export const isCallId = (value: unknown): value is string => callIdSchema.safeParse(value).success;
