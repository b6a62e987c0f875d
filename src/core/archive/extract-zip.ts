import { mkdir, open, realpath, rm } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ArchiveError, quoteName } from './archive-error.js';
import type { ZipEntrySource } from './zip-entry-info.js';

/**
 * The path `name` extracts to under `root`, or a 'hostile' refusal if it would land anywhere
 * else. openArchive already refused such names; this is the second lock on the same door.
 */
export function resolveInside(root: string, name: string): string {
  const target = resolve(root, name);
  if (!isInside(root, target) || target === root) {
    throw new ArchiveError('hostile', `archive entry ${quoteName(name)} would be written outside '${root}': refused; nothing was extracted`, name);
  }
  return target;
}

function isInside(root: string, target: string): boolean {
  const path = relative(root, target);
  return path === '' || (path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path));
}

/**
 * Writes every entry under `dir`. Files are created exclusively ('wx'), so nothing that already
 * exists is overwritten and no planted link is followed; every folder is checked after creation
 * by its real path. On any failure, everything this call created is removed again.
 */
export async function extractArchive(archive: ZipEntrySource, dir: string): Promise<void> {
  const root = await realpath(dir);
  const created: string[] = [];
  try {
    for (const entry of archive.entries) {
      const target = resolveInside(root, entry.name);
      if (entry.isDirectory) {
        await makeFolder(root, target, entry.name, created);
        continue;
      }
      await makeFolder(root, dirname(target), entry.name, created);
      const content = await archive.openStream(entry.name);
      const file = await open(target, 'wx', 0o644).catch((error: unknown) => {
        content.destroy();
        throw error;
      });
      created.push(target);
      await pipeline(content, file.createWriteStream());
    }
  } catch (error) {
    for (const path of created.reverse()) await rm(path, { recursive: true, force: true });
    throw error;
  }
}

async function makeFolder(root: string, folder: string, name: string, created: string[]): Promise<void> {
  const first = await mkdir(folder, { recursive: true });
  if (first !== undefined) created.push(first);
  if (!isInside(root, await realpath(folder))) {
    throw new ArchiveError('hostile', `archive entry ${quoteName(name)} would be written through a link that leaves '${root}': refused; nothing was extracted`, name);
  }
}
