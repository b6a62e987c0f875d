import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, hashEntry, openArchive, type EntryRead } from '../../src/core/archive/read-zip.js';
import { buildZip, hostile, type RawEntry } from '../support/hostile-zips.js';

// The verifier reads every payload entry with ZipArchive.readInOrder (large sequential reads, no
// stream per entry). It must see what the per-entry reader sees, and refuse what it refuses.

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'proofline-read-in-order-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

let cases = 0;
async function zipFile(bytes: Buffer): Promise<string> {
  const path = join(base, `case-${++cases}.zip`);
  await writeFile(path, bytes);
  return path;
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

interface Seen {
  readonly name: string;
  readonly sha256?: string;
  readonly error?: ArchiveError;
}

/** Every file entry through readInOrder, each into a SHA-256. */
async function readAll(path: string): Promise<Seen[]> {
  const archive = await openArchive(path);
  try {
    const names = archive.entries.filter((e) => !e.isDirectory).map((e) => e.name);
    let hash = createHash('sha256');
    const seen: Seen[] = [];
    const reads: AsyncGenerator<EntryRead> = archive.readInOrder(names, () => {
      hash = createHash('sha256');
      return { update: (chunk) => void hash.update(chunk) };
    });
    for await (const read of reads) seen.push(read.error ? { name: read.info.name, error: read.error } : { name: read.info.name, sha256: hash.digest('hex') });
    return seen;
  } finally {
    archive.close();
  }
}

async function refusal(bytes: Buffer): Promise<ArchiveError> {
  const caught = await readAll(await zipFile(bytes)).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(ArchiveError);
  return caught as ArchiveError;
}

describe('reading entries in the order of their bytes', () => {
  it('gives every entry the digest of its bytes, stored or deflated, small or large, in file order', async () => {
    const files: RawEntry[] = [
      { name: 'data/b-stored.bin', data: randomBytes(70_000) },
      { name: 'data/a-deflated.txt', data: Buffer.from('a cat crystal pendant\n'.repeat(5_000)), method: 8 },
      { name: 'data/empty.txt', data: Buffer.alloc(0) },
      { name: 'data/empty-deflated.txt', data: Buffer.alloc(0), method: 8 },
      // Over the inflate-at-once bound: streamed through zlib.
      { name: 'data/events.jsonl', data: Buffer.from(Array.from({ length: 120_000 }, (_, i) => `{"seq":${i},"text":"take ${i * 7919}"}\n`).join('')), method: 8 },
      // Larger than one read block: crosses blocks.
      { name: 'data/segment.mp4', data: randomBytes(9 << 20) },
      { name: 'data/中文.txt', data: Buffer.from('中文文件名\n'), method: 8 },
    ];
    const path = await zipFile(buildZip(files));
    const seen = await readAll(path);
    expect(seen.map((s) => s.name)).toEqual(files.map((f) => f.name));
    for (const [i, file] of files.entries()) expect(seen[i]).toEqual({ name: file.name, sha256: sha256(file.data!) });
    // The same as the per-entry reader, and as a whole entry in memory.
    const archive = await openArchive(path);
    try {
      for (const file of files) {
        expect((await hashEntry(archive, file.name, ['sha256'])).digests.sha256).toBe(sha256(file.data!));
        expect(sha256(await archive.readBytes(file.name, 64 << 20))).toBe(sha256(file.data!));
      }
    } finally {
      archive.close();
    }
  });

  it('names a damaged entry and goes on to the next', async () => {
    const good = randomBytes(5_000);
    const bytes = buildZip([
      { name: 'data/a.bin', data: randomBytes(5_000) },
      { name: 'data/b.bin', data: good },
      { name: 'data/c.txt', data: Buffer.from('x'.repeat(50_000)), method: 8 },
    ]);
    bytes[100] = bytes[100]! ^ 0xff; // inside data/a.bin, which is stored
    const seen = await readAll(await zipFile(bytes));
    expect(seen[0]!.error).toMatchObject({ reason: 'damaged', entry: 'data/a.bin' });
    expect(seen[0]!.error!.message).toMatch(/CRC-32/);
    expect(seen[1]).toEqual({ name: 'data/b.bin', sha256: sha256(good) });
    expect(seen[2]!.sha256).toBe(sha256(Buffer.from('x'.repeat(50_000))));
  });

  it('says an entry whose deflated bytes are corrupt is damaged', async () => {
    const bytes = buildZip([{ name: 'data/c.txt', data: Buffer.from('hello '.repeat(2_000)), method: 8 }]);
    const corrupt = Buffer.from(bytes);
    corrupt.fill(0xff, 30 + 'data/c.txt'.length, 30 + 'data/c.txt'.length + 8);
    const seen = await readAll(await zipFile(corrupt));
    expect(seen[0]!.error).toMatchObject({ reason: 'damaged', entry: 'data/c.txt' });
  });

  it('stops a zip bomb that lies about its size at its declared size', async () => {
    const started = Date.now();
    const error = await refusal(await hostile.lyingBomb());
    expect({ reason: error.reason, entry: error.entry }).toEqual({ reason: 'hostile', entry: 'data/zeros.bin' });
    expect(error.message).toMatch(/past its declared/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops an entry inflating past what both headers declare, large or small', async () => {
    const error = await refusal(hostile.lyingSize());
    expect({ reason: error.reason, entry: error.entry }).toEqual({ reason: 'hostile', entry: 'data/events.jsonl' });
    const big = Buffer.from(Array.from({ length: 400_000 }, (_, i) => `{"seq":${i},"type":"prompt"}\n`).join(''));
    const streamed = await refusal(buildZip([{ name: 'data/events.jsonl', method: 8, data: big, size: 5 << 20 }]));
    expect({ reason: streamed.reason, entry: streamed.entry }).toEqual({ reason: 'hostile', entry: 'data/events.jsonl' });
  });

  it('refuses an entry whose local header names another file', async () => {
    const error = await refusal(hostile.localNameDiffers());
    expect({ reason: error.reason, entry: error.entry }).toEqual({ reason: 'hostile', entry: 'data/ok.txt' });
    expect(error.message).toMatch(/local header/);
  });

  it('says an entry that ends short of its declared size is damaged', async () => {
    const seen = await readAll(await zipFile(buildZip([{ name: 'data/short.txt', method: 8, data: Buffer.from('short'), size: 10 }])));
    expect(seen[0]!.error).toMatchObject({ reason: 'damaged', entry: 'data/short.txt' });
  });

  it('stops between entries when cancelled', async () => {
    const path = await zipFile(buildZip(Array.from({ length: 20 }, (_, i) => ({ name: `data/${i}.bin`, data: randomBytes(1000) }))));
    const archive = await openArchive(path);
    const controller = new AbortController();
    let read = 0;
    try {
      await expect(
        (async () => {
          for await (const _ of archive.readInOrder(archive.entries.map((e) => e.name), () => ({ update: () => {} }), controller.signal)) {
            read += 1;
            if (read === 3) controller.abort();
          }
        })(),
      ).rejects.toMatchObject({ code: 'operation.cancelled' });
    } finally {
      archive.close();
    }
    expect(read).toBe(3);
  });
});
