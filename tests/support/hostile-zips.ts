/**
 * ZIP archives built byte by byte (PKWARE APPNOTE.TXT 4.3.7 local header, 4.3.12 central
 * directory header, 4.3.16 end of central directory), so a test can say exactly which field
 * lies. No ZIP64, no data descriptors: enough for every hostile shape the reader must refuse.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';

export interface RawEntry {
  readonly name: string;
  readonly data?: Buffer;
  /** 0 stored (default), 8 deflated, or anything else to test unsupported methods. */
  readonly method?: number;
  /** Already-compressed bytes; then `size` and `crc` must be given too. */
  readonly compressed?: Buffer;
  /** Declared uncompressed size in both headers (defaults to the real one). */
  readonly size?: number;
  readonly crc?: number;
  readonly flags?: number;
  /** High byte of "version made by" (4.4.2): 0 MS-DOS, 3 Unix. */
  readonly creator?: number;
  readonly unixMode?: number;
  /** The name written into the local header, when it should differ from the central one. */
  readonly localName?: string;
  /** Index of an earlier entry whose local header this central record points at. */
  readonly sharesLocalWith?: number;
}

const UTF8_NAMES = 0x800; // 4.4.4 bit 11

export function buildZip(entries: readonly RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  for (const entry of entries) {
    const data = entry.data ?? Buffer.alloc(0);
    const method = entry.method ?? 0;
    const body = entry.compressed ?? (method === 8 ? deflateRawSync(data) : data);
    const size = entry.size ?? data.length;
    const crc = entry.crc ?? crc32(data);
    const flags = (entry.flags ?? 0) | UTF8_NAMES;
    const name = Buffer.from(entry.name, 'utf8');
    const fixed = { flags, method, crc, compressedSize: body.length, size };
    let localOffset: number;
    if (entry.sharesLocalWith === undefined) {
      localOffset = offset;
      const local = Buffer.concat([localHeader(Buffer.from(entry.localName ?? entry.name, 'utf8'), fixed), body]);
      locals.push(local);
      offset += local.length;
    } else {
      localOffset = offsets[entry.sharesLocalWith] ?? 0;
    }
    offsets.push(localOffset);
    const external = entry.unixMode === undefined ? 0 : (entry.unixMode << 16) >>> 0;
    centrals.push(centralHeader(name, fixed, ((entry.creator ?? 0) << 8) | 20, external, localOffset));
  }
  const directory = Buffer.concat(centrals);
  return Buffer.concat([...locals, directory, endOfDirectory(entries.length, directory.length, offset)]);
}

export interface Fixed {
  readonly flags: number;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
}

export function localHeader(name: Buffer, f: Fixed): Buffer {
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(f.flags, 6);
  header.writeUInt16LE(f.method, 8);
  header.writeUInt16LE(0, 10);
  header.writeUInt16LE(0x5a21, 12); // 2025-01-01
  header.writeUInt32LE(f.crc >>> 0, 14);
  header.writeUInt32LE(f.compressedSize, 18);
  header.writeUInt32LE(f.size, 22);
  header.writeUInt16LE(name.length, 26);
  header.writeUInt16LE(0, 28);
  return Buffer.concat([header, name]);
}

export function centralHeader(name: Buffer, f: Fixed, madeBy: number, external: number, localOffset: number): Buffer {
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(madeBy, 4);
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(f.flags, 8);
  header.writeUInt16LE(f.method, 10);
  header.writeUInt16LE(0, 12);
  header.writeUInt16LE(0x5a21, 14);
  header.writeUInt32LE(f.crc >>> 0, 16);
  header.writeUInt32LE(f.compressedSize, 20);
  header.writeUInt32LE(f.size, 24);
  header.writeUInt16LE(name.length, 28);
  header.writeUInt32LE(external, 38);
  header.writeUInt32LE(localOffset, 42);
  return Buffer.concat([header, name]);
}

