// Adding (or replacing) one entry of a sealed archive without touching any other: every entry's
// stored bytes (deflated or not) are copied as they are, each checked against its CRC-32 and
// size on the way, into a temporary file beside the archive; the new entry follows; the file is
// fsynced and renamed over the original, and the folder fsynced. A process killed at any point
// leaves the original whole (at worst a `.<name>.renew-<pid>.tmp` beside it); rename(2) is atomic
// within a file system, so no reader ever sees a half-written archive.

import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import { createInflateRaw, crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { throwIfCancelled } from '../errors.js';
import { ArchiveError, openArchive } from './read-zip.js';
import { ZipMethod, ZipWriter, type OpenEntry } from './zip-writer.js';

export interface AddEntryOptions {
  readonly signal?: AbortSignal;
}

/** Writes `path` again with `name` holding `content` (added, or replacing an entry of that name). */
export async function addZipEntry(path: string, name: string, content: Buffer, options: AddEntryOptions = {}): Promise<void> {
  // The checked reader first: a hostile or damaged archive is refused before anything is written.
  (await openArchive(path)).close();
  const zip = await yauzl.openPromise(path, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: true });
  const temp = join(dirname(path), `.${basename(path)}.renew-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', statSync(path).mode & 0o777);
  let done = false;
  try {
    let writer: ZipWriter | undefined;
    let copied = 0;
    for await (const entry of zip.eachEntry()) {
      throwIfCancelled(options.signal, `Renewing ${path} was cancelled: the archive was not changed.`, { path });
      // One modification time for every entry, the archive's own (ZipWriter writes one date).
      writer ??= new ZipWriter(fd, entry.getLastModDate());
      if (entry.fileName === name) continue;
      await copyEntry(zip, entry, writer.begin(entry.fileName, entry.compressionMethod as ZipMethod, entry.uncompressedSize), path);
      copied++;
    }
    writer ??= new ZipWriter(fd, new Date());
    writer.addWhole(name, ZipMethod.Stored, content, crc32(content), content.length);
    writer.finish();
    fsyncSync(fd);
    closeSync(fd);
    done = true;
    // Read back before it replaces anything: every entry there, the new one as written.
    const check = await openArchive(temp);
    try {
      const back = await check.readBytes(name, content.length);
      if (check.entries.length !== copied + 1 || !back.equals(content)) throw new ArchiveError('damaged', `the rewritten archive ${temp} does not read back as written`);
    } finally {
      check.close();
    }
    renameSync(temp, path);
    syncFolder(dirname(path));
  } catch (error) {
    if (!done) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw error;
  } finally {
    zip.close();
  }
}

/** Copies an entry's stored bytes and checks that they inflate to its CRC-32 and size. */
async function copyEntry(zip: ZipFile, entry: Entry, out: OpenEntry, path: string): Promise<void> {
  const method = entry.compressionMethod;
  if (method !== ZipMethod.Stored && method !== ZipMethod.Deflated) throw new ArchiveError('unreadable', `archive entry ${entry.fileName} in ${path} uses compression method ${method}`, entry.fileName);
  const raw = await zip.openReadStreamPromise(entry, { decodeFileData: false });
  let crc = 0;
  let size = 0;
  const count = (chunk: Buffer): void => {
    crc = crc32(chunk, crc);
    size += chunk.length;
  };
  const inflater = method === ZipMethod.Deflated ? createInflateRaw() : undefined;
  inflater?.on('data', count);
  const inflated = inflater ? once(inflater, 'end') : undefined;
  inflated?.catch(() => undefined); // awaited below; a bad stream rejects it before then
  for await (const chunk of raw as AsyncIterable<Buffer>) {
    out.write(chunk);
    if (!inflater) count(chunk);
    else if (!inflater.write(chunk)) await once(inflater, 'drain');
  }
  if (inflater) {
    inflater.end();
    await inflated;
  }
  if ((crc >>> 0) !== (entry.crc32 >>> 0) || size !== entry.uncompressedSize) {
    throw new ArchiveError('damaged', `archive entry ${entry.fileName} in ${path} does not match its CRC-32 or size: the archive is damaged and was not changed`, entry.fileName);
  }
  out.end(entry.crc32, entry.uncompressedSize);
}

/** rename(2) is durable only once the folder holding the name is on disk. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems (and Windows) refuse to open or fsync a folder; the rename stands.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
