// An archive in the team vault read in place, with ranged GETs (RFC 9110 §14: Range), never
// downloaded whole: the ZIP reader (read-zip.ts) reads it as it reads a file (byte-source.ts).
//
// What verify asks of it, and how each is served:
// - the end-of-archive records and the central directory (yauzl reads backwards from the end,
//   then walks the directory in 64 KiB reads): the last TAIL bytes, fetched once at open;
// - the payload, read once in file order in 4 MiB blocks (zip-sequential-read.ts): a read-ahead
//   window of AHEAD requests of CHUNK bytes in flight, so the store's latency is hidden behind
//   the hashing, and memory is AHEAD × CHUNK whatever the archive's size;
// - other small reads at random places (a WACZ's own directory, local headers): SMALL-byte blocks,
//   the last few kept.
// Every GET names the version HeadObject found (and its ETag, If-Match), so that every byte read
// is of one object: an archive replaced while it is read is an error, never half of each.
import type { S3Client } from '@aws-sdk/client-s3';
import type { ByteSource } from '../archive/byte-source.js';
import { ProoflineError } from '../errors.js';
import { copyPieces, RangeStream, type Pieces } from './s3-range-stream.js';
import { s3ErrorName, vaultError, type VaultErrorContext } from './vault-errors.js';

const TAIL = 1 << 20;
const CHUNK = 8 << 20;
const AHEAD = 4;
/** A read at least this long, where the window is not, starts a new window there. */
const LARGE = 1 << 20;
const SMALL = 256 << 10;
const SMALL_KEPT = 4;

interface Part {
  readonly start: number;
  readonly length: number;
  /** The part's bytes as the store sent them, in pieces (not copied into one buffer: verify copies once, into its own). */
  readonly bytes: Promise<Pieces>;
}

export interface S3Object {
  readonly client: S3Client;
  readonly bucket: string;
  readonly key: string;
  /** For messages, never a credential. */
  readonly endpoint: string;
}

/** Opens `object` (HeadObject, then its tail); vault.not-found, vault.unreachable, vault.denied… */
export async function openS3Source(object: S3Object, signal?: AbortSignal): Promise<S3ByteSource> {
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  const source = new S3ByteSource(object, signal);
  const head = await source.ask('read', () => object.client.send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }), { abortSignal: source.abort.signal }));
  source.pin(head.ContentLength ?? 0, head.VersionId, head.ETag);
  await source.loadTail();
  return source;
}

export class S3ByteSource implements ByteSource {
  readonly name: string;
  readonly abort = new AbortController();
  size = 0;
  private version: string | undefined;
  private etag: string | undefined;
  private tail: Part | undefined;
  private window: Part[] = [];
  private small: Part[] = [];
  private stream: RangeStream | undefined;
  private closed = false;
  private readonly unlink: () => void;
  /** Requests made, for the tests of the read-ahead and the bench. */
  requests = 0;

  constructor(
    private readonly object: S3Object,
    signal?: AbortSignal,
  ) {
    this.name = `s3://${object.bucket}/${object.key}`;
    const stop = (): void => this.abort.abort(signal?.reason);
    signal?.addEventListener('abort', stop, { once: true });
    this.unlink = () => signal?.removeEventListener('abort', stop);
    if (signal?.aborted) stop();
  }

  /** The object every later GET must read: its size, version and ETag as HeadObject gave them. */
  pin(size: number, version: string | undefined, etag: string | undefined): void {
    this.size = size;
    // Ceph and AWS say "null" for an object written before versioning: it names no version.
    this.version = version && version !== 'null' ? version : undefined;
    this.etag = etag;
  }

  async loadTail(): Promise<void> {
    const length = Math.min(this.size, TAIL);
    if (length === 0) return;
    this.tail = this.fetch(this.size - length, length);
    await this.tail.bytes;
  }

  async read(buffer: Buffer, offset: number, length: number, position: number): Promise<number> {
    const wanted = Math.max(0, Math.min(length, this.size - position));
    // Every part the read needs is chosen before the first await: a concurrent read further on
    // may move the window, but the parts this one holds stay its own.
    const parts = this.plan(position, wanted);
    let filled = 0;
    for (const part of parts) {
      const pieces = await part.bytes;
      const from = position + filled - part.start;
      filled += copyPieces(pieces, from, Math.min(part.length, from + wanted - filled), buffer, offset + filled);
    }
    return filled;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unlink();
    this.window = [];
    this.small = [];
    this.tail = undefined;
    this.stream = undefined;
    // Requests still in flight (read ahead, never to be used) stop here.
    this.abort.abort();
  }

  private plan(position: number, length: number): Part[] {
    const parts: Part[] = [];
    for (let at = position, end = position + length; at < end; ) {
      const part = this.partAt(at, end - at);
      parts.push(part);
      at = part.start + part.length;
    }
    return parts;
  }

