import archiver from 'archiver';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveInside } from '../../src/core/archive/extract-zip.js';
import { ArchiveError, hashEntry, openArchive, type ZipArchive } from '../../src/core/archive/read-zip.js';
import type { ZipLimits } from '../../src/core/archive/zip-limits.js';
import { buildZip, deepNamesZip, hostile, manyEntriesZip, PNG_BYTES, symlinkZip } from '../support/hostile-zips.js';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'proofline-read-zip-'));
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

const hasZipTool = (() => {
  try {
    execFileSync('zip', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** A fresh folder holding `archive.zip` and an empty extraction target `out/`. */
async function workspace(bytes: Buffer): Promise<{ work: string; zip: string; out: string }> {
  const work = await mkdtemp(join(base, 'case-'));
  const zip = join(work, 'archive.zip');
  const out = join(work, 'out');
  await writeFile(zip, bytes);
  await mkdir(out);
  return { work, zip, out };
}

async function listing(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const sm3 = (data: Buffer): string => createHash('sm3').update(data).digest('hex');

async function writeWithArchiver(path: string, build: (zip: archiver.Archiver) => void): Promise<void> {
  const zip = archiver('zip', { zlib: { level: 6 } });
  const done = new Promise<void>((resolve, reject) => {
    const out = createWriteStream(path);
    out.on('close', resolve);
    zip.on('error', reject);
    zip.pipe(out);
  });
  build(zip);
  await zip.finalize();
  await done;
}

describe('an honest archive', () => {
  const files = {
    'bagit.txt': Buffer.from('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n'),
    'data/events.jsonl': Buffer.from(
      Array.from({ length: 40_000 }, (_, i) => JSON.stringify({ seq: i, type: 'prompt', text: `a cat, take ${i}`, seed: (i * 2654435761) % 2 ** 32 })).join('\n'),
    ),
    'data/recording/segment-0001.mp4': randomBytes(300_000),
    'data/empty.txt': Buffer.alloc(0),
    'data/证据/说明.txt': Buffer.from('中文文件名\n'),
  } as const;
  let zipPath: string;
  let archive: ZipArchive;

  beforeAll(async () => {
    zipPath = join(base, 'honest.zip');
    await writeWithArchiver(zipPath, (zip) => {
      for (const [name, data] of Object.entries(files)) {
        // Media is stored, text deflated, as the archive writer does (DESIGN.md).
        zip.append(data, { name, store: name.endsWith('.mp4') });
      }
      zip.append('', { name: 'proofline/' });
    });
    archive = await openArchive(zipPath);
  });
  afterAll(() => archive.close());

  it('lists every entry with its declared size and method', () => {
    const byName = new Map(archive.entries.map((entry) => [entry.name, entry]));
    for (const [name, data] of Object.entries(files)) {
      expect(byName.get(name)).toMatchObject({ size: data.length, isDirectory: false });
    }
    expect(byName.get('data/recording/segment-0001.mp4')?.method).toBe(0);
    expect(byName.get('data/events.jsonl')?.method).toBe(8);
    expect(byName.get('proofline/')?.isDirectory).toBe(true);
  });

  it('accepts a deflated events.jsonl over 1 MiB, which compresses well but is no bomb', () => {
    const events = archive.entries.find((entry) => entry.name === 'data/events.jsonl');
    expect(events!.size).toBeGreaterThan(1 << 20);
    expect(events!.size / events!.compressedSize).toBeGreaterThan(3);
  });

  it('streams each entry through SHA-256 and SM3 with the digests of the original bytes', async () => {
    for (const [name, data] of Object.entries(files)) {
      const result = await hashEntry(archive, name, ['sha256', 'sm3']);
      expect(result).toEqual({ size: data.length, digests: { sha256: sha256(data), sm3: sm3(data) } });
    }
  });

  it('reads a small tag file as text and refuses one larger than asked', async () => {
    expect(await archive.readText('bagit.txt', 4096)).toBe(files['bagit.txt'].toString());
    await expect(archive.readText('data/events.jsonl', 64 * 1024)).rejects.toMatchObject({ reason: 'hostile', entry: 'data/events.jsonl' });
  });

  it('says which entry is missing', async () => {
    await expect(archive.openStream('manifest-sha256.txt')).rejects.toMatchObject({ reason: 'missing', entry: 'manifest-sha256.txt' });
  });

  it('extracts under the given folder only, byte for byte', async () => {
    const { work, out } = await workspace(Buffer.alloc(0));
    const before = await listing(work);
    await archive.extractTo(out);
    // Compare digests: vitest's deep equality on a 2 MB Buffer takes seconds.
    for (const [name, data] of Object.entries(files)) expect(sha256(await readFile(join(out, name)))).toBe(sha256(data));
    expect((await listing(work)).filter((path) => !path.startsWith('out'))).toEqual(before.filter((path) => !path.startsWith('out')));
  });

  it('never overwrites a file already in the target folder, and removes what it wrote', async () => {
    const { out } = await workspace(Buffer.alloc(0));
    await mkdir(join(out, 'data'));
    await writeFile(join(out, 'data', 'events.jsonl'), 'mine');
    await expect(archive.extractTo(out)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(await listing(out)).toEqual(['data', 'data/events.jsonl']);
    expect(await readFile(join(out, 'data', 'events.jsonl'), 'utf8')).toBe('mine');
  });
});

describe.runIf(hasZipTool)('an archive written by Info-ZIP zip', () => {
  it('opens and extracts like the original folder', async () => {
    const src = await mkdtemp(join(base, 'zip-src-'));
    await mkdir(join(src, 'data', 'nested'), { recursive: true });
    await writeFile(join(src, 'data', 'nested', 'a.txt'), 'hello\n'.repeat(1000));
    await writeFile(join(src, 'bagit.txt'), 'BagIt-Version: 1.0\n');
    const zipPath = join(base, 'infozip.zip');
    execFileSync('zip', ['-q', '-r', zipPath, 'bagit.txt', 'data'], { cwd: src });
    const archive = await openArchive(zipPath);
    const { out } = await workspace(Buffer.alloc(0));
    await archive.extractTo(out);
    archive.close();
    expect(await readFile(join(out, 'data', 'nested', 'a.txt'), 'utf8')).toBe('hello\n'.repeat(1000));
  });
});

interface Expected {
  readonly kind: ArchiveError['kind'];
  /** The entry the refusal must name; omitted when the archive as a whole is at fault. */
  readonly entry?: string;
  readonly limits?: Partial<ZipLimits>;
}

/**
 * Opens the archive and, if it opens, hashes and extracts every entry; asserts the refusal and
 * that the folder around the extraction target is exactly as it was.
 */
async function expectRefused(bytes: Buffer, expected: Expected): Promise<ArchiveError> {
  const { work, zip, out } = await workspace(bytes);
  const before = await listing(work);
  let caught: unknown;
  let archive: ZipArchive | undefined;
  try {
    archive = await openArchive(zip, expected.limits);
    for (const entry of archive.entries) await hashEntry(archive, entry.name, ['sha256']);
    await archive.extractTo(out);
  } catch (error) {
    caught = error;
  } finally {
    archive?.close();
  }
  expect(caught).toBeInstanceOf(ArchiveError);
  const error = caught as ArchiveError;
  expect({ kind: error.reason, entry: error.entry }).toEqual({ kind: expected.kind, entry: expected.entry });
  if (expected.entry !== undefined) expect(error.message).toContain(`'${expected.entry}'`);
  expect(await listing(work)).toEqual(before);
  expect(await readdir(out)).toEqual([]);
  expect(existsSync(join(tmpdir(), 'proofline-slip.txt'))).toBe(false);
  return error;
}

describe('a hostile archive', () => {
  it('refuses an entry that climbs out with ../, before extracting anything', async () => {
    const error = await expectRefused(hostile.zipSlip(), { kind: 'hostile', entry: '../proofline-slip.txt' });
    expect(error.message).toBe("archive entry '../proofline-slip.txt' points outside the archive ('..'): refused; nothing was extracted");
  });

  it('refuses ../ hidden deeper in the path', async () => {
    await expectRefused(hostile.deepSlip(), { kind: 'hostile', entry: 'data/../../../proofline-slip.txt' });
  });

  it('refuses an absolute path', async () => {
    const error = await expectRefused(hostile.absolute(), { kind: 'hostile', entry: '/etc/x' });
    expect(error.message).toMatch(/absolute path/);
  });

  it('refuses a drive letter and a backslash path', async () => {
    await expectRefused(hostile.driveLetter(), { kind: 'hostile', entry: 'C:/Windows/x.txt' });
    const error = await expectRefused(hostile.backslash(), { kind: 'hostile', entry: '..\\proofline-slip.txt' });
    expect(error.message).toMatch(/backslash/);
  });

  it('refuses a name that appears twice', async () => {
    await expectRefused(hostile.duplicate(), { kind: 'hostile', entry: 'data/ok.txt' });
  });

  it('refuses names that differ only in case or Unicode normalisation', async () => {
    const byCase = await expectRefused(hostile.caseAlias(), { kind: 'hostile', entry: 'data/report.TXT' });
    expect(byCase.message).toContain("'data/Report.txt'");
    await expectRefused(hostile.unicodeAlias(), { kind: 'hostile', entry: 'data/cafe\u0301.txt' });
  });

  it('refuses a name used both as a file and as a folder', async () => {
    await expectRefused(hostile.fileAsFolder(), { kind: 'hostile', entry: 'data/a/b.txt' });
  });

  it('refuses a symbolic link stored by zip -y', async () => {
    const error = await expectRefused(symlinkZip(), { kind: 'hostile', entry: hasZipTool ? 'link' : 'data/link' });
    expect(error.message).toMatch(/symbolic link/);
  });

  it('refuses a crafted symlink entry', async () => {
    await expectRefused(hostile.craftedSymlink(), { kind: 'hostile', entry: 'data/link' });
  });

  it('refuses a zip bomb by its declared ratio, before inflating a byte', async () => {
    const started = Date.now();
    const error = await expectRefused(await hostile.honestBomb(), { kind: 'hostile', entry: 'data/zeros.bin' });
    expect(error.message).toMatch(/zip bomb/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('stops a zip bomb that lies about its size as soon as it passes the declared size', async () => {
    const { zip } = await workspace(await hostile.lyingBomb());
    const archive = await openArchive(zip);
    const started = Date.now();
    let received = 0;
    const reading = (async () => {
      for await (const chunk of await archive.openStream('data/zeros.bin')) received += (chunk as Buffer).length;
    })();
    await expect(reading).rejects.toMatchObject({ reason: 'hostile', entry: 'data/zeros.bin' });
    archive.close();
    expect(received).toBeLessThanOrEqual(64 << 10);
    expect(Date.now() - started).toBeLessThan(1000);
    await expectRefused(await hostile.lyingBomb(), { kind: 'hostile', entry: 'data/zeros.bin' });
  });

  it('refuses an entry whose real content is longer than both headers declare', async () => {
    const error = await expectRefused(hostile.lyingSize(), { kind: 'hostile', entry: 'data/events.jsonl' });
    expect(error.message).toMatch(/past its declared 1000 bytes/);
  });

  it('refuses a stored entry whose two sizes disagree', async () => {
    await expectRefused(hostile.storedSizeForged(), { kind: 'hostile', entry: 'data/a.txt' });
  });

  it('refuses entries that share bytes (the overlapping zip bomb)', async () => {
    await expectRefused(hostile.overlapping(), { kind: 'hostile', entry: 'data/a.txt' });
  });

  it('refuses an entry whose local header names another file', async () => {
    const error = await expectRefused(hostile.localNameDiffers(), { kind: 'hostile', entry: 'data/ok.txt' });
    expect(error.message).toMatch(/local header/);
  });

  it('refuses more entries, or a bigger entry, than the limits allow', async () => {
    await expectRefused(hostile.duplicate(), { kind: 'hostile', limits: { maxEntries: 1 } });
    await expectRefused(hostile.lyingSize(), { kind: 'hostile', entry: 'data/events.jsonl', limits: { maxEntryUncompressed: 999 } });
  });
});

describe('a central directory built to exhaust the reader', () => {
  const file = (name: string) => ({ name, data: Buffer.from('x') });

  /** The refusal of opening `bytes`; names this long are compared, never printed whole. */
  async function refusalOf(bytes: Buffer, limits?: Partial<ZipLimits>): Promise<ArchiveError> {
    const { zip } = await workspace(bytes);
    const error = await openArchive(zip, limits).then(
      (archive) => (archive.close(), undefined),
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ArchiveError);
    return error as ArchiveError;
  }

  it('refuses names nested 32,000 deep, naming the entry and why', async () => {
    const error = await refusalOf(deepNamesZip());
    expect(error.reason).toBe('hostile');
    expect(error.entry === `0/${'a/'.repeat(32_760)}f`).toBe(true);
    expect(error.message).toMatch(/^archive entry '0\/a\/a\/.*…' has a name 65523 bytes long, over the 4096 allowed .*: refused; nothing was extracted$/);
    expect(error.message.length).toBeLessThan(600);
  });

  it('checks file/folder clashes in linear time even when long names are allowed', async () => {
    // With the name limit lifted the names reach the clash check, which keeps no folder prefix;
    // they are then refused for their local headers (short names, where the directory says 64 KiB).
    const error = await refusalOf(deepNamesZip(), { maxNameBytes: 65_535 });
    expect(error.reason).toBe('hostile');
    expect(error.message).toMatch(/shares bytes with entry|local header/);
  });

  it('refuses names longer in all than the limit allows', async () => {
    const error = await expectRefused(buildZip([file('data/a.txt'), file('data/b.txt'), file('data/c.txt')]), { kind: 'hostile', limits: { maxTotalNameBytes: 25 } });
    expect(error.message).toMatch(/entry names over 25 bytes long in all/);
  });

  it('finds a file used as a folder whichever comes first, past names that sort between them', async () => {
    await expectRefused(buildZip([file('data/a'), file('data/a-b.txt'), file('data/a.txt'), file('data/a/b.txt')]), { kind: 'hostile', entry: 'data/a/b.txt' });
    const error = await expectRefused(buildZip([file('data/A/b/c.txt'), file('data/a-b.txt'), file('data/a./b')]), { kind: 'hostile', entry: 'data/a./b' });
    expect(error.message).toContain("'data/A/b/c.txt' lies inside it");
    const { zip } = await workspace(buildZip([{ name: 'data/a/' }, file('data/a-b/c.txt'), file('data/a.txt'), file('data/a b.txt'), file('data/a/b.txt')]));
    const archive = await openArchive(zip);
    expect(archive.entries).toHaveLength(5);
    archive.close();
  });

  it('opens 100,000 ordinary entries', async () => {
    const { zip } = await workspace(manyEntriesZip());
    const archive = await openArchive(zip);
    try {
      expect(archive.entries).toHaveLength(100_000);
      const last = archive.entries.at(-1)!;
      expect((await archive.readBytes(last.name, 16)).toString()).toBe('x');
    } finally {
      archive.close();
    }
  }, 60_000);
});

describe('an archive that cannot be read', () => {
  let honest: Buffer;
  beforeAll(async () => {
    const path = join(base, 'to-damage.zip');
    await writeWithArchiver(path, (zip) => {
      zip.append(randomBytes(50_000), { name: 'data/a.bin', store: true });
      zip.append('x'.repeat(50_000), { name: 'data/b.txt' });
    });
    honest = await readFile(path);
  });

  it('says a file cut in half was cut short', async () => {
    const error = await expectRefused(honest.subarray(0, honest.length >> 1), { kind: 'truncated' });
    expect(error.message).toMatch(/cut short/);
  });

  it('says a file missing only its last bytes was cut short', async () => {
    await expectRefused(honest.subarray(0, honest.length - 5), { kind: 'truncated' });
  });

  it('says an entry whose stored bytes changed fails its CRC-32', async () => {
    const damaged = Buffer.from(honest);
    damaged[100] = damaged[100]! ^ 0xff; // inside data/a.bin, which is stored
    const error = await expectRefused(damaged, { kind: 'damaged', entry: 'data/a.bin' });
    expect(error.message).toMatch(/CRC-32/);
  });

  it('says a PNG, a text file and an empty file are not ZIP archives', async () => {
    const png = await expectRefused(PNG_BYTES, { kind: 'not-zip' });
    expect(png.message).toMatch(/not a ZIP archive \(it begins with bytes 89 50 4e 47/);
    await expectRefused(Buffer.from('BagIt-Version: 1.0\n'), { kind: 'not-zip' });
    const empty = await expectRefused(Buffer.alloc(0), { kind: 'not-zip' });
    expect(empty.message).toMatch(/is empty/);
  });

  it('says an encrypted entry or an unknown compression method cannot be read', async () => {
    const encrypted = await expectRefused(hostile.encrypted(), { kind: 'unreadable', entry: 'data/secret.txt' });
    expect(encrypted.message).toMatch(/encrypted/);
    await expectRefused(hostile.bzip2(), { kind: 'unreadable', entry: 'data/a.txt' });
  });

  it('says a path that does not exist cannot be opened', async () => {
    await expect(openArchive(join(base, 'nowhere.zip'))).rejects.toMatchObject({ reason: 'unreadable' });
  });
});

describe('resolveInside, the second lock', () => {
  it('refuses what path.resolve would place outside the folder', () => {
    const root = join(base, 'root');
    expect(resolveInside(root, 'data/a.txt')).toBe(join(root, 'data', 'a.txt'));
    expect(resolveInside(root, 'data/..foo')).toBe(join(root, 'data', '..foo'));
    for (const name of ['../x', 'a/../../x', '/etc/passwd', '..', '']) {
      expect(() => resolveInside(root, name)).toThrow(ArchiveError);
    }
  });
});
