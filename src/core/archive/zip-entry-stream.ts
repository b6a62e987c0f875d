import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import type { Entry, LocalFileHeader, ZipFile } from 'yauzl';
import { ArchiveError, quoteName } from './archive-error.js';
import type { Finding } from './zip-entry-rules.js';
import { formatBytes } from './zip-limits.js';

export interface GuardedEntry {
  readonly name: string;
  readonly size: number;
  readonly compressedSize: number;
  readonly method: number;
  readonly crc32: number;
}

export function readLocalHeader(zip: ZipFile, entry: Entry): Promise<LocalFileHeader> {
  return new Promise((resolve, reject) => {
    zip.readLocalFileHeader(entry, (error, header) => (error ? reject(error) : resolve(header)));
  });
}

/**
 * The entry's content as a stream held to what the central directory declared: it fails with
 * 'hostile' the moment it passes the declared size (a zip bomb or a forged size, so at most one
 * inflate chunk past it is ever produced), and with 'damaged' if it ends short or fails CRC-32.
 *
 * yauzl hands us the raw bytes (bounded to the compressed size) and we inflate ourselves:
 * yauzl's own inflater is never closed when its stream is destroyed (its issue #27), and its
 * size check reports no entry name.
 */
export function guardEntryStream(zip: ZipFile, fileDataStart: number, entry: GuardedEntry): Readable {
  let raw: Readable | undefined;
  zip.openReadStreamLowLevel(fileDataStart, entry.compressedSize, 0, entry.compressedSize, false, null, (error, stream) => {
    if (error) throw error; // never: the low-level call only builds streams
    raw = stream;
  });
  if (raw === undefined) throw new ArchiveError('unreadable', `archive entry ${quoteName(entry.name)} could not be opened for reading`, entry.name);
  const source = raw;
  const inflater = entry.method === 8 ? createInflateRaw() : undefined;
  const guard = new EntryGuard(entry, () => {
    source.destroy();
    inflater?.destroy();
  });
  const fail = (error: unknown): void => void guard.destroy(describeDataError(error, entry.name));
  source.on('error', fail);
  if (inflater === undefined) {
    source.pipe(guard);
  } else {
    inflater.on('error', fail);
    source.pipe(inflater).pipe(guard);
  }
  return guard;
}

/**
 * What every reader of an entry's bytes holds them to, whatever way they are read: no byte past
 * the declared size (update throws 'hostile' on the chunk that passes it), and at the end the
 * declared size exactly and the CRC-32 (finish throws 'damaged').
 */
export class EntryCheck {
  private seen = 0;
  private crc = 0;

  constructor(private readonly entry: GuardedEntry) {}

  update(chunk: Buffer): void {
    this.seen += chunk.length;
    if (this.seen > this.entry.size) throw this.tooLong();
    this.crc = crc32(chunk, this.crc);
  }

  finish(): void {
    if (this.seen < this.entry.size) {
      throw this.refuse('damaged', `ends after ${this.seen} of its declared ${this.entry.size} bytes: the archive is damaged`);
    }
    // 4.4.7: the CRC-32 of the uncompressed data. A mismatch means the bytes changed after the
    // archive was written, without the archive being rewritten.
    if (this.crc >>> 0 !== this.entry.crc32 >>> 0) {
      throw this.refuse('damaged', 'fails its CRC-32 check (APPNOTE 4.4.7): its bytes changed after the archive was written');
    }
  }

  /** How many more bytes the entry may still yield. */
  allowance(): number {
    return this.entry.size - this.seen;
  }

  /** The refusal of content that inflates past the declared size. */
  tooLong(): ArchiveError {
    return this.refuse('hostile', `inflates past its declared ${formatBytes(this.entry.size)}: a zip bomb or a forged size; reading stopped`);
  }

  private refuse(kind: 'hostile' | 'damaged', detail: string): ArchiveError {
    return new ArchiveError(kind, `archive entry ${quoteName(this.entry.name)} ${detail}`, this.entry.name);
  }
}

class EntryGuard extends Transform {
  private readonly check: EntryCheck;

  constructor(
    entry: GuardedEntry,
    private readonly release: () => void,
  ) {
    super();
    this.check = new EntryCheck(entry);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.check.update(chunk);
    } catch (error) {
      done(error as Error);
      return;
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    try {
      this.check.finish();
    } catch (error) {
      done(error as Error);
      return;
    }
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.release();
    done(error);
  }
}

/** An archive's refusal of an entry, from a finding of zip-entry-rules.ts. */
export function refusal(finding: Finding): ArchiveError {
  const suffix = finding.kind === 'hostile' ? ': refused; nothing was extracted' : '';
  return new ArchiveError(finding.kind, `archive entry ${quoteName(finding.entry)} ${finding.detail}${suffix}`, finding.entry);
}

/** What went wrong reading an entry's bytes, as a person would put it. */
export function describeDataError(error: unknown, name: string): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const where = `archive entry ${quoteName(name)}`;
  if (code.startsWith('Z_')) {
    return new ArchiveError('damaged', `${where} has corrupt compressed data (${message}): the archive is damaged`, name, { cause: error });
  }
  if (/unexpected EOF|not enough bytes|overflows file bounds/.test(message)) {
    return new ArchiveError('truncated', `${where} runs past the end of the file: the archive was cut short; ask for it again`, name, { cause: error });
  }
  if (/local file header signature/.test(message)) {
    return new ArchiveError('damaged', `${where} points at bytes that are not a local file header (APPNOTE 4.3.7): the archive is damaged`, name, { cause: error });
  }
  return new ArchiveError('unreadable', `${where} could not be read: ${message}`, name, { cause: error });
}
