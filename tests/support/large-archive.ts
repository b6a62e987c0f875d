// Work large enough to cancel half-way on any machine: sessions with big attached files (their
// export takes seconds), and an archive with a multi-GB payload entry that takes seconds to
// verify yet costs no disk (its zeros are a hole in a sparse file).
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { openArchive } from '../../src/core/archive/read-zip.js';
import type { Proofline } from '../../src/core/proofline.js';
import { centralHeader, endOfDirectory, localHeader, type Fixed } from './hostile-zips.js';

/**
 * A sealed session holding `count` files of `megabytes` random bytes each, as text: the export
 * deflates them, and random bytes deflate slowly (tens of MB/s), so exporting takes a moment.
 */
export async function sealedSessionWithLargeFiles(pl: Proofline, dir: string, count = 3, megabytes = 48): Promise<string> {
  const session = await pl.sessions.create({ kind: 'creation', title: 'Large drafts' });
  const files = Array.from({ length: count }, (_, i) => {
    const file = join(dir, `draft-${i}-${randomBytes(3).toString('hex')}.txt`);
    writeFileSync(file, randomBytes(megabytes << 20));
    return file;
  });
  await pl.sessions.attach(session.id, files);
  await pl.sessions.seal(session.id);
  return session.id;
}

const ZEROS = Buffer.alloc(64 << 20);
const zeroCrcs = new Map<number, number>();

/** CRC-32 of `bytes` zero bytes (a multiple of 64 MiB), computed once per size. */
function crcOfZeros(bytes: number): number {
  let crc = zeroCrcs.get(bytes);
  if (crc === undefined) {
    crc = 0;
    for (let done = 0; done < bytes; done += ZEROS.length) crc = crc32(ZEROS, crc);
    zeroCrcs.set(bytes, crc);
  }
  return crc;
}

/**
 * `source` (a real archive) rewritten, every entry stored, with one more payload entry,
 * data/zz-large.bin: `bytes` zeros (default 3.5 GiB, under ZIP's 4 GiB without ZIP64), hashed last
 * by verify. The zeros are never written: the file has a hole there, so this is quick and small
 * on disk. Its manifest does not name the entry, so a finished verify would fail it; the tests
 * cancel before.
 */
export async function withLargeEntry(source: string, out: string, bytes = 56 * (64 << 20)): Promise<void> {
  const zip = await openArchive(source);
  const entries: { name: Buffer; data: Buffer }[] = [];
  try {
    for (const entry of zip.entries) if (!entry.isDirectory) entries.push({ name: Buffer.from(entry.name), data: await zip.readBytes(entry.name, 1 << 30) });
  } finally {
    zip.close();
  }
  const fd = openSync(out, 'wx');
  try {
    const centrals: Buffer[] = [];
    let offset = 0;
    const put = (name: Buffer, fixed: Fixed, data?: Buffer): void => {
      const header = localHeader(name, fixed);
      writeSync(fd, header, 0, header.length, offset);
      if (data) writeSync(fd, data, 0, data.length, offset + header.length);
      centrals.push(centralHeader(name, fixed, 20, 0, offset));
      offset += header.length + fixed.compressedSize;
    };
    for (const { name, data } of entries) put(name, { flags: 0x800, method: 0, crc: crc32(data), compressedSize: data.length, size: data.length }, data);
    put(Buffer.from('data/zz-large.bin'), { flags: 0x800, method: 0, crc: crcOfZeros(bytes), compressedSize: bytes, size: bytes });
    const directory = Buffer.concat(centrals);
    const end = endOfDirectory(centrals.length, directory.length, offset);
    writeSync(fd, directory, 0, directory.length, offset);
    writeSync(fd, end, 0, end.length, offset + directory.length);
  } finally {
    closeSync(fd);
  }
}
