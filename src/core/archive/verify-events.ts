import type { Readable } from 'node:stream';
import type { ArtifactRef, EventBody } from '../../shared/domain.js';
import { ArchiveError } from './archive-error.js';
import { GENESIS_PREV, MerkleFrontier } from '../store/event-chain.js';
import { BLOCK_LINES, examineBlock, type BlockResult } from './chain-blocks.js';
import { prevProblem } from './chain-line.js';
import { ChainPool } from './chain-pool.js';

export { isRecordedTime } from './chain-line.js';

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

/** What the walk tells the verifier's observers, in chain order, of every event that passed. */
export interface ChainObserver {
  /** An event whose whole body an observer needs (observedInFull in chain-line.ts). */
  full(body: EventBody): void;
  /** Any other event: its seq, type and recorded time (ms; NaN if unreadable). */
  light(seq: number, type: string, time: number): void;
}

export interface ChainReaderOptions {
  /** Worker threads to judge the lines on (0: in place; chainWorkersFor() says how many a log earns). */
  readonly workers?: number;
  /** Workers of the caller's, for many walks (not closed by this one); instead of `workers`. */
  readonly pool?: ChainPool;
  /** Hand every event to `full` (tests compare this with the light path). */
  readonly forwardAll?: boolean;
}

/** A block of lines cut at 4 MiB even before BLOCK_LINES lines, so a block stays small whatever the events. */
const BLOCK_BYTES = 4 << 20;
/** Blocks on the workers at once, per worker: enough to keep them busy, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 2;
/** Verdicts made here held for a worker's that comes before them (each a few tens of KB). */
const MAX_WAITING = 8;

/**
 * Re-walks data/events.jsonl as its bytes arrive (push), in one pass and in memory bounded
 * whatever the number of events: every line must be RFC 8785 canonical (so its SHA-256 is the
 * event hash), carry the next seq, the session's id, and the previous line's hash as `prev`. The
 * head and Merkle root at each size in `sizes` (the checkpoints' treeSize, read before the
 * events) are taken on the way, from an RFC 9162 frontier of at most log2(n) nodes: no event's
 * hash or leaf is kept.
 *
 * The lines are cut into blocks (chain-blocks.ts) judged in place or, for a long log, on worker
 * threads and in place at once while this thread reads the archive; the verdicts are joined here in order,
 * so the result is the same either way, and the walk stops at the first break as a line-by-line
 * walk would.
 */
export class ChainReader {
  private readonly wanted: number[];
  private readonly observer: ChainObserver | undefined;
  private readonly pool: ChainPool | undefined;
  private readonly frontier = MerkleFrontier.empty();
  private readonly heads = new Map<number, string>();
  private readonly roots = new Map<number, string>();
  private readonly artifacts = new Map<string, { ref: ArtifactRef; seq: number }>();
  private first: EventBody | undefined;
  private lastText: string | undefined;
  private prev = GENESIS_PREV;
  private problem: ChainReading['problem'];
  private sealedAtSeq: number | undefined;
  private createdAgainAt: number | undefined;
  // The cutting: bytes held for the next block, its first line, lines and bytes in it so far.
  private held: Buffer[] = [];
  private heldBytes = 0;
  private blockFirstLine = 1;
  private blockLines = 0;
  /** Bytes of the line not yet ended (the line splitter's bound). */
  private lineBytes = 0;
  private linesSeen = 0;
  // Blocks out on workers, by order; verdicts back but not yet joined.
  private sent = 0;
  private joined = 0;
  private readonly back = new Map<number, BlockResult>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private failure: unknown;
  private readonly ownsPool: boolean;

  constructor(
    private readonly sessionId: string | undefined,
    sizes: readonly number[] = [],
    observer?: ChainObserver | ((body: EventBody) => void),
    private readonly options: ChainReaderOptions = {},
  ) {
    this.wanted = [...new Set(sizes)].filter((n) => Number.isSafeInteger(n) && n >= 1).sort((a, b) => a - b);
    this.observer = typeof observer === 'function' ? { full: observer, light: () => undefined } : observer;
    // A bare callback wants every body.
    if (typeof observer === 'function') this.options = { ...options, forwardAll: true };
    this.pool = options.pool ?? ChainPool.open(options.workers ?? 0);
    this.ownsPool = options.pool === undefined;
  }

