// A worker's own record of the fleet sessions in its data folder (<data>/fleet/sessions/<id>.json,
// pushed/<id>.json once in the vault):
// which job and attempt each answers and how far it got (capturing → sealed → exported → pushed).
// It is how a restarted worker finds the sessions its killed process left, and how an attempt
// whose push failed is pushed again instead of captured again. Not evidence: the session's own
// events say what happened; this only says what is still owed to the vault.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncPath } from '../store/fsync.js';

export type LedgerState = 'capturing' | 'sealed' | 'exported' | 'pushed';

export interface LedgerEntry {
  readonly sessionId: string;
  readonly jobId: string;
  readonly submission: string;
  readonly matter: string;
  readonly url: string;
  readonly attempt: number;
  readonly state: LedgerState;
  readonly archivePath?: string;
  readonly archiveKey?: string;
  /** Whether the page was captured, its HTTP status, the environment check's verdict (once the capture ended). */
  readonly captured?: boolean;
  readonly status?: number | null;
  readonly environment?: string | null;
  /** What the vault said of the push. */
  readonly archiveUrl?: string;
  readonly archiveSha256?: string;
  readonly device?: string | null;
}

export class JobLedger {
  readonly dir: string;
  readonly archives: string;
  readonly pushed: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'fleet', 'sessions');
    this.pushed = join(this.dir, 'pushed');
    this.archives = join(dataDir, 'fleet', 'archives');
    mkdirSync(this.pushed, { recursive: true });
    mkdirSync(this.archives, { recursive: true });
  }

  archivePathOf(sessionId: string): string {
    return join(this.archives, `${sessionId}.zip`);
  }

  /**
   * Written through a renamed temporary file, synced: a kill leaves the old entry or the new one.
   * A pushed entry moves to `pushed/`, so what is owed stays a short list to read at every job.
   */
  write(entry: LedgerEntry): LedgerEntry {
    const owedPath = join(this.dir, `${entry.sessionId}.json`);
    const path = entry.state === 'pushed' ? join(this.pushed, `${entry.sessionId}.json`) : owedPath;
    writeFileSync(`${path}.tmp`, `${JSON.stringify(entry)}\n`);
    fsyncPath(`${path}.tmp`);
    renameSync(`${path}.tmp`, path);
    if (path !== owedPath) rmSync(owedPath, { force: true });
    return entry;
  }

  update(entry: LedgerEntry, change: Partial<LedgerEntry>): LedgerEntry {
    return this.write({ ...entry, ...change });
  }

  /** Sessions not yet in the vault. */
  owed(): LedgerEntry[] {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.json'))
      .flatMap((name) => {
        try {
          return [JSON.parse(readFileSync(join(this.dir, name), 'utf8')) as LedgerEntry];
        } catch {
          return []; // a half-written temporary is never renamed into place; skip anything else unreadable
        }
      });
  }
}
