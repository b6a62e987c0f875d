import { hash as oneShotHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ArtifactRef, EventBody } from '../../shared/domain.js';
import { ArchiveError } from './archive-error.js';
import { canonicalJson } from '../store/canonical-json.js';
import { GENESIS_PREV, leafHash, leafHashHexOfBytes, MerkleFrontier } from '../store/event-chain.js';
import { sha256Hex } from '../store/hashing.js';

export interface ChainReading {
  /** Events read intact, up to the first break. */
  readonly count: number;
  /** Hash of the last intact event. */
  readonly head?: string;
  /** Hash of event n-1, for each size n asked for (a checkpoint's treeSize) that the chain reaches. */
  readonly heads: ReadonlyMap<number, string>;
  /** RFC 9162 root over the first n events, for the same sizes. */
  readonly roots: ReadonlyMap<number, string>;
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
 * The one form Proofline writes times in: UTC, milliseconds, 'Z'. Times are compared across
 * machines and time zones, so nothing else is read as one (a zone-less time would be local).
 */
export function isRecordedTime(value: unknown): value is string {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) && Number.isFinite(Date.parse(value));
}

/** No event Proofline writes comes near this; a longer line is an attempt to exhaust memory. */
export const MAX_EVENT_BYTES = 16 << 20;

/**
 * Splits bytes pushed in any chunking at '\n', never holding more than one line of at most `max`
 * bytes. The lines it hands on may share memory with the chunks pushed: they are read at once.
 */
export class LineSplitter {
  private pending: Buffer[] = [];
  private pendingLength = 0;
  private line = 0;

  constructor(
    private readonly max: number,
    private readonly onLine: (bytes: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    // Offsets into the chunk, not a subarray per step: a million lines are a million views less.
    let start = 0;
    let newline = chunk.indexOf(0x0a);
    while (newline !== -1) {
      this.line += 1;
      if (this.pendingLength + newline - start > this.max) throw tooLong(this.line, this.max);
      const bytes = this.pendingLength === 0 ? chunk.subarray(start, newline) : Buffer.concat([...this.pending, chunk.subarray(start, newline)]);
      this.pending = [];
      this.pendingLength = 0;
      this.onLine(bytes);
      start = newline + 1;
      newline = chunk.indexOf(0x0a, start);
    }
    if (start === chunk.length) return;
    this.pending.push(start === 0 ? chunk : chunk.subarray(start));
    this.pendingLength += chunk.length - start;
    if (this.pendingLength > this.max) throw tooLong(this.line + 1, this.max);
  }

  /** The last line, if the bytes did not end with '\n'. */
  end(): void {
    if (this.pendingLength === 0) return;
    const bytes = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingLength = 0;
    this.line += 1;
    this.onLine(bytes);
  }
}

/** Splits a stream at '\n' without ever holding more than one line of at most `max` bytes. */
export async function* boundedLines(stream: Readable, max: number): AsyncGenerator<string> {
  let lines: string[] = [];
  const splitter = new LineSplitter(max, (bytes) => void lines.push(bytes.toString('utf8')));
  for await (const chunk of stream) {
    splitter.push(chunk as Buffer);
    yield* lines;
    lines = [];
  }
  splitter.end();
  yield* lines;
}

function tooLong(line: number, max: number): ArchiveError {
  return new ArchiveError('hostile', `archive entry 'data/events.jsonl' has a line ${line} longer than ${max} bytes, which no event is: refused`, 'data/events.jsonl');
}

/**
 * Re-walks data/events.jsonl as its bytes arrive (push), in one pass and in memory bounded
 * whatever the number of events: every line must be RFC 8785 canonical (so its SHA-256 is the
 * event hash), carry the next seq, the session's id, and the previous line's hash as `prev`. The
 * head and Merkle root at each size in `sizes` (the checkpoints' treeSize, read before the
 * events) are taken on the way, from an RFC 9162 frontier of at most log2(n) nodes: no event's
 * hash or leaf is kept.
 */
export class ChainReader {
  private readonly lines: LineSplitter;
  private readonly wanted: number[];
  private next = 0;
  private readonly frontier = MerkleFrontier.empty();
  private readonly heads = new Map<number, string>();
  private readonly roots = new Map<number, string>();
  private readonly artifacts = new Map<string, { ref: ArtifactRef; seq: number }>();
  private first: EventBody | undefined;
  private last: EventBody | undefined;
  private prev = GENESIS_PREV;
  private line = 0;
  private problem: ChainReading['problem'];
  private sealedAtSeq: number | undefined;
  private createdAgainAt: number | undefined;