export function endOfDirectory(count: number, size: number, offset: number): Buffer {
  const record = Buffer.alloc(22);
  record.writeUInt32LE(0x06054b50, 0);
  record.writeUInt16LE(count, 8);
  record.writeUInt16LE(count, 10);
  record.writeUInt32LE(size, 12);
  record.writeUInt32LE(offset, 16);
  return record;
}

const ok = (name = 'data/ok.txt'): RawEntry => ({ name, data: Buffer.from('an honest file\n') });

export interface ZipBomb {
  readonly compressed: Buffer;
  readonly size: number;
  readonly crc: number;
}

let bomb: Promise<ZipBomb> | undefined;

/** `megabytes` MiB of zeros, deflated as a stream (about 1030:1) without holding them whole. */
export function zerosDeflated(megabytes = 200): Promise<ZipBomb> {
  bomb ??= new Promise((resolve, reject) => {
    const zeros = Buffer.alloc(1 << 20);
    const deflate = createDeflateRaw({ level: 9 });
    const chunks: Buffer[] = [];
    let crc = 0;
    deflate.on('data', (chunk: Buffer) => chunks.push(chunk));
    deflate.on('error', reject);
    deflate.on('end', () => resolve({ compressed: Buffer.concat(chunks), size: megabytes << 20, crc }));
    for (let i = 0; i < megabytes; i += 1) {
      crc = crc32(zeros, crc);
      deflate.write(zeros);
    }
    deflate.end();
  });
  return bomb;
}

/** Every hostile archive by name, with the entry the reader must name in its refusal. */
export const hostile = {
  zipSlip: () => buildZip([ok(), { name: '../proofline-slip.txt', data: Buffer.from('escaped\n') }]),
  deepSlip: () => buildZip([{ name: 'data/../../../proofline-slip.txt', data: Buffer.from('escaped\n') }]),
  absolute: () => buildZip([ok(), { name: '/etc/x', data: Buffer.from('root\n') }]),
  driveLetter: () => buildZip([{ name: 'C:/Windows/x.txt', data: Buffer.from('x') }]),
  backslash: () => buildZip([{ name: '..\\proofline-slip.txt', data: Buffer.from('x') }]),
  duplicate: () => buildZip([ok(), { name: 'data/ok.txt', data: Buffer.from('the second copy\n') }]),
  caseAlias: () => buildZip([ok('data/Report.txt'), ok('data/report.TXT')]),
  unicodeAlias: () => buildZip([ok('data/caf\u00e9.txt'), ok('data/cafe\u0301.txt')]),
  fileAsFolder: () => buildZip([ok('data/a'), ok('data/a/b.txt')]),
  craftedSymlink: () =>
    buildZip([ok(), { name: 'data/link', data: Buffer.from('/etc/passwd'), creator: 3, unixMode: 0o120777 }]),
  encrypted: () => buildZip([{ name: 'data/secret.txt', data: Buffer.from('xxxxxxxxxxxx'), flags: 0x1 }]),
  bzip2: () => buildZip([{ name: 'data/a.txt', data: Buffer.from('x'), method: 12 }]),
  overlapping: () =>
    buildZip([
      { name: 'data/a.txt', data: Buffer.alloc(4096, 0x61), method: 8 },
      { name: 'data/b.txt', data: Buffer.alloc(4096, 0x61), method: 8, sharesLocalWith: 0 },
    ]),
  localNameDiffers: () => buildZip([{ ...ok(), localName: '../proofline-slip.txt' }]),
  storedSizeForged: () => buildZip([{ name: 'data/a.txt', data: Buffer.alloc(100, 0x61), method: 0, size: 10 }]),
  honestBomb: async () => {
    const z = await zerosDeflated();
    return buildZip([ok(), { name: 'data/zeros.bin', method: 8, compressed: z.compressed, size: z.size, crc: z.crc }]);
  },
  /** The same bomb declaring 64 KiB: passes every declared check, so only streaming can catch it. */
  lyingBomb: async () => {
    const z = await zerosDeflated();
    return buildZip([{ name: 'data/zeros.bin', method: 8, compressed: z.compressed, size: 64 << 10, crc: z.crc }]);
  },
  /** 1 MiB of JSON lines declaring 1000 bytes in both headers. */
  lyingSize: () => {
    const text = Buffer.from(Array.from({ length: 12_000 }, (_, i) => `{"seq":${i},"type":"prompt","text":"a cat ${i * 7919}"}\n`).join(''));
    return buildZip([{ name: 'data/events.jsonl', method: 8, data: text, size: 1000 }]);
  },
} as const;

