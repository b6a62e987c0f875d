import { closeSync, fsyncSync, openSync } from 'node:fs';

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
