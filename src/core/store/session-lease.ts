// One owner per session, across processes (DESIGN.md "Integrity model"): whatever records,
// browses, captures or seals a session holds its lease, a row naming the process (PID, start
// time, host; src/core/process/process-identity.ts). Another process refuses to record or seal
// the session while that owner runs, and takes the lease over once it has died (a crash, kill -9,
// a zombie, a reboot), after closing out what it left. Within one process the lease is counted:
// the app may record and browse one session at once, and the row goes when the last use ends.
import { ProoflineError } from '../errors.js';
import { isRunning, ownIdentity, sameProcess, type ProcessIdentity } from '../process/process-identity.js';
import type { Database } from './database.js';

/** What a lease is held for, said in the refusal. */
export type LeasePurpose = 'recording' | 'browsing' | 'capture' | 'sealing' | 'recovering';

export interface Lease extends ProcessIdentity {
  readonly sessionId: string;
  readonly purpose: string;
  readonly takenAt: string;
}

/** Whose lease it is, seen from this process. */
export type LeaseHolder = { readonly kind: 'none' } | { readonly kind: 'ours'; readonly lease: Lease } | { readonly kind: 'live'; readonly lease: Lease } | { readonly kind: 'dead'; readonly lease: Lease };

export class SessionOwnedError extends ProoflineError {
  constructor(readonly lease: Lease, action: string) {
    super(
      'session.owned',
      `Cannot ${action} session ${lease.sessionId}: process ${lease.pid} on ${lease.host} is ${lease.purpose === 'sealing' ? 'sealing' : `using it (${lease.purpose})`} since ${lease.takenAt}. ` +
        `Stop it there (Ctrl-C in its terminal, or Stop in the app), or wait for it to finish, then try again.`,
      { sessionId: lease.sessionId, pid: lease.pid, host: lease.host, purpose: lease.purpose, takenAt: lease.takenAt },
    );
    this.name = 'SessionOwnedError';
  }
}

/** The uses of each lease this process holds, by database file and session. */
const held = new Map<string, LeasePurpose[]>();

interface LeaseRow {
  session_id: string;
  pid: number;
  pid_start: string | null;
  host: string;
  purpose: string;
  taken_at: string;
}

export interface TakenLease {
  /** Who held it before: 'dead' means its work was cut short and must be closed out. */
  readonly previous: LeaseHolder;
  /** Ends this use; the row goes with the process's last use of the session. */
  release(): void;
}

export class SessionLeases {
  constructor(
    private readonly db: Database,
    private readonly isAlive: (identity: ProcessIdentity) => boolean = isRunning,
    private readonly me: ProcessIdentity = ownIdentity(),
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** The session's lease and whether its owner lives. */
  holder(sessionId: string): LeaseHolder {
    const row = this.db.prepare('SELECT * FROM session_leases WHERE session_id = ?').get(sessionId) as LeaseRow | undefined;
    if (!row) return { kind: 'none' };
    const lease: Lease = { sessionId: row.session_id, pid: row.pid, start: row.pid_start, host: row.host, purpose: row.purpose, takenAt: row.taken_at };
    if (sameProcess(lease, this.me)) return { kind: 'ours', lease };
    return this.isAlive(lease) ? { kind: 'live', lease } : { kind: 'dead', lease };
  }

  /** Throws SessionOwnedError if a live process other than this one holds the session. */
  assertNotOwned(sessionId: string, action: string): void {
    const holder = this.holder(sessionId);
    if (holder.kind === 'live') throw new SessionOwnedError(holder.lease, action);
  }

  /**
   * Takes the session for `purpose`, atomically across processes: refuses (SessionOwnedError,
   * naming the owner) while another live process holds it; replaces a dead owner's lease.
   */
  take(sessionId: string, purpose: LeasePurpose, action: string = purpose === 'sealing' ? 'seal' : 'record'): TakenLease {
    const key = this.key(sessionId);
    const previous = this.db
      .transaction((): LeaseHolder => {
        const before = this.holder(sessionId);
        if (before.kind === 'live') throw new SessionOwnedError(before.lease, action);
        const uses = [...(held.get(key) ?? []), purpose];
        const named = [...new Set(uses)].join(', ');
        if (before.kind === 'ours') {
          this.db.prepare('UPDATE session_leases SET purpose = ? WHERE session_id = ?').run(named, sessionId);
        } else {
          this.db
            .prepare('INSERT OR REPLACE INTO session_leases (session_id, pid, pid_start, host, purpose, taken_at) VALUES (?, ?, ?, ?, ?, ?)')
            .run(sessionId, this.me.pid, this.me.start, this.me.host, named, this.now().toISOString());
        }
        held.set(key, uses);
        return before;
      })
      .immediate();
    let released = false;
    return {
      previous,
      release: () => {
        if (released) return;
        released = true;
        this.release(sessionId, purpose);
      },
    };
  }

  /** Takes the session if no other live process holds it; undefined if one does. */
  tryTake(sessionId: string, purpose: LeasePurpose): TakenLease | undefined {
    try {
      return this.take(sessionId, purpose);
    } catch (error) {
      if (error instanceof SessionOwnedError) return undefined;
      throw error;
    }
  }

  private release(sessionId: string, purpose: LeasePurpose): void {
    const key = this.key(sessionId);
    const uses = [...(held.get(key) ?? [])];
    const at = uses.indexOf(purpose);
    if (at >= 0) uses.splice(at, 1);
    if (uses.length > 0) held.set(key, uses);
    else held.delete(key);
    try {
      if (!this.db.open) return;
      if (uses.length === 0) {
        this.db.prepare('DELETE FROM session_leases WHERE session_id = ? AND pid = ? AND pid_start IS ? AND host = ?').run(sessionId, this.me.pid, this.me.start, this.me.host);
      } else {
        this.db
          .prepare('UPDATE session_leases SET purpose = ? WHERE session_id = ? AND pid = ? AND pid_start IS ? AND host = ?')
          .run([...new Set(uses)].join(', '), sessionId, this.me.pid, this.me.start, this.me.host);
      }
    } catch {
      // A lease left behind is judged by its process: once this one ends, it is dead.
    }
  }

  private key(sessionId: string): string {
    return `${this.db.name}\u0000${this.me.pid}\u0000${this.me.start ?? ''}\u0000${this.me.host}\u0000${sessionId}`;
  }
}
