import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { Database } from '../../store/database.js';
import { ProoflineError } from '../../errors.js';

/** Weights and checkpoints as the common AI drawing tools store them. */
export const MODEL_EXTENSIONS = ['.safetensors', '.ckpt', '.pt', '.pth', '.bin', '.gguf', '.onnx'] as const;

export interface ModelHashProgress {
  readonly kind: 'model-hash';
  readonly file: string;
  readonly done: number;
  readonly total: number;
}

export interface ModelFile {
  readonly path: string;
  readonly size: number;
  readonly modified: string;
  readonly sha256: string;
  /** True when size and mtime matched the cache and the file was not read again. */
  readonly cached: boolean;
}

export type ModelFolder =
  | { readonly folder: string; readonly available: true; readonly files: ModelFile[]; readonly skipped: { path: string; reason: string }[] }
  | { readonly folder: string; readonly available: false; readonly reason: string };

export interface HashModelsOptions {
  readonly onProgress?: (progress: ModelHashProgress) => void;
  readonly signal?: AbortSignal;
  readonly now?: () => Date;
  /** Folders deeper than this below a model folder are not searched (default 8). */
  readonly maxDepth?: number;
}

export class ModelHashingCancelled extends ProoflineError {
  constructor(readonly partial: ModelFolder[]) {
    super('models.cancelled', 'Hashing model files was cancelled');
    this.name = 'ModelHashingCancelled';
  }
}

const CHUNK = 4 << 20;

/**
 * The SHA-256 of every model file in each folder (searched recursively, symlinks followed to
 * files, not to folders), streamed 4 MiB at a time. A file whose absolute path, size and mtime
 * match the cache is not read again. A folder that cannot be read is reported, not thrown;
 * cancelling throws ModelHashingCancelled carrying what was done.
 */
export async function hashModelFolders(db: Database | undefined, folders: readonly string[], options: HashModelsOptions = {}): Promise<ModelFolder[]> {
  const cache = db ? modelHashCache(db) : undefined;
  const now = options.now ?? (() => new Date());
  const results: ModelFolder[] = [];
  for (const given of folders) {
    const folder = resolve(given);
    let found: Awaited<ReturnType<typeof findModelFiles>>;
    try {
      const info = await stat(folder);
      if (!info.isDirectory()) throw new Error('not a folder');
      found = await findModelFiles(folder, options.maxDepth ?? 8, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw new ModelHashingCancelled(results);
      results.push({ folder, available: false, reason: `cannot read ${folder}: ${(error as Error).message}` });
      continue;
    }
    const files: ModelFile[] = [];
    const skipped = [...found.skipped];
    for (const { path, info } of found.files) {
      if (options.signal?.aborted) throw new ModelHashingCancelled([...results, { folder, available: true, files, skipped }]);
      const { size, mtimeNs, modified } = info;
      const known = cache?.get(path, size, mtimeNs);
      if (known) {
        files.push({ path, size, modified, sha256: known, cached: true });
        continue;
      }
      try {
        const sha256 = await hashFile(path, size, options);
        cache?.put(path, size, mtimeNs, sha256, now().toISOString());
        files.push({ path, size, modified, sha256, cached: false });
      } catch (error) {
        if (options.signal?.aborted) throw new ModelHashingCancelled([...results, { folder, available: true, files, skipped }]);
        skipped.push({ path, reason: (error as Error).message });
      }
    }
    results.push({ folder, available: true, files, skipped });
  }
  return results;
}

interface FoundFile {
  readonly path: string;
  readonly info: { readonly size: number; readonly mtimeNs: string; readonly modified: string };
}

async function findModelFiles(root: string, maxDepth: number, signal?: AbortSignal): Promise<{ files: FoundFile[]; skipped: { path: string; reason: string }[] }> {
  const files: FoundFile[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (signal?.aborted) throw new Error('cancelled');
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < maxDepth) {
          try {
            await walk(path, depth + 1);
          } catch (error) {
            if (signal?.aborted) throw error;
            skipped.push({ path, reason: `cannot read folder: ${(error as Error).message}` });
          }
        }
        continue;
      }
      if (!(MODEL_EXTENSIONS as readonly string[]).includes(extname(entry.name).toLowerCase())) continue;
      if (!entry.isFile() && !entry.isSymbolicLink()) continue;
      try {
        // Nanosecond mtime as the cache key: a file rewritten within the same millisecond still differs.
        const info = await stat(path, { bigint: true });
        if (info.isFile()) files.push({ path, info: { size: Number(info.size), mtimeNs: String(info.mtimeNs), modified: new Date(Number(info.mtimeMs)).toISOString() } });
      } catch (error) {
        skipped.push({ path, reason: `cannot read: ${(error as Error).message}` });
      }
    }
  };
  await walk(root, 0);
  return { files, skipped };
}

function hashFile(path: string, total: number, options: HashModelsOptions): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const hash = createHash('sha256');
    const stream = createReadStream(path, { highWaterMark: CHUNK });
    let done = 0;
    const onAbort = (): void => {
      stream.destroy(new Error('cancelled'));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    options.onProgress?.({ kind: 'model-hash', file: path, done: 0, total });
    stream.on('data', (chunk) => {
      hash.update(chunk);
      done += chunk.length;
      options.onProgress?.({ kind: 'model-hash', file: path, done, total });
    });
    stream.on('error', (error) => {
      options.signal?.removeEventListener('abort', onAbort);
      reject(new Error(`cannot read ${path}: ${error.message}`));
    });
    stream.on('end', () => {
      options.signal?.removeEventListener('abort', onAbort);
      resolvePromise(hash.digest('hex'));
    });
  });
}

interface ModelHashCache {
  get(path: string, size: number, mtimeNs: string): string | undefined;
  put(path: string, size: number, mtimeNs: string, sha256: string, hashedAt: string): void;
}

function modelHashCache(db: Database): ModelHashCache {
  const select = db.prepare('SELECT sha256 FROM model_hash_cache WHERE path = ? AND size = ? AND mtime_ns = ?');
  const upsert = db.prepare(
    'INSERT INTO model_hash_cache (path, size, mtime_ns, sha256, hashed_at) VALUES (?, ?, ?, ?, ?) '
      + 'ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256, hashed_at = excluded.hashed_at',
  );
  return {
    get: (path, size, mtimeNs) => (select.get(path, size, mtimeNs) as { sha256: string } | undefined)?.sha256,
    put: (path, size, mtimeNs, sha256, hashedAt) => void upsert.run(path, size, mtimeNs, sha256, hashedAt),
  };
}