/**
 * About 768 KiB of central directory whose names are each ~64 KiB of one-letter folders
 * (`0/a/a/…/a/f`, 32,760 deep), every one under its own top folder so no prefix is shared. A
 * reader that keeps every folder prefix as a string needs gigabytes (32,760 prefixes averaging
 * 32 KiB, per entry). The local headers carry a short name so the file stays small.
 */
export function deepNamesZip(entries = 12, depth = 32_760): Buffer {
  const deep = 'a/'.repeat(depth);
  return buildZip(Array.from({ length: entries }, (_, i) => ({ name: `${i.toString(36)}/${deep}f`, localName: `f${i}`, data: Buffer.from('x') })));
}

/**
 * `count` ordinary entries (`data/artifacts/<folder>/<sha-like name>.png`, a few bytes each)
 * spread over a few hundred folders: the most entries an archive may have, and nothing hostile.
 */
export function manyEntriesZip(count = 100_000): Buffer {
  const body = Buffer.from('x');
  const crc = crc32(body);
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (let i = 0; i < count; i += 1) {
    const name = Buffer.from(`data/artifacts/${(i % 512).toString(16).padStart(3, '0')}/${i.toString(16).padStart(60, '0')}.png`, 'utf8');
    const fixed = { flags: UTF8_NAMES, method: 0, crc, compressedSize: 1, size: 1 };
    const local = Buffer.concat([localHeader(name, fixed), body]);
    centrals.push(centralHeader(name, fixed, 20, 0, offset));
    locals.push(local);
    offset += local.length;
  }
  const directory = Buffer.concat(centrals);
  return Buffer.concat([...locals, directory, ...zip64EndOfDirectory(count, directory.length, offset)]);
}

/** Over 65,535 entries the count lives in the Zip64 end of central directory (4.3.14, 4.3.15). */
function zip64EndOfDirectory(count: number, size: number, offset: number): Buffer[] {
  const record = Buffer.alloc(56);
  record.writeUInt32LE(0x06064b50, 0);
  record.writeBigUInt64LE(44n, 4);
  record.writeUInt16LE(45, 12);
  record.writeUInt16LE(45, 14);
  record.writeBigUInt64LE(BigInt(count), 24);
  record.writeBigUInt64LE(BigInt(count), 32);
  record.writeBigUInt64LE(BigInt(size), 40);
  record.writeBigUInt64LE(BigInt(offset), 48);
  const locator = Buffer.alloc(20);
  locator.writeUInt32LE(0x07064b50, 0);
  locator.writeBigUInt64LE(BigInt(offset + size), 8);
  locator.writeUInt32LE(1, 16);
  return [record, locator, endOfDirectory(0xffff, size, offset)];
}

/** A symlink stored the way Info-ZIP stores one (`zip -y`), or crafted if `zip` is missing. */
export function symlinkZip(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'proofline-zip-y-'));
  try {
    writeFileSync(join(dir, 'ok.txt'), 'an honest file\n');
    symlinkSync('/etc/passwd', join(dir, 'link'));
    execFileSync('zip', ['-q', '-y', join(dir, 'out.zip'), 'ok.txt', 'link'], { cwd: dir });
    return readFileSync(join(dir, 'out.zip'));
  } catch {
    return hostile.craftedSymlink();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A minimal PNG signature and IHDR: a real image file, not a ZIP. */
export const PNG_BYTES = Buffer.from(
  '89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000a49444154789c6300010000050001' + '0d0a2db40000000049454e44ae426082',
  'hex',
);
