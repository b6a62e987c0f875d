import { hash as oneShotHash } from 'node:crypto';
import type { EventBody } from '../../shared/domain.js';
import { canonicalJson } from '../store/canonical-json.js';
import { leafHash, leafHashHexOfBytes } from '../store/event-chain.js';
import { sha256Hex } from '../store/hashing.js';

// One line of data/events.jsonl judged on its own, as the chain's walk does it on the main
// thread or on a worker (chain-blocks.ts): everything but whether it follows the line before.

/**
 * The one form Proofline writes times in: UTC, milliseconds, 'Z'. Times are compared across
 * machines and time zones, so nothing else is read as one (a zone-less time would be local).
 */
export function isRecordedTime(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) && Number.isFinite(Date.parse(value));
}

export type LineVerdict =
  | { readonly ok: true; readonly body: EventBody; readonly text: string; readonly hash: string; readonly leafHex: string }
  | { readonly ok: false; readonly detail: string };

/**
 * Line `line` (1-based; it holds seq line - 1): JSON, an object, RFC 8785 canonical (so its
 * SHA-256 is the event hash), the expected seq, the session's id, a recorded time, in that
 * order; then its event hash and Merkle leaf.
 */
export function examineLine(bytes: Buffer, line: number, sessionId: string | undefined): LineVerdict {
  const text = bytes.toString('utf8');
  // Valid UTF-8 decodes to a string without U+FFFD unless the character was written; only then
  // are the bytes the text's own UTF-8 and can be hashed as they are.
  const exact = !text.includes('\uFFFD');
  let body: EventBody;
  try {
    body = JSON.parse(text) as EventBody;
  } catch {
    return { ok: false, detail: `line ${line} is not JSON` };
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, detail: `line ${line} is not a JSON object, which every event is` };
  const expectedSeq = line - 1;
  if (!isCanonical(body, text)) return { ok: false, detail: `event at line ${line} is not in RFC 8785 canonical form (edited by hand?)` };
  if (body.seq !== expectedSeq) return { ok: false, detail: `line ${line} holds seq ${String(body.seq)}, expected ${expectedSeq}: an event was removed, added or reordered` };
  if (sessionId !== undefined && body.session !== sessionId) return { ok: false, detail: `event ${expectedSeq} belongs to session ${String(body.session)}, not ${sessionId}` };
  if (!isRecordedTime(body.time)) {
    return { ok: false, detail: `event ${expectedSeq} has the time ${JSON.stringify(body.time)}, not a UTC time as Proofline writes it (YYYY-MM-DDTHH:MM:SS.sssZ)` };
  }
  return {
    ok: true,
    body,
    text,
    hash: exact ? eventHash(bytes) : sha256Hex(text),
    leafHex: exact ? leafHashHexOfBytes(bytes) : leafHash(text).toString('hex'),
  };
}

/** The last check of a line: its prev is the hash of the line before (undefined: it is). */
export function prevProblem(line: number, prevText: string, prevIsString: boolean, expected: string): string | undefined {
  if (prevIsString && prevText === expected) return undefined;
  const seq = line - 1;
  return `event ${seq} does not follow event ${seq - 1}: its prev is ${prevText.slice(0, 16)}…, the previous event hashes to ${expected.slice(0, 16)}…`;
}

/**
 * Whether the verifier's observers need this event's whole body; every other event they need
 * only as its seq, type and time (ChainObserver.light). What each reads:
 * - the recording's continuity: events of types recording.* and session.interrupted;
 * - the batch accounting: web.capture, web.capture.*;
 * - the anchoring declared: session.created, anchoring.changed;
 * - the altered-item index: generation.marked, and every event naming artifacts;
 * - the walk itself: artifacts, session.sealed, session.created (the first event is always whole).
 * An observer that starts to read another type must be named here
 * (tests/unit/verify-chain-blocks.test.ts compares against observing every event whole).
 */
export function observedInFull(body: EventBody): boolean {
  const type = body.type;
  return (
    (Array.isArray(body.artifacts) && body.artifacts.length > 0) ||
    (typeof type === 'string' &&
      (type.startsWith('recording.') || type.startsWith('session.') || type.startsWith('web.capture') || type === 'anchoring.changed' || type === 'generation.marked'))
  );
}

/**
 * Whether `text` is the RFC 8785 form of `value` (parsed from it), as canonicalJson() would
 * write it. The quick test covers what Proofline writes: V8's JSON.stringify serializes strings
 * and numbers as RFC 8785 does (ECMAScript's rules), so if it gives back the text and every
 * object's keys are already in UTF-16 order, the text is canonical. Anything else (keys out of
 * order, numeric keys, which JavaScript enumerates first, an escaped surrogate, which
 * canonicalJson refuses) gets the full canonicalization.
 */
function isCanonical(value: unknown, text: string): boolean {
  if (!text.includes('\\ud') && JSON.stringify(value) === text && keysInOrder(value)) return true;
  try {
    return canonicalJson(value) === text;
  } catch {
    return false; // a lone surrogate: no event Proofline writes has one
  }
}

function keysInOrder(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!keysInOrder(item)) return false;
    return true;
  }
  let previous: string | undefined;
  for (const key in value) {
    if (previous !== undefined && !(previous < key)) return false;
    previous = key;
    if (!keysInOrder((value as Record<string, unknown>)[key])) return false;
  }
  return true;
}

/** sha256Hex() in one call (crypto.hash, Node 20.12+): no Hash object per event. */
const eventHash: (bytes: Uint8Array) => string = typeof oneShotHash === 'function' ? (bytes) => oneShotHash('sha256', bytes, 'hex') : sha256Hex;
