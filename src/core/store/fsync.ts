import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * fsync a file, or a directory so that a rename inside it is durable (POSIX: a rename is only
 * on disk once the directory itself is synced).
 */
export function fsyncPath(path: string, kind: 'file' | 'directory' = 'file'): void {
  // Windows cannot open a directory to sync it (and NTFS journals the rename itself).
  if (kind === 'directory' && process.platform === 'win32') return;
  // Files open read-write: Windows refuses FlushFileBuffers on a read-only handle.
  const fd = openSync(path, kind === 'file' ? 'r+' : 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * fsyncPath on libuv's thread pool: the same durability, without blocking the event loop for
 * the disk's flush (a page capture stores seven files while the browser works on the next page).
 */
export async function fsyncPathAsync(path: string, kind: 'file' | 'directory' = 'file'): Promise<void> {
  if (kind === 'directory' && process.platform === 'win32') return;
  const handle = await open(path, kind === 'file' ? 'r+' : 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
