// The export's ZIP writer read back by other tools: Info-ZIP's unzip (as a lawyer would) and
// yauzl, entry by entry, whatever way each entry was written.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { afterAll, describe, expect, it } from 'vitest';
import { ZipMethod, ZipWriter } from '../../src/core/archive/zip-writer.js';

const root = mkdtempSync(join(tmpdir(), 'proofline-zip-writer-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function write(name: string, build: (zip: ZipWriter) => void, bufferBytes?: number): string {
  const path = join(root, name);
  const fd = openSync(path, 'wx');
  try {
    const zip = new ZipWriter(fd, new Date('2026-11-30T10:00:00Z'), bufferBytes);
    build(zip);
    zip.finish();
  } finally {
    closeSync(fd);
  }
  return path;
}

/** Every entry's name, method and content, as yauzl reads them (CRC-32 checked on the way). */
function readAll(path: string): Promise<Map<string, { method: number; content: Buffer }>> {
  return new Promise((resolve, reject) => {
    const entries = new Map<string, { method: number; content: Buffer }>();
    yauzl.open(path, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (error, zip) => {
      if (error) return reject(error);
      zip.on('error', reject);
      zip.on('end', () => resolve(entries));
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (openError, stream) => {
          if (openError) return reject(openError);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('error', reject);
          stream.on('end', () => {
            entries.set(entry.fileName, { method: entry.compressionMethod, content: Buffer.concat(chunks) });
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

describe('the export ZIP writer', () => {
  it('writes stored, deflated and piecewise entries that unzip and yauzl read back exactly', async () => {
    const small = randomBytes(2048);
    const text = Buffer.from('line of text\n'.repeat(500));
    const big = randomBytes(3 << 20);
    const bigText = Buffer.from('a longer text, deflated in pieces\n'.repeat(200_000));
    // A 1 MiB buffer: the big entries pass it, so their headers are completed in the file.
    const path = write(
      'mixed.zip',
      (zip) => {
        zip.addWhole('data/small.png', ZipMethod.Stored, small, crc32(small), small.length);
        zip.addWhole('data/text.txt', ZipMethod.Deflated, deflateRawSync(text), crc32(text), text.length);
        zip.addStoredFrom('data/read-in-place.bin', small.length, (into) => small.copy(into), (content) => expect(content.equals(small)).toBe(true));
        const stored = zip.begin('data/big.mp4', ZipMethod.Stored, big.length);
        for (let at = 0; at < big.length; at += 1 << 18) stored.write(big.subarray(at, at + (1 << 18)));
        stored.end(crc32(big), big.length);
        const deflated = deflateRawSync(bigText);
        const piece = zip.begin('data/big.txt', ZipMethod.Deflated, bigText.length);
        for (let at = 0; at < deflated.length; at += 1000) piece.write(deflated.subarray(at, at + 1000));
        piece.end(crc32(bigText), bigText.length);
        zip.addWhole('data/名前.txt', ZipMethod.Stored, text, crc32(text), text.length);
      },
      1 << 20,
    );
    execFileSync('unzip', ['-tq', path]);
    const listing = execFileSync('unzip', ['-v', path], { encoding: 'utf8' });
    expect(listing).toMatch(/Stored.*data\/small\.png/);
    expect(listing).toMatch(/Defl:N.*data\/text\.txt/);
    const entries = await readAll(path);
    expect([...entries.keys()]).toEqual(['data/small.png', 'data/text.txt', 'data/read-in-place.bin', 'data/big.mp4', 'data/big.txt', 'data/名前.txt']);
    expect(entries.get('data/small.png')!.content.equals(small)).toBe(true);
    expect(entries.get('data/text.txt')!.content.equals(text)).toBe(true);
    expect(entries.get('data/text.txt')!.method).toBe(8);
    expect(entries.get('data/read-in-place.bin')!.content.equals(small)).toBe(true);
    expect(entries.get('data/big.mp4')!.content.equals(big)).toBe(true);
    expect(entries.get('data/big.txt')!.content.equals(bigText)).toBe(true);
    expect(entries.get('data/名前.txt')!.content.equals(text)).toBe(true);
  });

  it('gives an entry that may pass 4 GiB ZIP64 sizes in its local header', async () => {
    const content = randomBytes(1000);
    const path = write('zip64-local.zip', (zip) => {
      const entry = zip.begin('data/huge.mp4', ZipMethod.Stored, 0xf0000000);
      entry.write(content);
      entry.end(crc32(content), content.length);
    });
    execFileSync('unzip', ['-tq', path]);
    expect((await readAll(path)).get('data/huge.mp4')!.content.equals(content)).toBe(true);
  });

  it('writes the ZIP64 end records for more than 65,535 entries', async () => {
    const one = Buffer.from('x');
    const count = 70_000;
    const path = write('many.zip', (zip) => {
      for (let i = 0; i < count; i++) zip.addWhole(`data/${i}.txt`, ZipMethod.Stored, one, crc32(one), 1);
    });
    execFileSync('unzip', ['-tq', path]);
    const entryCount = await new Promise<number>((resolve, reject) =>
      yauzl.open(path, { lazyEntries: true }, (error, zip) => (error ? reject(error) : (resolve(zip.entryCount), zip.close()))),
    );
    expect(entryCount).toBe(count);
  });
});
