import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, openSync, readSync } from 'node:fs';
import { once } from 'node:events';
import { link, open, rm } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { crc32, createDeflateRaw, deflateRawSync, type DeflateRaw } from 'node:zlib';
import type { TimestampRecord } from '../attest/timestamp-queue.js';
import type { BlobStore } from '../store/blob-store.js';
import type { EventLog } from '../store/event-log.js';
import { bytesFile, type BagFile, type BagPlan } from './bag-plan.js';
import { SEAL_SIGNATURE, sealTokenPath } from './bag-layout.js';
import { ProoflineError } from '../errors.js';
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
 * and memory stays flat however large the recordings. The event loop is let go every few
 * milliseconds, so a cancellation (and, in the app, the window) is heard mid-file too.
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
    for (const file of files) {
      await pause();
      await writeEntry(zip, file, { blobs: input.blobs, events, sessionId: input.sessionId }, progress, pause);
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
}

/** Files up to this size are read, hashed and (if text) deflated whole: one read each. */
const WHOLE_FILE_LIMIT = 1 << 20;
const CHUNK = 1 << 20;

async function writeEntry(zip: ZipWriter, file: BagFile, sources: Sources, progress: ProgressReporter, pause: () => Promise<void>): Promise<void> {
  const method = file.deflate ? ZipMethod.Deflated : ZipMethod.Stored;
  const { source } = file;
  if (source.kind === 'bytes') {
    checkContent(file, source.data);
    addWhole(zip, file, method, source.data);
    progress.add(file, file.size);
    return;
  }
  if (source.kind === 'events') {
    await writePieces(zip, file, method, eventLines(sources.events, sources.sessionId), progress, pause);
    return;
  }
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
    return;
  }
  await writePieces(zip, file, method, readPieces(path), progress, pause);
}

function addWhole(zip: ZipWriter, file: BagFile, method: ZipMethod, content: Buffer): void {
  // Level 6, as before (and as zip -r): what unzip -v shows as Defl:N.
  const stored = method === ZipMethod.Deflated ? deflateRawSync(content, { level: 6 }) : content;
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
  const digest = createHash('sha256').update(content).digest('hex');
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
  pause: () => Promise<void>,
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
 * it comes; a failure to write it (a full disk) ends the stream with that error.
 */
class RawDeflater {
  private readonly stream: DeflateRaw = createDeflateRaw({ level: 6 });
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

/**
 * Lets the event loop run when the export has held it for ~10 ms, and hears a cancellation
 * there: the loop is where an abort (Ctrl-C, the Cancel button) arrives.
 */
function pacer(cancelled: () => void): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < 10) return;
    await new Promise<void>((resolve) => setImmediate(resolve));
    since = performance.now();
    cancelled();
  };
}

function cancelledExport(out: string): ProoflineError {
  return new ProoflineError('export.cancelled', `Export to ${out} cancelled: no archive was written, and nothing in the store was changed.`, { path: out });
}

/** events.jsonl in ~256 KiB chunks: one chunk per event would cost a stream tick each. */
function* eventLines(events: EventLog, sessionId: string): Generator<Buffer> {
  let batch: string[] = [];
  let length = 0;
  for (const event of events.iterate(sessionId)) {
    batch.push(event.canonical, '\n');
    length += event.canonical.length + 1;
    if (length >= 1 << 18) {
      yield Buffer.from(batch.join(''), 'utf8');
      batch = [];
      length = 0;
    }
  }
  if (batch.length > 0) yield Buffer.from(batch.join(''), 'utf8');
}
