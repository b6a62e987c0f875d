import type { SessionSummary } from '../shared/domain.js';
import { ProoflineError } from './errors.js';

// The one check that a session still takes events, for the session service and every capture
// source. It lives apart from session-service.ts so capture/ can use it without the service
// importing capture/ back (tests/unit/layering.test.ts).

export class SessionSealedError extends ProoflineError {
  constructor(readonly sessionId: string, readonly sealedAt: string | null, message?: string) {
    super('session.sealed', message ?? `Session ${sessionId} was sealed at ${sealedAt ?? 'an unknown time'}: nothing more can be added. Start a new session.`, { sessionId, sealedAt: sealedAt ?? '' });
    this.name = 'SessionSealedError';
  }
}

/** Finds a session by id or unique prefix: the session service does. */
export interface SessionLookup {
  get(idOrPrefix: string): SessionSummary;
}

/** The session, if still open: a sealed session takes no more events. */
export function assertOpen(from: SessionLookup | { readonly sessions: SessionLookup }, idOrPrefix: string): SessionSummary {
  const lookup = 'sessions' in from ? from.sessions : from;
  const session = lookup.get(idOrPrefix);
  if (session.state === 'sealed') throw new SessionSealedError(session.id, session.sealedAt);
  return session;
}