  constructor(
    private readonly sessionId: string | undefined,
    sizes: readonly number[] = [],
    private readonly onEvent?: (body: EventBody) => void,
  ) {
    this.wanted = [...new Set(sizes)].filter((n) => Number.isSafeInteger(n) && n >= 1).sort((a, b) => a - b);
    this.lines = new LineSplitter(MAX_EVENT_BYTES, (bytes) => this.read(bytes));
  }

  push(chunk: Buffer): void {
    this.lines.push(chunk);
  }

  finish(): ChainReading {
    this.lines.end();
    let problem = this.problem;
    if (!problem && this.line === 0) problem = { line: 0, detail: 'data/events.jsonl is empty: a session always has at least its session.created event' };
    const count = this.frontier.size;
    return {
      count,
      ...(count > 0 && { head: this.prev }),
      heads: this.heads,
      roots: this.roots,
      first: this.first,
      last: this.last,
      artifacts: this.artifacts,
      problem,
      ...(this.sealedAtSeq !== undefined && { sealedAtSeq: this.sealedAtSeq }),
      ...(this.createdAgainAt !== undefined && { createdAgainAt: this.createdAgainAt }),
    };
  }

  private read(bytes: Buffer): void {
    const line = (this.line += 1);
    if (this.problem) return; // keep reading so the entry's own errors (CRC, sizes) still surface
    const text = bytes.toString('utf8');
    // Valid UTF-8 decodes to a string without U+FFFD unless the character was written; only then
    // are the bytes the text's own UTF-8 and can be hashed as they are.
    const exact = !text.includes('\uFFFD');
    let body: EventBody;
    try {
      body = JSON.parse(text) as EventBody;
    } catch {
      this.problem = { line, detail: `line ${line} is not JSON` };
      return;
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.problem = { line, detail: `line ${line} is not a JSON object, which every event is` };
      return;
    }
    const expectedSeq = line - 1;
    const prev = this.prev;
    let problem: ChainReading['problem'];
    if (!isCanonical(body, text)) problem = { line, detail: `event at line ${line} is not in RFC 8785 canonical form (edited by hand?)` };
    else if (body.seq !== expectedSeq) problem = { line, detail: `line ${line} holds seq ${String(body.seq)}, expected ${expectedSeq}: an event was removed, added or reordered` };
    else if (this.sessionId !== undefined && body.session !== this.sessionId) problem = { line, detail: `event ${expectedSeq} belongs to session ${String(body.session)}, not ${this.sessionId}` };
    else if (!isRecordedTime(body.time)) problem = { line, detail: `event ${expectedSeq} has the time ${JSON.stringify(body.time)}, not a UTC time as Proofline writes it (YYYY-MM-DDTHH:MM:SS.sssZ)` };
    else if (body.prev !== prev) problem = { line, detail: `event ${expectedSeq} does not follow event ${expectedSeq - 1}: its prev is ${String(body.prev).slice(0, 16)}…, the previous event hashes to ${prev.slice(0, 16)}…` };
    if (problem) {
      this.problem = problem;
      return;
    }
    const hash = exact ? eventHash(bytes) : sha256Hex(text);
    if (exact) this.frontier.pushHex(leafHashHexOfBytes(bytes));
    else this.frontier.push(leafHash(text));
    const size = this.frontier.size;
    while (this.next < this.wanted.length && this.wanted[this.next] === size) {
      this.heads.set(size, hash);
      this.roots.set(size, this.frontier.root());
      this.next += 1;
    }
    for (const ref of body.artifacts ?? []) if (!this.artifacts.has(ref.sha256)) this.artifacts.set(ref.sha256, { ref, seq: body.seq });
    if (body.type === 'session.sealed' && this.sealedAtSeq === undefined) this.sealedAtSeq = body.seq;
    if (body.type === 'session.created' && body.seq !== 0 && this.createdAgainAt === undefined) this.createdAgainAt = body.seq;
    this.onEvent?.(body);
    this.first ??= body;
    this.last = body;
    this.prev = hash;
  }
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

/** The chain of a whole stream (ChainReader over it). */
export async function readChain(stream: Readable, sessionId: string | undefined, onEvent?: (body: EventBody) => void, sizes: readonly number[] = []): Promise<ChainReading> {
  const reader = new ChainReader(sessionId, sizes, onEvent);
  for await (const chunk of stream) reader.push(chunk as Buffer);
  return reader.finish();
}
