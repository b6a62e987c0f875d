import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { ProoflineError, throwIfCancelled } from '../errors.js';
import type { ArchiveError } from './archive-error.js';
import type { ByteSource } from './byte-source.js';
import type { ZipEntryInfo } from './zip-entry-info.js';
import { localHeaderFinding, type CentralRecord, type LocalHeader } from './zip-entry-rules.js';
import { describeDataError, EntryCheck, refusal } from './zip-entry-stream.js';

// Reading many entries of a checked archive in the order of their bytes, with a few large reads
// instead of a stream and several thread-pool round trips per entry: 20,000 entries of 2 KB
// took 8 s through yauzl's per-entry streams, about 0.4 ms an entry with the main thread idle
// (issue 13). The rules are the per-entry reader's: the local header must repeat the central
// record (localHeaderFinding), and the bytes are held to the declared size and CRC-32
// (EntryCheck), so a bomb stops at the chunk that passes its declared size.

/** Bytes read at a time; the next block is read while this one is hashed. */
const BLOCK = 4 << 20;
/** Deflated entries that inflate to at most this are inflated in one synchronous call. */
const INFLATE_AT_ONCE = 4 << 20;
/** Output chunk of the streaming inflater, for larger entries (events.jsonl of a long session). */
const INFLATE_CHUNK = 1 << 20;
// APPNOTE 4.3.7: signature, version, flags, method, time, date, CRC-32, sizes, name and extra lengths.
const LOCAL_HEADER_BYTES = 30;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;

/** Where an entry's bytes go, as they are read: hashes, the event chain, a buffer. */
export interface EntrySink {
  /** A promise asks the reader to wait before the next chunk (the sink's work is queued elsewhere). */
  update(chunk: Buffer): void | Promise<void>;
}

export interface SequentialEntry {
  readonly record: CentralRecord;
  readonly info: ZipEntryInfo;
}

/** One entry read: `error` is set, and only set, when the entry is damaged (CRC, length, data). */
export interface EntryRead {
  readonly info: ZipEntryInfo;
  readonly error?: ArchiveError;
}

/**
 * Reads `entries` in the order of their bytes in the file, each into the sink `sinkFor` gives.
 * A damaged entry is yielded with its error and the reading goes on (its neighbours may be
 * intact); anything else (hostile, truncated, unreadable, cancelled, or an error of a sink)
 * stops it. The entries must come from a checked central directory: findOverlap guarantees
 * that they do not share bytes.
 */
export async function* readInOrder(
  file: ByteSource,
  entries: readonly SequentialEntry[],
  sinkFor: (info: ZipEntryInfo) => EntrySink,
  signal?: AbortSignal,
): AsyncGenerator<EntryRead> {
  const ordered = [...entries].sort((a, b) => a.record.localHeaderOffset - b.record.localHeaderOffset);
  const reader = new BlockReader(file, BLOCK, true);
  try {
    for (const entry of ordered) {
      throwIfCancelled(signal, `Reading ${entry.info.name} was cancelled.`, { entry: entry.info.name });
      const failure = await readEntry(reader, entry, sinkFor(entry.info), signal);
      yield failure === undefined ? { info: entry.info } : { info: entry.info, error: failure };
    }
  } finally {
    await reader.settle();
  }
}

