import type { Statement } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Database } from './database.js';
import { fsyncPathAsync } from './fsync.js';
import { createHasher, SHA256_HEX, type Digests } from './hashing.js';
import { ProoflineError } from '../errors.js';

export interface StoredBlob extends Digests {
  /** False when an identical file was already stored: content-addressing stores it once. */
  readonly isNew: boolean;
}

/**
 * Files stored once under their SHA-256: `blobs/ab/abcdef…`. Written to a temporary name,
 * fsynced, then renamed, so a crash leaves either the whole file or no file under the hash.
 */
export class BlobStore {
  private readonly tmpDir: string;
  private byHash: Statement | undefined;

  constructor(
    private readonly root: string,
    private readonly db: Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.tmpDir = join(root, 'tmp');
    mkdirSync(this.tmpDir, { recursive: true });
  }

  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new ProoflineError('blob.bad-digest', `Not a SHA-256 hex digest: '${sha256}'`, { sha256 });
    return join(this.root, sha256.slice(0, 2), sha256);
  }

  has(sha256: string): boolean {
    return this.db.prepare('SELECT 1 FROM blobs WHERE sha256 = ?').get(sha256) !== undefined;
  }

  get(sha256: string): Digests | undefined {
    // Prepared once: a bag of 20,000 small files asks 20,000 times (~6 µs a prepare).
    this.byHash ??= this.db.prepare('SELECT sha256, sm3, size FROM blobs WHERE sha256 = ?');
    return this.byHash.get(sha256) as Digests | undefined;
  }

  /** Streams a file in, hashing as it copies: never holds the file in memory. */
  async putFile(sourcePath: string): Promise<StoredBlob> {
    try {
      const info = await stat(sourcePath);
      if (!info.isFile()) throw new Error('not a regular file');
    } catch (error) {
      throw new ProoflineError('file.unreadable', `Cannot read ${sourcePath}: ${(error as Error).message}. Check the path and try again.`, { path: sourcePath }, { cause: error });
    }
    return this.putStream(createReadStream(sourcePath, { highWaterMark: 1 << 20 }), sourcePath);
  }

  async putBytes(data: Uint8Array): Promise<StoredBlob> {
    return this.putStream([Buffer.from(data)], 'in-memory data');
  }

  private async putStream(source: AsyncIterable<Buffer> | Iterable<Buffer> | NodeJS.ReadableStream, label: string): Promise<StoredBlob> {
    const tmp = join(this.tmpDir, `${randomBytes(8).toString('hex')}.part`);
    const sha = createHasher('sha256');
    const sm = createHasher('sm3');
    let size = 0;
    const tap = new Transform({
      transform(chunk: Buffer, _enc, done) {
        sha.update(chunk);
        sm.update(chunk);
        size += chunk.length;
        done(null, chunk);
      },
    });
    try {
      await pipeline(source as NodeJS.ReadableStream, tap, createWriteStream(tmp, { flags: 'wx' }));
      await fsyncPathAsync(tmp);
      const digests: Digests = { sha256: sha.digestHex(), sm3: sm.digestHex(), size };
      const finalPath = this.pathOf(digests.sha256);
      const isNew = !existsSync(finalPath);
      if (isNew) {
        await mkdir(join(this.root, digests.sha256.slice(0, 2)), { recursive: true });
        await rename(tmp, finalPath);
        await fsyncPathAsync(join(this.root, digests.sha256.slice(0, 2)), 'directory');
      } else {
        await rm(tmp, { force: true });
      }
      this.db
        .prepare('INSERT OR IGNORE INTO blobs (sha256, sm3, size, stored_at) VALUES (?, ?, ?, ?)')
        .run(digests.sha256, digests.sm3, digests.size, this.now().toISOString());
      return { ...digests, isNew };
    } catch (error) {
      await rm(tmp, { force: true });
      const code = (error as NodeJS.ErrnoException).code;
      const hint = code === 'ENOSPC' ? ' The disk is full: free space and add the file again.' : '';
      throw new ProoflineError('store.write-failed', `Could not store ${label} in the evidence store: ${(error as Error).message}.${hint}`, { file: label }, { cause: error });
    }
  }
}
