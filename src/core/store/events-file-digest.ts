import type { Digests } from './hashing.js';
import { Sha256 } from './sha256-resumable.js';
import { Sm3 } from './sm3.js';

/**
 * The digests of a session's data/events.jsonl (each event's RFC 8785 text and a newline, in
 * chain order) kept running: every checkpoint extends them with the events since the last and
 * stores their state beside its Merkle frontier (migration 9), so the seal learns the digests of
 * a million-event log from the last checkpoint instead of reading the log (issue 13).
 */
export class EventsFileDigest {
  private constructor(
    private readonly sha: Sha256,
    private readonly sm: Sm3,
    private events: number,
  ) {}

  static empty(): EventsFileDigest {
    return new EventsFileDigest(new Sha256(), new Sm3(), 0);
  }

  /** The events covered (seqs 0 to count - 1). */
  get count(): number {
    return this.events;
  }

  /** Adds the next event's line. */
  push(canonical: string): void {
    const line = Buffer.from(`${canonical}\n`, 'utf8');
    this.sha.update(line);
    this.sm.update(line);
    this.events += 1;
  }

  /** The file's digests as they stand; pushing may go on after. */
  digests(): Digests {
    return { sha256: this.sha.digestHex(), sm3: this.sm.digestHex(), size: this.sha.length };
  }

  /** Version 1: event count (u64), then each state with its length (u8) before it. */
  toBytes(): Buffer {
    const sha = this.sha.save();
    const sm = this.sm.save();
    const head = Buffer.alloc(9);
    head.writeUInt8(FORMAT, 0);
    head.writeBigUInt64BE(BigInt(this.events), 1);
    return Buffer.concat([head, Buffer.from([sha.length]), sha, Buffer.from([sm.length]), sm]);
  }

  /** The digest toBytes() saved; undefined when the bytes cannot be one (derived data: rebuilt then). */
  static fromBytes(bytes: Uint8Array | null | undefined): EventsFileDigest | undefined {
    if (!bytes || bytes.length < 11 || bytes[0] !== FORMAT) return undefined;
    const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    const events = Number(view.readBigUInt64BE(1));
    const shaLength = view[9]!;
    const sha = view.subarray(10, 10 + shaLength);
    const smLength = view[10 + shaLength];
    if (smLength === undefined) return undefined;
    const sm = view.subarray(11 + shaLength, 11 + shaLength + smLength);
    if (11 + shaLength + smLength !== view.length || !Number.isSafeInteger(events)) return undefined;
    const digest = EventsFileDigest.empty();
    if (!digest.sha.load(sha) || !digest.sm.load(sm) || digest.sha.length !== digest.sm.length) return undefined;
    digest.events = events;
    return digest;
  }
}

const FORMAT = 1;