/** One whole entry in memory (a tag file), with one read of the file in the usual case. */
export async function readWhole(file: ByteSource, entry: SequentialEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  // The local header's extra field is not in the central record; 1 KiB covers what zip tools write.
  const guess = LOCAL_HEADER_BYTES + entry.record.headerNameBytes.length + 1024 + entry.record.compressedSize;
  const reader = new BlockReader(file, Math.min(Math.max(guess, 64 << 10), BLOCK), false);
  try {
    const failure = await readEntry(reader, entry, { update: (chunk) => void chunks.push(chunk) });
    if (failure !== undefined) throw failure;
  } finally {
    await reader.settle();
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Reads one entry into `sink`; returns the error if the entry is damaged, throws otherwise. */
async function readEntry(reader: BlockReader, entry: SequentialEntry, sink: EntrySink, signal?: AbortSignal): Promise<ArchiveError | undefined> {
  const { record, info } = entry;
  let sinkError: { readonly error: unknown } | undefined;
  const check = new EntryCheck(info);
  const failed = (error: unknown): never => {
    sinkError = { error };
    throw error;
  };
  const deliver = (chunk: Buffer): void | Promise<void> => {
    check.update(chunk);
    try {
      return sink.update(chunk)?.catch(failed);
    } catch (error) {
      return failed(error);
    }
  };
  try {
    const dataStart = await localHeader(reader, record);
    if (record.method === 0) await copyStored(reader, dataStart, record.compressedSize, deliver, signal);
    else if (info.size <= INFLATE_AT_ONCE && record.compressedSize <= BLOCK) await inflateAtOnce(await reader.take(dataStart, record.compressedSize), check, deliver);
    else await inflateStreaming(reader, dataStart, record.compressedSize, deliver, signal);
    check.finish();
    return undefined;
  } catch (error) {
    if (sinkError !== undefined) throw sinkError.error;
    if (signal?.aborted) throw error; // the cancellation, not a fault of the archive
    if (isSourceFailure(error)) throw error; // the store (vault.*) failed, not the archive
    const described = describeDataError(error, info.name);
    if (described.reason === 'damaged') return described;
    throw described;
  }
}

/** Checks the local header against the central record; returns where the entry's data starts. */
async function localHeader(reader: BlockReader, record: CentralRecord): Promise<number> {
  const offset = record.localHeaderOffset;
  const fixed = await reader.take(offset, LOCAL_HEADER_BYTES);
  // The messages are yauzl's, so describeDataError says them as the per-entry reader does.
  const signature = fixed.readUInt32LE(0);
  if (signature !== LOCAL_HEADER_SIGNATURE) throw new Error(`invalid local file header signature: 0x${signature.toString(16)}`);
  const nameLength = fixed.readUInt16LE(26);
  const extraLength = fixed.readUInt16LE(28);
  const local: LocalHeader = {
    fileName: await reader.take(offset + LOCAL_HEADER_BYTES, nameLength),
    generalPurposeBitFlag: fixed.readUInt16LE(6),
    compressionMethod: fixed.readUInt16LE(8),
    crc32: fixed.readUInt32LE(14),
    compressedSize: fixed.readUInt32LE(18),
    uncompressedSize: fixed.readUInt32LE(22),
  };
  const finding = localHeaderFinding(record, local);
  if (finding !== null) throw refusal(finding);
  const dataStart = offset + LOCAL_HEADER_BYTES + nameLength + extraLength;
  if (dataStart + record.compressedSize > reader.fileSize) throw new Error('file data overflows file bounds');
  return dataStart;
}

async function copyStored(reader: BlockReader, start: number, length: number, deliver: (chunk: Buffer) => void | Promise<void>, signal?: AbortSignal): Promise<void> {
  for (let position = start, end = start + length; position < end; ) {
    const part = await reader.some(position, end - position);
    await deliver(part);
    position += part.length;
    if (position < end) throwIfCancelled(signal, 'Reading an archive entry was cancelled.');
  }
}

async function inflateAtOnce(compressed: Buffer, check: EntryCheck, deliver: (chunk: Buffer) => void | Promise<void>): Promise<void> {
  let inflated: Buffer;
  try {
    // One byte more than declared is enough to know it lies: zlib stops there (a bomb's cost is
    // bounded by the declared size, at most INFLATE_AT_ONCE).
    inflated = inflateRawSync(compressed, { maxOutputLength: check.allowance() + 1 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw check.tooLong();
    throw error;
  }
  if (inflated.length > 0) await deliver(inflated);
}

async function inflateStreaming(reader: BlockReader, start: number, length: number, deliver: (chunk: Buffer) => void | Promise<void>, signal?: AbortSignal): Promise<void> {
  // zlib inflates on the thread pool while this thread hashes and parses what came out before.
  const inflater = createInflateRaw({ chunkSize: INFLATE_CHUNK });
  const drained = (): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        inflater.off('drain', done);
        inflater.off('close', done);
        resolve();
      };
      inflater.on('drain', done);
      inflater.on('close', done);
    });
  const feeding = (async () => {
    for (let position = start, end = start + length; position < end && !inflater.destroyed; ) {
      const part = await reader.some(position, end - position);
      position += part.length;
      if (!inflater.write(part)) await drained();
    }
    if (!inflater.destroyed) inflater.end();
  })().catch((error: unknown) => void inflater.destroy(error as Error));
  try {
    for await (const chunk of inflater) {
      await deliver(chunk as Buffer);
      throwIfCancelled(signal, 'Reading an archive entry was cancelled.');
    }
  } finally {
    inflater.destroy();
    // The reader serves one entry at a time: the feeder must be done before the next entry.
    await feeding;
  }
}

/**
 * Positional reads of one file, a block at a time, the next block read ahead while the current
 * one is used. Every block is a new buffer, so what a sink keeps of a chunk stays valid.
 */
class BlockReader {
  private start = 0;
  private bytes: Buffer = Buffer.alloc(0);
  private ahead: { readonly start: number; readonly bytes: Promise<Buffer> } | undefined;

  constructor(
    private readonly file: ByteSource,
    private readonly block: number,
    private readonly readAhead: boolean,
  ) {}

  get fileSize(): number {
    return this.file.size;
  }

  /** `length` bytes from `position`, in one buffer (copied only when they straddle blocks). */
  async take(position: number, length: number): Promise<Buffer> {
    const from = position - this.start;
    if (from >= 0 && from + length <= this.bytes.length) return this.bytes.subarray(from, from + length);
    const out = Buffer.allocUnsafe(length);
    for (let filled = 0; filled < length; ) {
      const part = await this.some(position + filled, length - filled);
      filled += part.copy(out, filled);
    }
    return out;
  }

  /** From 1 to `max` bytes from `position`: what the block holding it has. */
  async some(position: number, max: number): Promise<Buffer> {
    if (!(position >= this.start && position < this.start + this.bytes.length)) await this.load(position);
    const from = position - this.start;
    return this.bytes.subarray(from, Math.min(this.bytes.length, from + max));
  }

  /** Waits for a read still under way, so none outlives the reading (and its descriptor). */
  async settle(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = undefined;
    await ahead?.bytes.catch(() => undefined);
  }

  private async load(position: number): Promise<void> {
    const ahead = this.ahead;
    this.ahead = undefined;
    let bytes: Buffer | undefined;
    if (ahead !== undefined) {
      const read = await ahead.bytes.catch(() => undefined);
      if (read !== undefined && position >= ahead.start && position < ahead.start + read.length) {
        bytes = read;
        this.start = ahead.start;
      }
    }
    if (bytes === undefined) {
      bytes = await readAt(this.file, position, Math.min(this.block, this.file.size - position));
      this.start = position;
    }
    if (bytes.length === 0) throw new Error(`unexpected EOF at byte ${position}`);
    this.bytes = bytes;
    const next = this.start + bytes.length;
    if (this.readAhead && next < this.file.size) {
      const pending = readAt(this.file, next, Math.min(this.block, this.file.size - next));
      pending.catch(() => undefined); // heard when (if) the block is used
      this.ahead = { start: next, bytes: pending };
    }
  }
}

async function readAt(file: ByteSource, position: number, length: number): Promise<Buffer> {
  if (length <= 0) return Buffer.alloc(0);
  const buffer = Buffer.allocUnsafe(length);
  const bytesRead = await file.read(buffer, 0, length, position);
  return bytesRead < length ? buffer.subarray(0, bytesRead) : buffer;
}

/** A failure of where the bytes are (a vault's vault.* error), said as itself, not as the entry's. */
export function isSourceFailure(error: unknown): error is ProoflineError {
  return error instanceof ProoflineError && error.code.startsWith('vault.');
}