  /**
   * The next bytes, in any chunking. A promise when the verdicts wait on a slow worker: the
   * caller waits for it before pushing more (so nothing piles up in memory).
   */
  push(chunk: Buffer): void | Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    let from = 0; // start of what is not yet in a block or held
    let lineStart = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, newline + 1)) {
      this.linesSeen += 1;
      if (this.lineBytes + newline - lineStart > MAX_EVENT_BYTES) throw tooLong(this.linesSeen, MAX_EVENT_BYTES);
      this.lineBytes = 0;
      lineStart = newline + 1;
      this.blockLines += 1;
      const size = this.heldBytes + newline + 1 - from;
      if ((this.blockFirstLine - 1 + this.blockLines) % BLOCK_LINES === 0 || size >= BLOCK_BYTES) {
        this.cut(chunk.subarray(from, newline + 1), false);
        from = newline + 1;
      }
    }
    this.lineBytes += chunk.length - lineStart;
    if (this.lineBytes > MAX_EVENT_BYTES) throw tooLong(this.linesSeen + 1, MAX_EVENT_BYTES);
    if (from < chunk.length) {
      this.held.push(chunk.subarray(from));
      this.heldBytes += chunk.length - from;
    }
    // Verdicts this thread made wait for a worker's: past a few, wait for it before reading on.
    if (this.inFlight.size > 0 && this.back.size >= MAX_WAITING) return Promise.race(this.inFlight).then(() => undefined);
    return undefined;
  }

  async finish(): Promise<ChainReading> {
    try {
      if (this.failure !== undefined) throw this.failure;
      if (this.heldBytes > 0) {
        this.linesSeen += 1; // the last line, without its newline
        this.blockLines += 1;
        this.cut(Buffer.alloc(0), true);
      }
      while (this.inFlight.size > 0) await Promise.race(this.inFlight);
      if (this.failure !== undefined) throw this.failure;
    } finally {
      this.close();
    }
    let problem = this.problem;
    if (!problem && this.linesSeen === 0) problem = { line: 0, detail: 'data/events.jsonl is empty: a session always has at least its session.created event' };
    const count = this.frontier.size;
    return {
      count,
      ...(count > 0 && { head: this.prev }),
      heads: this.heads,
      roots: this.roots,
      first: this.first,
      last: this.lastText === undefined ? undefined : (JSON.parse(this.lastText) as EventBody),
      artifacts: this.artifacts,
      problem,
      ...(this.sealedAtSeq !== undefined && { sealedAtSeq: this.sealedAtSeq }),
      ...(this.createdAgainAt !== undefined && { createdAgainAt: this.createdAgainAt }),
    };
  }

  /** Worker threads judging the lines (0: in place). */
  get workers(): number {
    return this.pool?.size ?? 0;
  }

  /** Ends the workers (finish() does; a walk given up, e.g. cancelled, must). */
  close(): void {
    if (this.ownsPool) this.pool?.close();
  }

  /** The held bytes and `tail` are the next block: judged in place, or sent to a worker. */
  private cut(tail: Buffer, final: boolean): void {
    const firstLine = this.blockFirstLine;
    const parts = tail.length > 0 ? [...this.held, tail] : this.held;
    const length = this.heldBytes + tail.length;
    this.blockFirstLine += this.blockLines;
    this.blockLines = 0;
    this.held = [];
    this.heldBytes = 0;
    if (this.problem) return; // past the first break, only the bytes' own checks matter
    const input = { firstLine, final, sessionId: this.sessionId, wanted: this.wanted, ...(this.options.forwardAll && { forwardAll: true }) };
    const order = this.sent++;
    // To a worker while one has room; else this thread judges the block itself rather than
    // wait (it is the other lane: on two cores, one worker and this thread share the work).
    if (!this.pool || this.inFlight.size >= this.pool.size * IN_FLIGHT_PER_WORKER) {
      this.arrive(order, examineBlock({ ...input, bytes: parts.length === 1 ? parts[0]! : Buffer.concat(parts, length) }));
      return;
    }
    // Its own buffer, moved to the worker.
    const bytes = new Uint8Array(length);
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.length;
    }
    const pending = this.pool.examine({ ...input, bytes }).then(
      (result) => this.arrive(order, result),
      (error: unknown) => void (this.failure ??= error),
    );
    this.inFlight.add(pending);
    void pending.finally(() => this.inFlight.delete(pending));
  }

  /** A block's verdict, from whichever lane: joined once every block before it is. */
  private arrive(order: number, result: BlockResult): void {
    this.back.set(order, result);
    while (this.back.has(this.joined)) {
      const next = this.back.get(this.joined)!;
      this.back.delete(this.joined);
      this.joined += 1;
      this.join(next);
    }
  }

  /** A block's verdict, in order: its first line must follow the last block's last; then its tree, heads, observers. */
  private join(block: BlockResult): void {
    if (this.problem) return;
    const startsWell = block.lines > 0 || (block.problem !== undefined && block.problem.line > block.firstLine);
    if (startsWell && block.firstPrev) {
      const detail = prevProblem(block.firstLine, block.firstPrev.text, block.firstPrev.isString, this.prev);
      if (detail) {
        this.problem = { line: block.firstLine, detail };
        return;
      }
    }
    const base = block.firstLine - 1; // seq of the block's first line, and the tree's size before it
    for (const at of block.at) {
      if (at.size > base + block.lines) break;
      this.heads.set(at.size, at.head);
      const there = this.frontier.clone();
      for (const subtree of at.subtrees) there.pushSubtree(subtree.root, subtree.leaves);
      this.roots.set(at.size, there.root());
    }
    for (const subtree of block.subtrees) this.frontier.pushSubtree(subtree.root, subtree.leaves);
    let next = 0;
    for (let i = 0; i < block.lines; i++) {
      const seq = base + i;
      if (block.observed[next] === i) {
        const body = JSON.parse(block.observedTexts[next]!) as EventBody;
        next += 1;
        for (const ref of body.artifacts ?? []) if (!this.artifacts.has(ref.sha256)) this.artifacts.set(ref.sha256, { ref, seq: body.seq });
        if (body.type === 'session.sealed' && this.sealedAtSeq === undefined) this.sealedAtSeq = body.seq;
        if (body.type === 'session.created' && body.seq !== 0 && this.createdAgainAt === undefined) this.createdAgainAt = body.seq;
        this.first ??= body;
        this.observer?.full(body);
      } else {
        this.observer?.light(seq, block.typeNames[block.typeIds[i]!]!, block.times[i]!);
      }
    }
    if (block.lines > 0) {
      this.prev = block.lastHash!;
      this.lastText = block.lastText;
    }
    if (block.problem) this.problem = block.problem;
  }
}
