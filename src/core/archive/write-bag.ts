import archiver from 'archiver';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { link, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { Readable, Transform } from 'node:stream';
import type { TimestampRecord } from '../attest/timestamp-queue.js';
import type { BlobStore } from '../store/blob-store.js';
import type { EventLog } from '../store/event-log.js';
import { fsyncPath } from '../store/fsync.js';
import { createHasher } from '../store/hashing.js';
import { bytesFile, type BagFile, type BagPlan } from './bag-plan.js';
import { SEAL_SIGNATURE, sealTokenPath } from './bag-layout.js';
import { ProoflineError } from '../errors.js';

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
 * Writes the sealed session as a BagIt ZIP, one entry at a time, streaming every file: memory
 * stays flat however large the recordings. Each file is re-hashed on its way in and must match
 * the plan, so a blob damaged on disk fails the export instead of yielding an archive that fails
 * verification later. The ZIP is written beside the target and renamed only when complete.
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
  const output = createWriteStream(tmp, { flags: 'wx' });
  const zip = archiver('zip', { zlib: { level: 6 } });
  const date = new Date(plan.sealedAt);
  let done = 0;
  // Any error of the archiver or the output file (a full disk, say) ends the export at once,
  // whichever entry is being written; so does a cancellation, mid-file included.
  const failed = new Promise<never>((_, reject) => {
    zip.on('error', reject);
    zip.on('warning', reject);
    output.on('error', reject);
    if (options.signal?.aborted) reject(cancelledExport(options.out));
    options.signal?.addEventListener('abort', () => reject(cancelledExport(options.out)), { once: true });
  });
  // Observed by the races below; this only keeps an early rejection from counting as unhandled.
  failed.catch(() => {});
  zip.pipe(output);
  let reading: Readable | undefined;
  try {
    for (const file of files) {
      if (options.signal?.aborted) throw cancelledExport(options.out);
      const source = (reading = openSource(file, input.blobs, events, input.sessionId));
      const stream = source.pipe(checkHash(file, (n) => {
        done += n;
        options.onProgress?.({ kind: 'export', done, total, file: file.path });
      }));
      // pipe() does not forward a source's error (a blob missing from disk): pass it on.
      source.once('error', (error) => stream.destroy(error));
      zip.append(stream, { name: file.path, date, store: !file.deflate });
      await Promise.race([once(zip, 'entry'), once(stream, 'error').then(([error]) => Promise.reject(error)), failed]);
    }
    await Promise.race([zip.finalize(), failed]);
    if (!output.closed) await Promise.race([once(output, 'close'), failed]);
    fsyncPath(tmp);
    // The last moment a cancellation is heard: after the link, the archive is whole and stays.
    if (options.signal?.aborted) throw cancelledExport(options.out);
    // link, not rename: it fails if the target appeared meanwhile, so nothing is ever overwritten.
    await link(tmp, options.out);
    await rm(tmp, { force: true });
  } catch (error) {
    zip.abort();
    reading?.destroy();
    // The output may still be opening: wait until it is closed, or rm would run first and the
    // open would then create the file it was meant to remove.
    if (!output.closed) await new Promise<void>((resolve) => output.destroy().once('close', () => resolve()));
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

function cancelledExport(out: string): ProoflineError {
  return new ProoflineError('export.cancelled', `Export to ${out} cancelled: no archive was written, and nothing in the store was changed.`, { path: out });
}

function openSource(file: BagFile, blobs: BlobStore, events: EventLog, sessionId: string): Readable {
  switch (file.source.kind) {
    case 'bytes':
      return Readable.from([file.source.data]);
    case 'blob':
      return createReadStream(blobs.pathOf(file.source.sha256), { highWaterMark: 1 << 20 });
    case 'events':
      return Readable.from(eventLines(events, sessionId));
  }
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

function checkHash(file: BagFile, onBytes: (n: number) => void): Transform {
  const hash = createHasher('sha256');
  let size = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      onBytes(chunk.length);
      callback(null, chunk);
    },
    flush(callback) {
      const digest = hash.digestHex();
      if (digest !== file.sha256 || size !== file.size) {
        callback(new ProoflineError('blob.changed', `${file.path} in the store no longer matches its recorded hash (expected ${file.sha256}, ${file.size} bytes; found ${digest}, ${size} bytes)`, { entry: file.path }));
        return;
      }
      callback();
    },
  });
}

