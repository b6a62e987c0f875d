import type { Readable } from 'node:stream';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { throwIfCancelled, type ProoflineError } from '../errors.js';
import { createHasher, type DigestAlgorithm } from '../store/hashing.js';
import { ArchiveError, quoteName } from './archive-error.js';
import { FileSource, SharedSource, type ByteSource } from './byte-source.js';
import { extractArchive } from './extract-zip.js';
import type { ZipEntryInfo, ZipEntrySource } from './zip-entry-info.js';
import { LargeReadFileReader, WindowFileReader } from './zip-file-reader.js';
import { isSourceFailure, readInOrder, readWhole, type EntryRead, type EntrySink } from './zip-sequential-read.js';
import { guardEntryStream, readLocalHeader, describeDataError, refusal } from './zip-entry-stream.js';
import {
  findNameClash,
  findOverlap,
  isDirectoryName,
  localHeaderFinding,
  recordFinding,
  type CentralRecord,
  type Finding,
} from './zip-entry-rules.js';
import {
  archiveSizeProblem,
  entrySizeProblem,
  formatBytes,
  nameLengthProblem,
  resolveLimits,
  totalNameProblem,
  type ZipLimits,
} from './zip-limits.js';

export { ArchiveError, type ArchiveErrorKind } from './archive-error.js';
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './zip-limits.js';
export type { ZipEntryInfo } from './zip-entry-info.js';
export type { EntryRead, EntrySink } from './zip-sequential-read.js';
export type { ByteSource } from './byte-source.js';

interface FileHealth {
  error: Error | undefined;
}

interface Slot {
  readonly info: ZipEntryInfo;
  readonly record: CentralRecord;
  readonly entry: Entry;
}

/**
 * A received archive whose central directory has been checked. Content is read only through
 * `openStream`, which holds every entry to its declared size and CRC-32.
 */
export class ZipArchive implements ZipEntrySource {
  readonly entries: readonly ZipEntryInfo[];
  private readonly slots: ReadonlyMap<string, Slot>;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly zip: ZipFile,
    /** The whole file's (or object's) bytes, shared with archives stored in this one. */
    private readonly shared: SharedSource,
    private readonly health: FileHealth,
    slots: readonly Slot[],
  ) {
    this.entries = slots.map((slot) => slot.info);
    this.slots = new Map(slots.map((slot) => [slot.info.name, slot]));
  }

  has(name: string): boolean {
    return this.slots.has(name);
  }

  async openStream(name: string): Promise<Readable> {
    const slot = this.usable(name);
    return guardEntryStream(this.zip, await this.dataStart(slot, name), slot.info);
  }

  /** Where an entry's data begins, once its local header agrees with its directory record. */
  private async dataStart(slot: Slot, name: string): Promise<number> {
    let local;
    try {
      local = await readLocalHeader(this.zip, slot.entry);
    } catch (error) {
      throw describeDataError(error, name);
    }
    const finding = localHeaderFinding(slot.record, local);
    if (finding !== null) throw refusal(finding);
    return local.fileDataStart;
  }

  /**
   * Every entry named, read in the order of their bytes in the file with large reads (not one
   * stream per entry), into the sink `sinkFor` gives it, under the same checks as openStream.
   * Yields each entry when its last byte has passed its size and CRC-32 checks, or with the
   * error if it is damaged; stops at anything worse (see readInOrder).
   */
  readInOrder(names: Iterable<string>, sinkFor: (info: ZipEntryInfo) => EntrySink, signal?: AbortSignal): AsyncGenerator<EntryRead> {
    const entries = [...names].map((name) => this.usable(name));
    return readInOrder(this.shared.source, entries, sinkFor, signal);
  }

  /** A whole entry in memory, for tag files: refused unless it declares at most `maxBytes`. */
  async readBytes(name: string, maxBytes: number): Promise<Buffer> {
    const slot = this.slots.get(name);
    if (slot !== undefined && slot.info.size > maxBytes) {
      throw refusal({ kind: 'hostile', entry: name, detail: `is ${formatBytes(slot.info.size)}, over the ${formatBytes(maxBytes)} it may be` });
    }
    return readWhole(this.shared.source, this.usable(name));
  }

  /**
   * A small UTF-8 text entry (RFC 8493 2.1.1: tag files are UTF-8). A BOM is kept, not
   * stripped, so the verifier can report it.
   */
  async readText(name: string, maxBytes: number): Promise<string> {
    const bytes = await this.readBytes(name, maxBytes);
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch (error) {
      throw new ArchiveError('damaged', `archive entry ${quoteName(name)} is not valid UTF-8 text`, name, { cause: error });
    }
  }

  /** Writes every entry under `dir` (which must exist); on any failure removes what it wrote. */
  async extractTo(dir: string): Promise<void> {
    await extractArchive(this, dir);
  }

  private usable(name: string): Slot {
    const slot = this.slots.get(name);
    if (slot === undefined) throw new ArchiveError('missing', `archive '${this.path}' has no entry ${quoteName(name)}`, name);
    if (this.closed || this.health.error !== undefined) {
      throw new ArchiveError('unreadable', `archive '${this.path}' is ${this.health.error ? `unreadable (${this.health.error.message})` : 'closed'}; open it again`, name);
    }
    return slot;
  }

  /**
   * A ZIP stored in this one (a WACZ in an evidence archive), opened in place through a window on
   * this file, with the same directory checks as openArchive; undefined when the entry is deflated
   * (its bytes are not in the file as they are). Its own share of the source: closing either
   * leaves the other open. The outer entry's CRC-32 is not checked by these reads: the inner archive's
   * CRCs and hashes guard what is read, and the caller has hashed the entry whole.
   */
  async openStoredArchive(name: string, limits: Partial<ZipLimits> = {}): Promise<ZipArchive | undefined> {
    const slot = this.usable(name);
    if (slot.record.method !== 0 || slot.record.compressedSize !== slot.record.uncompressedSize) return undefined;
    return openWindow(`${this.path}:${name}`, this.shared, await this.dataStart(slot, name), slot.info.size, resolveLimits(limits));
  }

  /** Open streams keep the file open until they end or are destroyed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.zip.close();
  }
}

/**
 * Opens `path` (or reads `source`, which it then owns and closes with the archive) and checks its
 * whole central directory before any entry's content is read. Throws ArchiveError: 'not-zip',
 * 'truncated', 'unreadable', 'damaged' or 'hostile'; a source's own failure (vault.*) as itself.
 */
