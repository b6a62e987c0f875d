// The preload bridge as the renderer sees it (`window.proofline`).
// Type-only apart from the channel names: src/preload implements it, src/renderer calls it,
// so both sides break at compile time if they drift apart.
import type { SessionSummary } from './domain.js';

export type { SessionKind, SessionState, SessionSummary } from './domain.js';

/** Named functions only, never a generic invoke (STYLE.md habit 4). */
export interface ProoflineBridge {
  listSessions(): Promise<SessionSummary[]>;
}

/** IPC channel names shared by the preload and main. */
export const channels = {
  listSessions: 'sessions:list',
} as const;
