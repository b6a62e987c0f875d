import type { ArtifactRef, StoredEvent } from '../../../shared/domain.js';
import type { Proofline } from '../../proofline.js';
import { ProoflineError } from '../../errors.js';
import { assertOpen } from '../../session-guard.js';

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

/** Why a SHA-256 names no single artifact of a session: 'missing' is not-found, the others invalid input. */
export class ArtifactLookupError extends ProoflineError {
  constructor(
    readonly reason: 'invalid' | 'ambiguous' | 'missing',
    message: string,
    params: { readonly query: string; readonly sessionId: string },
  ) {
    super(`artifact.${reason}`, message, params);
    this.name = 'ArtifactLookupError';
  }
}

/**
 * The artifact of this session a SHA-256 (or a unique prefix of at least 8 hex digits) names.
 * Throws an ArtifactLookupError saying what was wrong and how to list what the session holds.
 * Every image a window shows is looked up here, so SQLite reads the artifacts out of the event
 * bodies rather than each event being parsed in JavaScript.
 */
export function findSessionArtifact(pl: Proofline, sessionId: string, shaOrPrefix: string): SessionArtifact {
  const wanted = shaOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-f]+$/.test(wanted) || wanted.length > 64) {
    throw new ArtifactLookupError('invalid', `'${shaOrPrefix}' is not a SHA-256: give the 64 hex digits of an image in session ${sessionId}, or a unique prefix of at least ${MIN_SHA_PREFIX}.`, { query: shaOrPrefix, sessionId });
  }
  if (wanted.length < MIN_SHA_PREFIX) {
    throw new ArtifactLookupError('invalid', `'${shaOrPrefix}' is too short: give at least ${MIN_SHA_PREFIX} hex digits of the image's SHA-256.`, { query: shaOrPrefix, sessionId });
  }
  // event_artifacts (migration 8) holds every artifact by hash: a prefix is a range of its key,
  // so the lookup costs the matches, not the session (issue 13).
  const rows = pl.db
    .prepare(
      `SELECT a.seq AS seq, json_extract(e.body, '$.type') AS type, a.artifact AS artifact
       FROM event_artifacts a JOIN events e ON e.session_id = a.session_id AND e.seq = a.seq
       WHERE a.session_id = ? AND a.sha256 >= ? AND a.sha256 < ?
       ORDER BY a.sha256, a.seq`,
    )
    .all(sessionId, wanted, `${wanted}\uffff`) as { seq: number; type: string; artifact: string }[];
  // First appearance of each matching artifact.
  const matches = new Map<string, SessionArtifact>();
  for (const row of rows) {
    const artifact = JSON.parse(row.artifact) as ArtifactRef;
    if (!matches.has(artifact.sha256)) matches.set(artifact.sha256, { artifact, seq: row.seq, type: row.type });
  }
  if (matches.size === 1) return matches.values().next().value!;
  if (matches.size > 1) {
    throw new ArtifactLookupError('ambiguous', `'${shaOrPrefix}' matches ${matches.size} artifacts in session ${sessionId} (${[...matches.keys()].map((sha) => sha.slice(0, 12)).join(', ')}): give more digits.`, { query: shaOrPrefix, sessionId });
  }
  throw new ArtifactLookupError('missing', `No artifact with SHA-256 ${wanted.length === 64 ? wanted : `starting ${wanted}`} is in session ${sessionId}: only files already recorded in it can be marked, linked or compared. List them with 'proofline gallery ${sessionId} --json'.`, { query: wanted, sessionId });
}

/**
 * Records the creator's choice about one generation. A later mark supersedes an earlier one in
 * the views; both stay in the chain (events are never changed).
 */
export async function markGeneration(pl: Proofline, sessionId: string, sha256: string, mark: GenerationMark, reason?: string): Promise<StoredEvent> {
  if (!(MARKS as readonly string[]).includes(mark)) {
    throw new ProoflineError('mark.invalid', `'${String(mark)}' is not a mark: use one of ${MARKS.join(', ')}.`, { mark: String(mark), marks: MARKS.join(', ') });
  }
  const why = reason?.trim() ?? '';
  if (why.length > MAX_REASON) throw new ProoflineError('text.too-long', `The reason is ${why.length} characters; keep it under ${MAX_REASON} (add a note for more).`, { length: why.length, max: MAX_REASON });
  const session = assertOpen(pl, sessionId);
  const target = findSessionArtifact(pl, session.id, sha256);
  const event = pl.events.append(session.id, {
    type: 'generation.marked',
    payload: { sha256: target.artifact.sha256, mark, reason: why === '' ? null : why },
  });
  await pl.sessions.checkpointIfDue(session.id);
  return event;
}