export async function openArchive(file: string | ByteSource, limits: Partial<ZipLimits> = {}): Promise<ZipArchive> {
  const path = typeof file === 'string' ? file : file.name;
  const { zip, shared } = await openZip(file);
  // yauzl re-emits errors of the open file on the ZipFile; an unheard 'error' event would crash.
  const health: FileHealth = { error: undefined };
  zip.on('error', (error: Error) => void (health.error ??= error));
  try {
    return new ZipArchive(path, zip, shared, health, await readDirectory(zip, path, resolveLimits(limits)));
  } catch (error) {
    zip.close();
    throw error;
  }
}

/** Streams one entry through the given hashes without writing it anywhere. */
export async function hashEntry<A extends DigestAlgorithm>(
  archive: ZipArchive,
  name: string,
  algorithms: readonly A[],
  signal?: AbortSignal,
): Promise<{ size: number; digests: Record<A, string> }> {
  const hashers = algorithms.map((algorithm) => [algorithm, createHasher(algorithm)] as const);
  let size = 0;
  for await (const chunk of await archive.openStream(name)) {
    // Leaving the loop destroys the entry's stream: a cancelled multi-GB entry stops here.
    throwIfCancelled(signal, `Reading ${name} was cancelled.`, { entry: name });
    const bytes = chunk as Buffer;
    for (const [, hasher] of hashers) hasher.update(bytes);
    size += bytes.length;
  }
  const digests = Object.fromEntries(hashers.map(([algorithm, hasher]) => [algorithm, hasher.digestHex()]));
  return { size, digests: digests as Record<A, string> };
}

export { refusal };

/**
 * A ZIP read through a window on a larger file (openStoredArchive). Every read goes through yauzl's
 * reader, whose positions the window shifts: the sequential reads of the base class address the
 * descriptor directly, so here they are served by openStream instead.
 */
