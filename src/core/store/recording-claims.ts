// What each live recording uses, across processes (issue 11, point 7): the app, `serve` and the
// CLI share one data folder, so two of them could record two sessions from one folder or one
// screen without a word. Before its sources start, a recording claims its watched folders and its
// X display in `recording_claims` (migration 7), in one IMMEDIATE transaction so that two starts
// cannot both pass the check:
// - a folder watched by a live recording of another session, or inside or around one, is
//   refused (`recording.folder-in-use`, naming that session and its process): one file entered
//   in two sessions would be claimed as the work of both, and neither chain could say which;
// - a display recorded by another session is allowed and reported, since two recordings of one
//   screen may be intended (a web capture beside a creation session) and neither changes what the
//   other records: the caller warns and the recording says so in its evidence.
// A claim whose process has died (crash, kill -9, zombie, reboot; process-identity.ts) blocks
// nothing and is removed by the next start that meets it.
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';
import { ProoflineError } from '../errors.js';
import { isRunning, ownIdentity, sameProcess, type ProcessIdentity } from '../process/process-identity.js';
import type { Database } from './database.js';

/** What a recording asks to use: folders it watches (absolute), the display it records. */
export interface RecordingUses {
  readonly folders: readonly string[];
  /** The display key (display-check.ts `displayKey`); undefined when the screen is not recorded. */
  readonly display?: string;
}

/** Another live recording of the same display. */
export interface SharedDisplay {
  readonly display: string;
  readonly sessionId: string;
  readonly title: string;
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

export interface TakenClaims {
  readonly sharedDisplay: readonly SharedDisplay[];
  release(): void;
}

interface ClaimRow {
  resource: string;
  session_id: string;
  pid: number;
  pid_start: string | null;
  host: string;
  taken_at: string;
  title: string | null;
}

const FOLDER = 'folder:';
const DISPLAY = 'display:';

export class RecordingClaims {
  constructor(
    private readonly db: Database,
    private readonly isAlive: (identity: ProcessIdentity) => boolean = isRunning,
    private readonly me: ProcessIdentity = ownIdentity(),
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Claims the folders and display for `sessionId`: throws `recording.folder-in-use` if a live
   * recording of another session watches one of the folders (or one inside or around it); says
   * which live recordings of other sessions record the same display.
   */
  take(sessionId: string, uses: RecordingUses): TakenClaims {
    const folders = [...new Set(uses.folders.map(realPath))];
    // The display names a screen of this machine unless it names another host itself.
    const display = uses.display === undefined ? undefined : uses.display.startsWith(':') ? `${this.me.host}${uses.display}` : uses.display;
    const resources = [...folders.map((f) => FOLDER + f), ...(display ? [DISPLAY + display] : [])];
    const sharedDisplay = this.db
      .transaction((): SharedDisplay[] => {
        const rows = this.db
          .prepare('SELECT c.*, s.title AS title FROM recording_claims c LEFT JOIN sessions s ON s.id = c.session_id')
          .all() as ClaimRow[];
        const shared: SharedDisplay[] = [];
        for (const row of rows) {
          const owner: ProcessIdentity = { pid: row.pid, start: row.pid_start, host: row.host };
          const ours = sameProcess(owner, this.me);
          if (!ours && !this.isAlive(owner)) {
            this.db.prepare('DELETE FROM recording_claims WHERE resource = ? AND session_id = ?').run(row.resource, row.session_id);
            continue;
          }
          if (row.session_id === sessionId) continue;
          if (row.resource.startsWith(FOLDER)) {
            const theirs = row.resource.slice(FOLDER.length);
            const mine = folders.find((f) => f === theirs || f.startsWith(theirs + sep) || theirs.startsWith(f + sep));
            if (mine !== undefined) throw new FolderInUseError(mine, theirs, row);
          } else if (display && row.resource === DISPLAY + display) {
            shared.push({ display: uses.display!, sessionId: row.session_id, title: row.title ?? '', pid: row.pid, host: row.host, since: row.taken_at });
          }
        }
        const insert = this.db.prepare('INSERT OR REPLACE INTO recording_claims (resource, session_id, pid, pid_start, host, taken_at) VALUES (?, ?, ?, ?, ?, ?)');
        const at = this.now().toISOString();
        for (const resource of resources) insert.run(resource, sessionId, this.me.pid, this.me.start, this.me.host, at);
        return shared;
      })
      .immediate();
    let released = false;
    return {
      sharedDisplay,
      release: () => {
        if (released) return;
        released = true;
        try {
          if (!this.db.open) return;
          const remove = this.db.prepare('DELETE FROM recording_claims WHERE resource = ? AND session_id = ? AND pid = ? AND pid_start IS ? AND host = ?');
          for (const resource of resources) remove.run(resource, sessionId, this.me.pid, this.me.start, this.me.host);
        } catch {
          // A claim left behind is judged by its process: once this one ends, it blocks nothing.
        }
      },
    };
  }
}

export class FolderInUseError extends ProoflineError {
  constructor(path: string, otherPath: string, row: ClaimRow) {
    const where = path === otherPath ? 'watches this folder' : otherPath.startsWith(path + sep) ? `watches ${otherPath}, inside it` : `watches ${otherPath}, which contains it`;
    super(
      'recording.folder-in-use',
      `Cannot watch ${path}: session ${row.session_id}${row.title ? ` ("${row.title}")` : ''} already ${where} (process ${row.pid} on ${row.host}, since ${row.taken_at}). ` +
        `A file there would be entered in both sessions as the work of each. Stop that recording first, or watch another folder; nothing was recorded.`,
      { path, otherPath, sessionId: row.session_id, title: row.title ?? '', pid: row.pid, host: row.host, since: row.taken_at },
    );
    this.name = 'FolderInUseError';
  }
}

/** The folder as the file system names it (symbolic links resolved), so two names of one folder meet. */
function realPath(folder: string): string {
  try {
    return realpathSync.native(folder);
  } catch {
    return folder;
  }
}
