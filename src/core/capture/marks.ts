import type { ArtifactRef, StoredEvent } from '../../shared/domain.js';
import type { Proofline } from '../proofline.js';

export const MARKS = ['selected', 'rejected', 'final'] as const;
export type GenerationMark = (typeof MARKS)[number];

/** Shortest SHA-256 prefix accepted where a person types one. */
export const MIN_SHA_PREFIX = 8;
const MAX_REASON = 2000;

export interface SessionArtifact {
  readonly artifact: ArtifactRef;
  /** The first event that carried it. */
  readonly seq: number;
  readonly type: string;
}

/** Every artifact the session's events carry, first appearance first. */
export function sessionArtifacts(pl: Proofline, sessionId: string): Map<string, SessionArtifact> {
  const found = new Map<string, SessionArtifact>();
  for (const event of pl.events.iterate(sessionId)) {
    for (const artifact of event.body.artifacts) {
      if (!found.has(artifact.sha256)) found.set(artifact.sha256, { artifact, seq: event.body.seq, type: event.body.type });
    }
  }
  return found;
}

/**
 * The artifact of this session a SHA-256 (or a unique prefix of at least 8 hex digits) names.
 * Throws an error saying what was wrong and how to list what the session holds.
 */
export function findSessionArtifact(pl: Proofline, sessionId: string, shaOrPrefix: string): SessionArtifact {
  const wanted = shaOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(wanted) || wanted.length > 64) {
    throw new Error(`'${shaOrPrefix}' is not a SHA-256: give the 64 hex digits of an image in session ${sessionId}, or a unique prefix of at least ${MIN_SHA_PREFIX}.`);
  }
  if (wanted.length < MIN_SHA_PREFIX) {
    throw new Error(`'${shaOrPrefix}' is too short: give at least ${MIN_SHA_PREFIX} hex digits of the image's SHA-256.`);
  }
  const artifacts = sessionArtifacts(pl, sessionId);
  const exact = artifacts.get(wanted);
  if (exact) return exact;
  const matches = [...artifacts.values()].filter((a) => a.artifact.sha256.startsWith(wanted));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) {
    throw new Error(`'${shaOrPrefix}' matches ${matches.length} artifacts in session ${sessionId} (${matches.map((m) => m.artifact.sha256.slice(0, 12)).join(', ')}): give more digits.`);
  }
  throw new Error(`No artifact with SHA-256 ${wanted.length === 64 ? wanted : `starting ${wanted}`} is in session ${sessionId}: only files already recorded in it can be marked, linked or compared. List them with 'proofline gallery ${sessionId} --json'.`);
}

/**
 * Records the creator's choice about one generation. A later mark supersedes an earlier one in
 * the views; both stay in the chain (events are never changed).
 */
export async function markGeneration(pl: Proofline, sessionId: string, sha256: string, mark: GenerationMark, reason?: string): Promise<StoredEvent> {
  if (!(MARKS as readonly string[]).includes(mark)) {
    throw new Error(`'${String(mark)}' is not a mark: use one of ${MARKS.join(', ')}.`);
  }
  const why = reason?.trim() ?? '';
  if (why.length > MAX_REASON) throw new Error(`The reason is ${why.length} characters; keep it under ${MAX_REASON} (add a note for more).`);
  const session = assertOpen(pl, sessionId);
  const target = findSessionArtifact(pl, session.id, sha256);
  const event = pl.events.append(session.id, {
    type: 'generation.marked',
    payload: { sha256: target.artifact.sha256, mark, reason: why === '' ? null : why },
  });
  await pl.sessions.checkpointIfDue(session.id);
  return event;
}

/** The session, if still open: a sealed session takes no more events. */
export function assertOpen(pl: Proofline, sessionId: string): { id: string } {
  const session = pl.sessions.get(sessionId);
  if (session.state === 'sealed') {
    throw new Error(`Session ${session.id} was sealed at ${session.sealedAt}: nothing more can be added. Start a new session.`);
  }
  return session;
}