  /** The part holding byte `at`, made if none does; `rest` is how much the read wants from there. */
  private partAt(at: number, rest: number): Part {
    const holds = (p: Part | undefined): p is Part => p !== undefined && at >= p.start && at < p.start + p.length;
    if (holds(this.tail)) return this.tail;
    const windowEnd = this.window.length > 0 ? this.window.at(-1)!.start + this.window.at(-1)!.length : -1;
    if (this.window.some(holds) || at === windowEnd) {
      // Reading on in order: what lies before is done with; keep AHEAD requests in flight past here.
      this.window = this.window.filter((p) => p.start + p.length > at);
      this.fill(at);
      return this.window.find(holds)!;
    }
    const kept = this.small.find(holds);
    if (kept) return kept;
    if (rest >= LARGE) {
      // A jump (the payload after skipped tag files, an inner archive's stream): the old window's
      // requests finish unused; this one starts with exactly what is asked, and grows if read on.
      this.endStream();
      this.window = [this.fetch(at, Math.min(rest, this.size - at))];
      return this.window[0]!;
    }
    const block = this.fetch(at, Math.min(Math.max(rest, SMALL), this.size - at));
    this.small = [block, ...this.small].slice(0, SMALL_KEPT);
    return block;
  }

  private fill(at: number): void {
    let end = this.window.length > 0 ? this.window.at(-1)!.start + this.window.at(-1)!.length : at;
    while (this.window.length < AHEAD && end < this.size) {
      const length = Math.min(CHUNK, this.size - end);
      const part = S3ByteSource.parallel ? this.fetch(end, length) : this.streamed(end, length);
      this.window.push(part);
      end += part.length;
    }
  }

  /**
   * Read-ahead by AHEAD ranged GETs in flight (true), or by one streaming GET to the end, pulled
   * as the window needs it (the default: fewer requests, and as fast or faster on the loopback
   * gateway, bench/vault-verify.mjs). PROOFLINE_S3_READAHEAD=parallel chooses the other, for the bench.
   */
  static parallel = process.env.PROOFLINE_S3_READAHEAD === 'parallel';

  /**
   * The next `length` bytes of the window's streaming GET (one request from `start` to the end of
   * the object, read no faster than the window asks: TCP holds the rest back), or of a new one
   * when the window has moved elsewhere. Parts are taken in order, one after the other.
   */
  private streamed(start: number, length: number): Part {
    let stream = this.stream;
    if (stream === undefined || stream.next !== start) {
      this.endStream();
      stream = this.stream = new RangeStream(this.openStream(start), start);
    }
    const bytes = stream.take(length).catch((error: unknown) => {
      throw this.describe(error, 'read');
    });
    bytes.catch(() => undefined); // heard by the read that uses it, if one does
    return { start, length, bytes };
  }

  /** The old stream ends once the parts already taken from it are in: they may still be read. */
  private endStream(): void {
    const old = this.stream;
    this.stream = undefined;
    old?.finish();
  }

  private openStream(start: number): Promise<{ body: AsyncIterator<Uint8Array>; stop: AbortController }> {
    const stop = new AbortController();
    const cut = (): void => stop.abort();
    this.abort.signal.addEventListener('abort', cut, { once: true });
    this.requests++;
    return this.ask('read', async () => {
      const { GetObjectCommand } = await import('@aws-sdk/client-s3');
      const answer = await this.object.client.send(new GetObjectCommand(this.request(start, this.size - start)), { abortSignal: stop.signal });
      return { body: (answer.Body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator](), stop };
    });
  }

  private request(start: number, length: number) {
    return {
      Bucket: this.object.bucket,
      Key: this.object.key,
      Range: `bytes=${start}-${start + length - 1}`,
      ...(this.version && { VersionId: this.version }),
      ...(this.etag && { IfMatch: this.etag }),
    };
  }

  private fetch(start: number, length: number): Part {
    const bytes = this.get(start, length);
    bytes.catch(() => undefined); // heard by the read that uses it, if one does
    return { start, length, bytes };
  }

  private async get(start: number, length: number): Promise<Pieces> {
    if (this.closed) throw new ProoflineError('operation.cancelled', `Reading ${this.name} was stopped.`, { key: this.object.key });
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    this.requests++;
    return this.ask('read', async () => {
      const answer = await this.object.client.send(new GetObjectCommand(this.request(start, length)), { abortSignal: this.abort.signal });
      const out: Uint8Array[] = [];
      let filled = 0;
      for await (const piece of answer.Body as AsyncIterable<Uint8Array>) {
        if (filled + piece.length > length) throw new Error(`the store sent more than the ${length} bytes asked for at byte ${start}`);
        out.push(piece);
        filled += piece.length;
      }
      if (filled !== length) throw Object.assign(new Error(`the store's answer ended after ${filled} of ${length} bytes at byte ${start}`), { code: 'ECONNRESET' });
      return out;
    });
  }

  /** One request, its failure said as a vault.* error naming the object. */
  async ask<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw this.describe(error, action);
    }
  }

  private describe(error: unknown, action: string): ProoflineError {
    const { name, status } = s3ErrorName(error);
    const where = { vault: this.name, bucket: this.object.bucket, endpoint: this.object.endpoint };
    if (this.abort.signal.aborted || name === 'AbortError') {
      return new ProoflineError('operation.cancelled', `Reading ${this.name} was cancelled: there is no verdict.`, { ...where, key: this.object.key }, { cause: error });
    }
    // If-Match failed, or the version is gone: the object is not the one this verification began on.
    if (this.size > 0 && (name === 'PreconditionFailed' || status === 412 || (this.version && (name === 'NoSuchVersion' || name === 'NoSuchKey')))) {
      const reason = `${this.name} changed or was removed while it was being read (${name || `HTTP ${status}`}): there is no verdict on it; verify it again`;
      return new ProoflineError('vault.failed', `The ${action} at the team vault failed: ${reason}.`, { ...where, reason }, { cause: error });
    }
    const context: VaultErrorContext = { ...where, key: this.object.key, action };
    return vaultError(error, context);
  }
}
