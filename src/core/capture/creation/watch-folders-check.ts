// The folders a watch is asked for, checked before anything is recorded: each must exist, be a
// folder and be readable, so that a recording whose folder is wrong fails at once, with the
// folder named, and leaves no event behind (issue 11: a missing folder used to cost 10–17 s and
// leave "Recording started … stopped by the user" in the evidence).
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ProoflineError } from '../../errors.js';

/** Each folder as an absolute path, once; throws `folder.missing`, `folder.is-file` or `folder.unreadable`. */
export async function checkFolders(folders: readonly string[], kind: 'output' | 'draft'): Promise<string[]> {
  const out: string[] = [];
  for (const folder of folders) {
    const absolute = resolve(folder);
    let info;
    try {
      info = await stat(absolute);
    } catch {
      throw new ProoflineError('folder.missing', `The ${kind} folder ${absolute} does not exist. Create it or pick another folder to watch; nothing was recorded.`, { path: absolute });
    }
    if (!info.isDirectory()) throw new ProoflineError('folder.is-file', `${absolute} is a file, not a folder: give the ${kind} folder that contains it; nothing was recorded.`, { path: absolute });
    try {
      // Listing needs read, entering needs execute: chokidar does both.
      await access(absolute, constants.R_OK | constants.X_OK);
    } catch {
      throw new ProoflineError('folder.unreadable', `The ${kind} folder ${absolute} cannot be read (permission denied). Change its permissions or pick another folder to watch; nothing was recorded.`, { path: absolute });
    }
    if (!out.includes(absolute)) out.push(absolute);
  }
  return out;
}
