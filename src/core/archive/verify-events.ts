import type { Readable } from 'node:stream';
import type { ArtifactRef, EventBody } from '../../shared/domain.js';
import { ArchiveError } from './archive-error.js';
import { canonicalJson } from '../store/canonical-json.js';
import { GENESIS_PREV, leafHash } from '../store/event-chain.js';
import { sha256Hex } from '../store/hashing.js';

export interface ChainReading {
  /** Hash of each event, by seq, for the checkpoint checks. */
  readonly hashes: string[];
  /** RFC 9162 leaf hashes, by seq. */
  readonly leaves: Buffer[];
  readonly first?: EventBody;
  readonly last?: EventBody;
  readonly artifacts: Map<string, { ref: ArtifactRef; seq: number }>;
  /** A session.sealed event's seq (the first), and a session.created after #0, if any. */
  readonly sealedAtSeq?: number;
  readonly createdAgainAt?: number;
  /** The first break found: which line and what differs. */
  readonly problem?: { line: number; detail: string };
}

/**
 * Re-walks data/events.jsonl: every line must be RFC 8785 canonical (so its SHA-256 is the event
 * hash), carry the next seq, the session's id, and the previous line's hash as `prev`.
 */
/**
 * The one form Proofline writes times in: UTC, milliseconds, 'Z'. Times are compared across
 * machines and time zones, so nothing else is read as one (a zone-less time would be local).
 */
export function isRecordedTime(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) && Number.isFinite(Date.parse(value));
}

/** No event Proofline writes comes near this; a longer line is an attempt to exhaust memory. */
export const MAX_EVENT_BYTES = 16 << 20;

/** Splits a stream at '\n' without ever holding more than one line of at most `max` bytes. */
export async function* boundedLines(stream: Readable, max: number): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let line = 0;
  for await (const chunk of stream) {
    let data = chunk as Buffer;
    let newline = data.indexOf(0x0a);
    while (newline !== -1) {
      pending.push(data.subarray(0, newline));
      line += 1;
      if (pendingLength + newline > max) throw tooLong(line, max);
      yield Buffer.concat(pending).toString('utf8');
      pending = [];
      pendingLength = 0;
      data = data.subarray(newline + 1);
      newline = data.indexOf(0x0a);
    }
    pending.push(data);
    pendingLength += data.length;
    if (pendingLength > max) throw tooLong(line + 1, max);
  }
  if (pendingLength > 0) yield Buffer.concat(pending).toString('utf8');
}

function tooLong(line: number, max: number): ArchiveError {
  return new ArchiveError('hostile', `archive entry 'data/events.jsonl' has a line ${line} longer than ${max} bytes, which no event is: refused`, 'data/events.jsonl');
}

export async function readChain(stream: Readable, sessionId: string | undefined, onEvent?: (body: EventBody) => void): Promise<ChainReading> {
  const hashes: string[] = [];
  const leaves: Buffer[] = [];
  const artifacts = new Map<string, { ref: ArtifactRef; seq: number }>();
  let first: EventBody | undefined;
  let last: EventBody | undefined;
  let prev = GENESIS_PREV;
  let line = 0;
  let problem: ChainReading['problem'];
  let sealedAtSeq: number | undefined;
  let createdAgainAt: number | undefined;
  for await (const text of boundedLines(stream, MAX_EVENT_BYTES)) {
    line += 1;
    if (problem) continue; // keep reading so the stream's own errors (CRC, sizes) still surface
    let body: EventBody;
    try {
      body = JSON.parse(text) as EventBody;
    } catch {
      problem = { line, detail: `line ${line} is not JSON` };
      continue;
    }
    const expectedSeq = line - 1;
    if (canonicalJson(body) !== text) problem = { line, detail: `event at line ${line} is not in RFC 8785 canonical form (edited by hand?)` };
    else if (body.seq !== expectedSeq) problem = { line, detail: `line ${line} holds seq ${String(body.seq)}, expected ${expectedSeq}: an event was removed, added or reordered` };
    else if (sessionId !== undefined && body.session !== sessionId) problem = { line, detail: `event ${expectedSeq} belongs to session ${String(body.session)}, not ${sessionId}` };
    else if (!isRecordedTime(body.time)) problem = { line, detail: `event ${expectedSeq} has the time ${JSON.stringify(body.time)}, not a UTC time as Proofline writes it (YYYY-MM-DDTHH:MM:SS.sssZ)` };
    else if (body.prev !== prev) problem = { line, detail: `event ${expectedSeq} does not follow event ${expectedSeq - 1}: its prev is ${String(body.prev).slice(0, 16)}…, the previous event hashes to ${prev.slice(0, 16)}…` };
    if (problem) continue;
    const hash = sha256Hex(text);
    hashes.push(hash);
    leaves.push(leafHash(text));
    for (const ref of body.artifacts ?? []) if (!artifacts.has(ref.sha256)) artifacts.set(ref.sha256, { ref, seq: body.seq });
    if (body.type === 'session.sealed' && sealedAtSeq === undefined) sealedAtSeq = body.seq;
    if (body.type === 'session.created' && body.seq !== 0 && createdAgainAt === undefined) createdAgainAt = body.seq;
    onEvent?.(body);
    first ??= body;
    last = body;
    prev = hash;
  }
  if (!problem && line === 0) problem = { line: 0, detail: 'data/events.jsonl is empty: a session always has at least its session.created event' };
  return { hashes, leaves, first, last, artifacts, problem, ...(sealedAtSeq !== undefined && { sealedAtSeq }), ...(createdAgainAt !== undefined && { createdAgainAt }) };
}