class WindowedZipArchive extends ZipArchive {
  override async readBytes(name: string, maxBytes: number): Promise<Buffer> {
    const info = this.entries.find((e) => e.name === name);
    if (info !== undefined && info.size > maxBytes) {
      throw refusal({ kind: 'hostile', entry: name, detail: `is ${formatBytes(info.size)}, over the ${formatBytes(maxBytes)} it may be` });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await this.openStream(name)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  override async *readInOrder(names: Iterable<string>, sinkFor: (info: ZipEntryInfo) => EntrySink, signal?: AbortSignal): AsyncGenerator<EntryRead> {
    for (const name of names) {
      throwIfCancelled(signal, `Reading ${name} was cancelled.`, { entry: name });
      const info = this.entries.find((e) => e.name === name)!;
      const sink = sinkFor(info);
      try {
        for await (const chunk of await this.openStream(name)) await sink.update(chunk as Buffer);
        yield { info };
      } catch (error) {
        if (!(error instanceof ArchiveError) || error.reason !== 'damaged') throw error;
        yield { info, error };
      }
    }
  }
}

async function openWindow(label: string, shared: SharedSource, start: number, size: number, limits: ZipLimits): Promise<ZipArchive> {
  const reader = new WindowFileReader(shared.acquire(), start, size);
  let zip: ZipFile;
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(reader, size, { autoClose: false, decodeStrings: false, validateEntrySizes: false, strictFileNames: true });
  } catch (error) {
    reader.close(() => {});
    if (isSourceFailure(error)) throw error;
    throw new ArchiveError('damaged', `'${label}' is not a readable ZIP (${messageOf(error)})`, undefined, { cause: error });
  }
  const health: FileHealth = { error: undefined };
  zip.on('error', (error: Error) => void (health.error ??= error));
  try {
    return new WindowedZipArchive(label, zip, shared, health, await readDirectory(zip, label, limits));
  } catch (error) {
    zip.close();
    throw error;
  }
}

async function openZip(file: string | ByteSource): Promise<{ zip: ZipFile; shared: SharedSource }> {
  let source: ByteSource;
  try {
    source = typeof file === 'string' ? await FileSource.open(file) : file;
  } catch (error) {
    throw new ArchiveError('unreadable', `cannot open archive '${file as string}': ${messageOf(error)}`, undefined, { cause: error });
  }
  const shared = new SharedSource(source);
  // The reader owns its share of the source from here on and closes it with the ZipFile.
  const reader = new LargeReadFileReader(shared.acquire());
  try {
    // decodeStrings off: yauzl would refuse a bad name with an error naming no entry, and with
    // strictFileNames off it silently turns '\' into '/'; we decode and judge names ourselves.
    // validateEntrySizes off: same anonymous error; EntryGuard enforces sizes instead.
    const zip = await yauzl.fromRandomAccessReaderPromise(reader, source.size, {
      autoClose: false,
      decodeStrings: false,
      validateEntrySizes: false,
      strictFileNames: true,
    });
    return { zip, shared };
  } catch (error) {
    try {
      if (isSourceFailure(error)) throw error;
      throw await describeOpenError(error, source);
    } finally {
      // The open failed already; that error is the one worth reporting, not a close error.
      reader.close(() => {});
    }
  }
}

async function readDirectory(zip: ZipFile, path: string, limits: ZipLimits): Promise<Slot[]> {
  // yauzl's typings say boolean; before the first readEntry() it is the directory's offset.
  const directoryOffset = zip.readEntryCursor as unknown as number;
  if (zip.entryCount > limits.maxEntries) {
    throw new ArchiveError('hostile', `archive '${path}' declares ${zip.entryCount} entries, over the ${limits.maxEntries} allowed: refused; nothing was extracted`);
  }
  // 4.3.12: every central directory header is at least 46 bytes.
  if (directoryOffset + zip.entryCount * 46 > zip.fileSize) {
    throw new ArchiveError('truncated', `archive '${path}' is shorter than its own directory says (${zip.entryCount} entries from byte ${directoryOffset}, but ${zip.fileSize} bytes in all): it was cut short or damaged; ask for it again`);
  }
  const slots: Slot[] = [];
  let total = 0;
  let totalNameBytes = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const record = toRecord(entry);
      // Names first, before any check walks them: every later step is linear in their length.
      const nameBytes = Math.max(record.headerNameBytes.length, Buffer.byteLength(record.name));
      const finding = nameFinding(record, nameBytes, limits) ?? recordFinding(record) ?? sizeFinding(record, limits);
      if (finding !== null) throw refusal(finding);
      totalNameBytes += nameBytes;
      const namesProblem = totalNameProblem(totalNameBytes, limits);
      if (namesProblem !== null) throw new ArchiveError('hostile', `archive '${path}' ${namesProblem}: refused; nothing was extracted`);
      total += record.uncompressedSize;
      slots.push({ record, entry, info: toInfo(record) });
    }
  } catch (error) {
    if (error instanceof ArchiveError) throw error;
    throw describeDirectoryError(error, path);
  }
  const records = slots.map((slot) => slot.record);
  const finding = findNameClash(records) ?? findOverlap(records, directoryOffset);
  if (finding !== null) throw refusal(finding);
  const problem = archiveSizeProblem(total, zip.fileSize, limits);
  if (problem !== null) throw new ArchiveError('hostile', `archive '${path}' ${problem}: refused; nothing was extracted`);
  return slots;
}

