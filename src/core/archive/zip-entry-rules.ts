import { quoteName, type ArchiveErrorKind } from './archive-error.js';

/**
 * Pure checks on what the central directory declares (PKWARE APPNOTE.TXT 6.3.10), run on every
 * entry before any content is read. Section numbers below are APPNOTE's.
 */

/** One central directory header (4.3.12), already decoded by the reader. */
export interface CentralRecord {
  /** The name a modern tool shows: the Info-ZIP Unicode Path field (4.6.9) if valid, else the header's. */
  readonly name: string;
  /** The name from the header bytes alone, as a tool ignoring 4.6.9 shows it. */
  readonly headerName: string;
  readonly headerNameBytes: Uint8Array;
  readonly versionMadeBy: number;
  readonly externalAttributes: number;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
}

/** The fields of a local file header (4.3.7) that must repeat the central record. */
export interface LocalHeader {
  readonly fileName: Uint8Array;
  readonly generalPurposeBitFlag: number;
  readonly compressionMethod: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
}

export interface Finding {
  readonly kind: ArchiveErrorKind;
  readonly entry: string;
  /** Completes "archive entry '<name>' …". */
  readonly detail: string;
}

export const isDirectoryName = (name: string): boolean => name.endsWith('/');

// Windows opens these devices whatever the folder or extension: "a/CON.txt" is the console.
const WINDOWS_DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?$/i;
// C0/C1 controls; a NUL in particular truncates the name in C-based extractors.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Why a name is unsafe to extract, or null. 4.4.17.1: "The path stored MUST NOT contain a drive
 * or device letter, or a leading slash. All slashes MUST be forward slashes '/'".
 */
export function nameProblem(name: string): string | null {
  if (name === '' || name === '/') return 'has an empty name';
  if (CONTROL.test(name)) return 'contains control characters';
  if (name.includes('\\')) return "uses backslashes, which Windows reads as folder separators (APPNOTE 4.4.17.1)";
  if (name.startsWith('/')) return 'is an absolute path, which points outside the archive';
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter, which points outside the archive';
  if (name.includes(':')) return "contains ':', which Windows reads as a drive or an alternate data stream";
  const segments = (isDirectoryName(name) ? name.slice(0, -1) : name).split('/');
  for (const segment of segments) {
    if (segment === '..') return "points outside the archive ('..')";
    if (segment === '.') return "has a '.' segment, which aliases its folder";
    if (segment === '') return "has an empty path segment ('//')";
    if (WINDOWS_DEVICE.test(segment.replace(/[. ]+$/, ''))) return `names the Windows device '${segment}'`;
  }
  return null;
}

/**
 * Two names a case-insensitive or normalising file system (Windows, macOS) would store as one
 * file share a key: case, Unicode normalisation (NFC/NFD), and the trailing dots and spaces
 * Windows strips all fold away. Over-folding only ever refuses; it never lets a clash through.
 */
export function nameKey(name: string): string {
  const trimmed = isDirectoryName(name) ? name.slice(0, -1) : name;
  return trimmed
    .split('/')
    .map((segment) => segment.normalize('NFC').toLowerCase().normalize('NFC').replace(/[. ]+$/, ''))
    .join('/');
}

// 4.4.15: on Unix hosts (4.4.2.2) the high 16 bits of the external attributes are st_mode.
const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/** Encryption, methods, file types and sizes that make one entry unreadable or hostile. */
export function recordFinding(record: CentralRecord): Finding | null {
  const entry = record.name;
  for (const name of new Set([record.name, record.headerName])) {
    const problem = nameProblem(name);
    if (problem !== null) return { kind: 'hostile', entry: name, detail: problem };
  }
  // 4.4.4 bit 0 encrypted, bit 6 strong encryption, bit 13 central directory encrypted.
  if ((record.flags & 0x2041) !== 0) {
    return { kind: 'unreadable', entry, detail: 'is encrypted (APPNOTE 4.4.4): Proofline archives are never encrypted; ask the sender for an unencrypted copy' };
  }
  // 4.4.5: 0 stored, 8 deflated are what every zip tool writes by default and all we read.
  if (record.method !== 0 && record.method !== 8) {
    return { kind: 'unreadable', entry, detail: `uses compression method ${record.method} (APPNOTE 4.4.5); only stored (0) and deflated (8) can be read: re-create the archive with a standard zip tool` };
  }
  const fileType = (record.externalAttributes >>> 16) & S_IFMT;
  if (fileType === S_IFLNK) {
    return { kind: 'hostile', entry, detail: 'is a symbolic link, which could point extraction outside the folder' };
  }
  if (fileType !== 0 && fileType !== S_IFREG && fileType !== S_IFDIR) {
    return { kind: 'hostile', entry, detail: `is a device, FIFO or socket (Unix mode ${fileType.toString(8)})` };
  }
  if (isDirectoryName(entry) && (record.uncompressedSize > 0 || record.compressedSize > 0)) {
    return { kind: 'hostile', entry, detail: 'is a folder but declares content' };
  }
  // 4.4.8/4.4.9: a stored entry's data is its content, so the two sizes must agree.
  if (record.method === 0 && record.compressedSize !== record.uncompressedSize) {
    return { kind: 'hostile', entry, detail: `is stored uncompressed but declares ${record.compressedSize} stored and ${record.uncompressedSize} real bytes: a forged size` };
  }
  return null;
}

