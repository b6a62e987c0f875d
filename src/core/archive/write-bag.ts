import { createHash, hash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readSync } from 'node:fs';
import { once } from 'node:events';
import { link, open, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import type { TransformOptions } from 'node:stream';
import { crc32, createDeflateRaw, deflateRawSync, type DeflateRaw, type ZlibOptions } from 'node:zlib';
import type { TimestampRecord } from '../attest/timestamp-queue.js';
import type { BlobStore } from '../store/blob-store.js';
import type { EventLog } from '../store/event-log.js';
import { bytesFile, type BagFile, type BagPlan } from './bag-plan.js';
import { SEAL_SIGNATURE, sealTokenPath } from './bag-layout.js';
import { ProoflineError } from '../errors.js';
import { AHEAD_LIMIT, DEFLATE_LEVEL, deflateAhead, type Deflated } from './deflate-ahead.js';
import { ZipMethod, ZipWriter } from './zip-writer.js';

export interface ExportProgress {
  readonly kind: 'export';
  readonly done: number;
  readonly total: number;
  readonly file: string;
}

export interface ExportOptions {
  readonly out: string;
  readonly onProgress?: (progress: ExportProgress) => void;
  readonly signal?: AbortSignal;
}

export interface ExportResult {
  readonly path: string;
  readonly files: number;
  readonly payloadBytes: number;
  readonly sealTokens: number;
}

export interface ExportInput {
  readonly sessionId: string;
  readonly plan: BagPlan;
  readonly seal: { readonly tagManifest: Buffer; readonly signature: Buffer };
  readonly sealTokens: readonly TimestampRecord[];
  readonly blobs: BlobStore;
}

/**
 * Writes the sealed session as a BagIt ZIP. Each file is re-hashed on its way in and must match
 * the plan, so a blob damaged on disk fails the export instead of yielding an archive that fails
 * verification later. The ZIP is written beside the target, fsynced, and linked into place only
 * when complete.
 *
 * Per-entry cost is what made many small files slow (0.4 ms and ~37 futex calls an entry through
 * archiver and a read stream per file): a small file is read with one synchronous read, hashed
 * and laid out in the writer's buffer (zip-writer.ts); only a large one is read in 1 MiB pieces,
 * and memory stays flat however large the recordings. The events (up to AHEAD_LIMIT) are
 * deflated on the thread pool while the artifacts are written. The event loop is let go every
 * few milliseconds, so a cancellation (and, in the app, the window) is heard mid-file too.
 */
export async function exportSession(input: ExportInput, events: EventLog, options: ExportOptions): Promise<ExportResult> {
  const { plan, seal } = input;
  if (existsSync(options.out)) {
    throw new ProoflineError('export.exists', `Export to ${options.out} refused: the file already exists. Choose another name; nothing was overwritten.`, { path: options.out });
  }
  if (!plan.tagManifest.equals(seal.tagManifest)) {
    throw new ProoflineError(
      'store.damaged',
      'The tag manifest derived from the store differs from the one fixed at seal: the store was changed after sealing. ' +
        'The archive was not written; keep the database for examination.',
      { sessionId: input.sessionId },
    );
  }
  const tokens = input.sealTokens.filter((t) => t.state === 'obtained' && t.response);
  const extras: BagFile[] = [
    bytesFile(SEAL_SIGNATURE, seal.signature),
    ...tokens.map((t, i) => bytesFile(sealTokenPath(i), t.response!)),
  ];
  const files = [...plan.tags, ...extras, ...plan.payload];
  const total = files.reduce((sum, f) => sum + f.size, 0);
  const tmp = `${options.out}.${randomBytes(4).toString('hex')}.partial`;
  const cancelled = (): void => {
    if (options.signal?.aborted) throw cancelledExport(options.out);
  };
  let fd: number | undefined;
  try {
    cancelled();
    fd = openSync(tmp, 'wx');
    const zip = new ZipWriter(fd, new Date(plan.sealedAt));
    const progress = progressReporter(total, options.onProgress);
    const pause = pacer(cancelled);
    const sources: Sources = { blobs: input.blobs, events, sessionId: input.sessionId, ahead: startDeflates(files, events, input.sessionId) };
    for (const file of files) {
      // No promise per entry unless one is needed: awaiting for each of 20,000 small files cost
      // two trips through the microtask queue apiece.
      const rest = pause();
      if (rest) await rest;
      const pieces = writeEntry(zip, file, sources, progress, pause);
      if (pieces) await pieces;
    }
    zip.finish();
    progress.flush();
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    // The last moment a cancellation is heard: after the link, the archive is whole and stays.
    cancelled();
    // link, not rename: it fails if the target appeared meanwhile, so nothing is ever overwritten.
    await link(tmp, options.out);
    await rm(tmp, { force: true });
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    await rm(tmp, { force: true });
    const known = error instanceof ProoflineError ? error : undefined;
    if (known?.code === 'export.cancelled') throw known;
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'ENOSPC' ? ' The disk is full: free space or export to another drive.' : '';
    // A changed blob keeps its own code: it says more than "export failed".
    throw new ProoflineError(known?.code ?? 'export.failed', `Export to ${options.out} failed: ${(error as Error).message}.${hint} Nothing in the store was changed.`, { ...known?.params, path: options.out }, { cause: error });
  }
  return {
    path: options.out,
    files: files.length,
    payloadBytes: plan.payload.reduce((sum, f) => sum + f.size, 0),
    sealTokens: tokens.length,
  };
}

interface Sources {
  readonly blobs: BlobStore;
  readonly events: EventLog;
  readonly sessionId: string;
  /** Text entries being deflated ahead of their turn (deflate-ahead.ts). */
  readonly ahead: ReadonlyMap<BagFile, Promise<Deflated>>;
}

/**
 * events.jsonl, up to AHEAD_LIMIT, read and set deflating on the thread pool before the first
 * entry is written: the writing of the artifacts that come before it in the bag (20,000 in a bag
 * of small files) then hides its deflate (~0.1 s of CPU), where the thread waited for it. The tag
 * files, first in the bag, are deflated on this thread: waiting for the pool there left it idle
 * on a loaded machine (--cpu-prof).
 */
function startDeflates(files: readonly BagFile[], events: EventLog, sessionId: string): Map<BagFile, Promise<Deflated>> {
  const ahead = new Map<BagFile, Promise<Deflated>>();
  for (const file of files) {
    if (file.deflate && file.source.kind === 'events' && file.size <= AHEAD_LIMIT) ahead.set(file, deflateAhead(Buffer.concat([...eventLines(events, sessionId)])));
  }
  return ahead;
}

/** Files up to this size are read, hashed and (if text) deflated whole: one read each. */
const WHOLE_FILE_LIMIT = 1 << 20;
const CHUNK = 1 << 20;

/** Writes one entry: at once for a small one, else piece by piece, for which it returns the promise. */
function writeEntry(zip: ZipWriter, file: BagFile, sources: Sources, progress: ProgressReporter, pause: Pause): Promise<void> | undefined {
  const early = sources.ahead.get(file);
  if (early) return writeDeflated(zip, file, early, progress);
  const method = file.deflate ? ZipMethod.Deflated : ZipMethod.Stored;
  const { source } = file;
  if (source.kind === 'bytes') {
    checkContent(file, source.data);
    addWhole(zip, file, method, source.data);
    progress.add(file, file.size);
    return undefined;
  }
  if (source.kind === 'events') return writePieces(zip, file, method, eventLines(sources.events, sources.sessionId), progress, pause);
  const path = sources.blobs.pathOf(source.sha256);
  if (file.size <= WHOLE_FILE_LIMIT && file.size < zip.wholeEntryLimit) {
    if (method === ZipMethod.Stored) {
      zip.addStoredFrom(file.path, file.size, (into) => readWhole(path, file, into), (content) => checkContent(file, content));
    } else {
      const room = Buffer.allocUnsafe(file.size + 1);
      readWhole(path, file, room);
      const content = room.subarray(0, file.size);
      checkContent(file, content);
      addWhole(zip, file, method, content);
    }
    progress.add(file, file.size);
    return undefined;
  }
  return writePieces(zip, file, method, readPieces(path), progress, pause);
}

/** An entry deflated ahead: checked against the plan (SHA-256 and size), then written whole. */
async function writeDeflated(zip: ZipWriter, file: BagFile, pending: Promise<Deflated>, progress: ProgressReporter): Promise<void> {
  const { deflated, crc, size, sha256 } = await pending;
  if (sha256 !== file.sha256 || size !== file.size) throw changedBlob(file, sha256, size);
  zip.addWhole(file.path, ZipMethod.Deflated, deflated, crc, size);
  progress.add(file, size);
}

function addWhole(zip: ZipWriter, file: BagFile, method: ZipMethod, content: Buffer): void {
  const stored = method === ZipMethod.Deflated ? deflateRawSync(content, { level: DEFLATE_LEVEL }) : content;
  zip.addWhole(file.path, method, stored, crc32(content), content.length);
}

/**
 * Reads a whole file of `file.size` bytes into `into`, which has room for one byte more: a file
 * shorter or longer than recorded has changed, and is reported as such (blob.changed), not cut
 * or padded. One read in the usual case: asking for one byte more than expected, a read that
 * returns exactly the expected size has met the end of the file.
 */
function readWhole(path: string, file: BagFile, into: Buffer): void {
  const fd = openSync(path, 'r');
  try {
    let got = 0;
    for (;;) {
      const n = readSync(fd, into, got, into.length - got, got);
      got += n;
      if (n === 0 || got >= file.size) break;
    }
    if (got === file.size && got < into.length) return;
    const found = into.subarray(0, Math.min(got, file.size));
    throw changedBlob(file, createHash('sha256').update(found).digest('hex') + (got > file.size ? '…' : ''), got > file.size ? `more than ${file.size}` : got);
  } finally {
    closeSync(fd);
  }
}

/** The plan's SHA-256 and size, or the blob.changed error that names the entry. */
function checkContent(file: BagFile, content: Uint8Array): void {
  // One call, no Hash object: a bag of small files checks 20,000 of them.
  const digest = hash('sha256', content, 'hex');
  if (digest !== file.sha256 || content.length !== file.size) throw changedBlob(file, digest, content.length);
}

function changedBlob(file: BagFile, digest: string, size: number | string): ProoflineError {
  return new ProoflineError('blob.changed', `${file.path} in the store no longer matches its recorded hash (expected ${file.sha256}, ${file.size} bytes; found ${digest}, ${size} bytes)`, { entry: file.path });
}

/** A large entry, piece by piece: hashed, CRC'd, deflated if text, and written as it comes. */
async function writePieces(
  zip: ZipWriter,
  file: BagFile,
  method: ZipMethod,
  pieces: AsyncIterable<Buffer> | Iterable<Buffer>,
  progress: ProgressReporter,
  pause: Pause,
): Promise<void> {
  const entry = zip.begin(file.path, method, file.size);
  const hash = createHash('sha256');
  const deflater = method === ZipMethod.Deflated ? new RawDeflater((out) => entry.write(out)) : undefined;
  let crc = 0;
  let size = 0;
  try {
    for await (const piece of pieces) {
      hash.update(piece);
      crc = crc32(piece, crc);
      size += piece.length;
      if (deflater) await deflater.write(piece);
      else entry.write(piece);
      progress.add(file, piece.length, true);
      await pause();
    }
    await deflater?.end();
  } finally {
    deflater?.destroy();
  }
  const digest = hash.digest('hex');
  if (digest !== file.sha256 || size !== file.size) throw changedBlob(file, digest, size);
  entry.end(crc, size);
}

/** A file in 1 MiB pieces, each read asynchronously into a fresh buffer (the writer copies it). */
async function* readPieces(path: string): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    for (;;) {
      const buffer = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) return;
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Raw deflate (RFC 1951) of a large entry through zlib's stream: its output goes to the entry as
 * it comes; a failure to write it (a full disk) ends the stream with that error. The stream
 * deflates on libuv's thread pool; with room for 4 MiB of input (not the default 16 KiB) the
 * export reads the next pieces (the events from SQLite) while it does, where it waited on each
 * 256 KiB piece before (half of the events' wall time was the main thread idle, --cpu-prof).
 */
class RawDeflater {
  // Node hands a zlib stream's options to its Transform too; @types/node lists only zlib's.
  private readonly stream: DeflateRaw = createDeflateRaw({ level: DEFLATE_LEVEL, writableHighWaterMark: 4 << 20 } as ZlibOptions & TransformOptions);
  /** Rejects with the stream's first error; kept listened to, so no error goes unhandled. */
  private readonly failed: Promise<never>;
  constructor(out: (data: Buffer) => void) {
    this.failed = new Promise<never>((_, reject) => this.stream.once('error', reject));
    this.failed.catch(() => {});
    this.stream.on('data', (data: Buffer) => {
      try {
        out(data);
      } catch (error) {
        this.stream.destroy(error as Error);
      }
    });
  }
  async write(piece: Buffer): Promise<void> {
    if (!this.stream.write(piece)) await Promise.race([once(this.stream, 'drain'), this.failed]);
  }
  async end(): Promise<void> {
    this.stream.end();
    await Promise.race([once(this.stream, 'end'), this.failed]);
  }
  destroy(): void {
    this.stream.destroy();
  }
}

interface ProgressReporter {
  add(file: BagFile, bytes: number, piece?: boolean): void;
  flush(): void;
}

/**
 * Progress after every piece of a large file, and for small files every 1 MiB: one report per
 * 2 KB file would be 20,000 IPC messages to the window for an archive of 20,000 files.
 */
function progressReporter(total: number, onProgress: ExportOptions['onProgress']): ProgressReporter {
  let done = 0;
  let reported = 0;
  let last = '';
  const report = (file: string): void => {
    reported = done;
    onProgress?.({ kind: 'export', done, total, file });
  };
  return {
    add(file, bytes, piece = false) {
      done += bytes;
      last = file.path;
      if (piece || done - reported >= 1 << 20 || done === total) report(file.path);
    },
    flush() {
      if (reported !== done) report(last);
    },
  };
}

/** A promise to await when the export should let the event loop run, else nothing. */
type Pause = () => Promise<void> | undefined;

/**
 * Lets the event loop run when the export has held it for ~10 ms, and hears a cancellation
 * there: the loop is where an abort (Ctrl-C, the Cancel button) arrives.
 */
function pacer(cancelled: () => void): Pause {
  let since = performance.now();
  const rest = async (): Promise<void> => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
    cancelled();
  };
  return () => (performance.now() - since < 10 ? undefined : rest());
}

function cancelledExport(out: string): ProoflineError {
  return new ProoflineError('export.cancelled', `Export to ${out} cancelled: no archive was written, and nothing in the store was changed.`, { path: out });
}

/** events.jsonl in ~256 KiB chunks: one chunk per event would cost a stream tick each. */
function* eventLines(events: EventLog, sessionId: string): Generator<Buffer> {
  let batch: string[] = [];
  let length = 0;
  for (const canonical of events.canonicalBodies(sessionId)) {
    batch.push(canonical, '\n');
    length += canonical.length + 1;
    if (length >= 1 << 18) {
      yield Buffer.from(batch.join(''), 'utf8');
      batch = [];
      length = 0;
    }
  }
  if (batch.length > 0) yield Buffer.from(batch.join(''), 'utf8');
}