function toRecord(entry: Entry): CentralRecord {
  const flags = entry.generalPurposeBitFlag;
  return {
    name: yauzl.getFileNameLowLevel(flags, entry.fileNameRaw, entry.extraFields, true),
    headerName: yauzl.getFileNameLowLevel(flags, entry.fileNameRaw, [], true),
    headerNameBytes: entry.fileNameRaw,
    versionMadeBy: entry.versionMadeBy,
    externalAttributes: entry.externalFileAttributes,
    flags,
    method: entry.compressionMethod,
    crc32: entry.crc32,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    localHeaderOffset: entry.relativeOffsetOfLocalHeader,
  };
}

function toInfo(record: CentralRecord): ZipEntryInfo {
  return {
    name: record.name,
    size: record.uncompressedSize,
    compressedSize: record.compressedSize,
    isDirectory: isDirectoryName(record.name),
    method: record.method,
    crc32: record.crc32,
  };
}

function nameFinding(record: CentralRecord, nameBytes: number, limits: ZipLimits): Finding | null {
  const problem = nameLengthProblem(nameBytes, limits);
  return problem === null ? null : { kind: 'hostile', entry: record.name, detail: problem };
}

function sizeFinding(record: CentralRecord, limits: ZipLimits): Finding | null {
  const problem = entrySizeProblem(record.uncompressedSize, record.compressedSize, limits);
  return problem === null ? null : { kind: 'hostile', entry: record.name, detail: problem };
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** yauzl reports open failures as plain Errors; say which of not-zip/truncated/unreadable it is. */
async function describeOpenError(error: unknown, source: ByteSource): Promise<ArchiveError> {
  const path = source.name;
  const message = messageOf(error);
  if (typeof (error as NodeJS.ErrnoException).code === 'string') {
    return new ArchiveError('unreadable', `cannot open archive '${path}': ${message}`, undefined, { cause: error });
  }
  const head = await readHead(source);
  if (head.size === 0) return new ArchiveError('not-zip', `'${path}' is empty (0 bytes), not a ZIP archive`);
  // 4.3.7: a ZIP written by any ordinary tool starts with a local file header, "PK\3\4".
  const startsLikeZip = head.bytes.subarray(0, 4).equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  if (/End of central directory record signature not found/.test(message)) {
    if (startsLikeZip) {
      return new ArchiveError('truncated', `'${path}' starts like a ZIP archive but its end (the central directory, APPNOTE 4.3.16) is missing: the file was cut short, e.g. by an interrupted download or copy; ask for it again`);
    }
    return new ArchiveError('not-zip', `'${path}' is not a ZIP archive (it begins with bytes ${head.bytes.subarray(0, 8).toString('hex').replace(/(..)(?!$)/g, '$1 ')}); a Proofline archive is a .zip file`);
  }
  if (/multi-disk/.test(message)) {
    return new ArchiveError('unreadable', `'${path}' is one part of a split (multi-disk) ZIP archive; join the parts first (zip -s 0 in.zip --out joined.zip)`);
  }
  if (/unexpected EOF/.test(message)) {
    return new ArchiveError('truncated', `'${path}' ends inside its own end-of-archive records: it was cut short; ask for it again`);
  }
  return new ArchiveError('damaged', `'${path}' has a damaged end-of-archive record (${message})`, undefined, { cause: error });
}

function describeDirectoryError(error: unknown, path: string): ProoflineError {
  if (isSourceFailure(error)) return error;
  const message = messageOf(error);
  if (/unexpected EOF/.test(message)) {
    return new ArchiveError('truncated', `'${path}' ends inside its central directory: it was cut short; ask for it again`, undefined, { cause: error });
  }
  if (/strong encryption/.test(message)) {
    return new ArchiveError('unreadable', `'${path}' uses PKWARE strong encryption (APPNOTE 4.4.4 bit 6): Proofline archives are never encrypted; ask for an unencrypted copy`, undefined, { cause: error });
  }
  return new ArchiveError('damaged', `'${path}' has a damaged central directory (${message})`, undefined, { cause: error });
}

async function readHead(source: ByteSource): Promise<{ size: number; bytes: Buffer }> {
  const bytes = Buffer.alloc(Math.min(source.size, 8));
  if (bytes.length > 0) await source.read(bytes, 0, bytes.length, 0);
  return { size: source.size, bytes };
}