/**
 * Exact duplicates, names that fold to the same file, and a name used both as a file and as a
 * folder: on extraction each lets one entry silently replace or redirect another.
 *
 * Linear in the names' total length (plus one sort): no folder prefix is ever built as a string
 * of its own, which for names nested thousands deep cost gigabytes.
 */
export function findNameClash(records: readonly CentralRecord[]): Finding | null {
  const byKey = new Map<string, string>();
  const keyed: { readonly order: string; readonly name: string; readonly index: number }[] = [];
  for (const [index, { name }] of records.entries()) {
    const key = nameKey(name);
    const earlier = byKey.get(key);
    if (earlier === name) {
      return { kind: 'hostile', entry: name, detail: 'appears twice: a second copy could replace the first' };
    }
    if (earlier !== undefined) {
      const how = earlier.normalize('NFC') === name.normalize('NFC') ? 'Unicode normalisation (NFC vs NFD)' : 'case or trailing dots';
      return { kind: 'hostile', entry: name, detail: `and ${quoteName(earlier)} name the same file on Windows and macOS (they differ only in ${how})` };
    }
    byKey.set(key, name);
    // '/' becomes U+0000, below every character a checked name may hold (nameProblem refuses
    // controls): sorted so, whatever lies inside a name's folder comes right after that name.
    keyed.push({ order: key.replaceAll('/', '\u0000'), name, index });
  }
  keyed.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
  // Of every file with something inside it, report the clash whose later entry comes first, as a
  // reader walking the directory in order would meet it.
  let clash: { readonly file: (typeof keyed)[number]; readonly inside: (typeof keyed)[number] } | undefined;
  for (const [position, file] of keyed.entries()) {
    if (isDirectoryName(file.name)) continue;
    const inside = keyed[position + 1];
    if (inside === undefined || !inside.order.startsWith(`${file.order}\u0000`)) continue;
    const later = Math.max(file.index, inside.index);
    if (clash === undefined || later < Math.max(clash.file.index, clash.inside.index)) clash = { file, inside };
  }
  if (clash === undefined) return null;
  const { file, inside } = clash;
  return inside.index > file.index
    ? { kind: 'hostile', entry: inside.name, detail: `lies inside ${quoteName(file.name)}, which is a file` }
    : { kind: 'hostile', entry: file.name, detail: `is a file, but ${quoteName(inside.name)} lies inside it` };
}

/**
 * Entries whose bytes overlap. Each local header (4.3.7: 30 fixed bytes, then the name) is
 * followed by its data, so an entry occupies at least 30 + name + compressed size bytes; the
 * "non-recursive zip bomb" (Fifield, 2019) multiplies its size by pointing many central records
 * into shared data. Extra fields and data descriptors only add bytes, so this never misfires.
 */
export function findOverlap(records: readonly CentralRecord[], centralDirectoryOffset: number): Finding | null {
  const sorted = [...records].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (const [index, record] of sorted.entries()) {
    const end = record.localHeaderOffset + 30 + record.headerNameBytes.length + record.compressedSize;
    const next = sorted[index + 1];
    if (next !== undefined && end > next.localHeaderOffset) {
      return { kind: 'hostile', entry: record.name, detail: `shares bytes with entry ${quoteName(next.name)}: overlapping entries are how a zip bomb multiplies its size` };
    }
    if (next === undefined && end > centralDirectoryOffset) {
      return { kind: 'hostile', entry: record.name, detail: 'runs into the central directory: its declared size is forged' };
    }
  }
  return null;
}

/**
 * A local header that disagrees with its central record: tools that walk local headers
 * (streaming unzippers, some forensic tools) would see another file than the one we verify.
 * 4.4.4 bit 3: the CRC and sizes are then zero here and follow the data (4.3.9); 0xFFFFFFFF
 * sizes live in the Zip64 extra field (4.5.3).
 */
export function localHeaderFinding(record: CentralRecord, local: LocalHeader): Finding | null {
  const differs = (what: string): Finding => ({
    kind: 'hostile',
    entry: record.name,
    detail: `has a local header whose ${what} differs from the central directory's, so other tools would read a different file`,
  });
  if (!Buffer.from(local.fileName).equals(record.headerNameBytes)) return differs('name');
  if (local.compressionMethod !== record.method) return differs('compression method');
  if ((local.generalPurposeBitFlag & 0x1) !== (record.flags & 0x1)) return differs('encryption flag');
  if ((local.generalPurposeBitFlag & 0x8) !== 0) return null;
  if (local.crc32 !== record.crc32) return differs('CRC-32');
  const zip64 = 0xffffffff;
  if (local.compressedSize !== zip64 && local.compressedSize !== record.compressedSize) return differs('compressed size');
  if (local.uncompressedSize !== zip64 && local.uncompressedSize !== record.uncompressedSize) return differs('size');
  return null;
}
