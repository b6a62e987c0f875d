// The preload bridge as the renderer sees it (`window.proofline`).
// Type-only apart from the channel names: src/preload implements it, src/renderer calls it,
// so both sides break at compile time if they drift apart.
import type { SessionSummary } from './domain.js';

export type { SessionKind, SessionState, SessionSummary } from './domain.js';

/** Named functions only, never a generic invoke (STYLE.md habit 4). */
export interface ProoflineBridge {
  listSessions(): Promise<SessionSummary[]>;
  deviceInfo(): Promise<DeviceInfo>;
}

/** The device identity as a person needs to see it: which key, and how it is kept. */
export interface DeviceInfo {
  /** SHA-256 of the public key (DER): the name in every checkpoint. */
  readonly keyId: string;
  /** The private key's file; the UI says in words how (little) it is protected. */
  readonly keyPath: string;
}

/** IPC channel names shared by the preload and main. */
export const channels = {
  listSessions: 'sessions:list',
  deviceInfo: 'device:info',
} as const;
