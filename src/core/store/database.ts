import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { ProoflineError } from '../errors.js';
import { migrations, type Migration } from './migrations.js';

export type Database = BetterSqlite3.Database;

export class DatabaseVersionError extends ProoflineError {
  constructor(
    readonly path: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      'database.too-new',
      `The evidence database ${path} is schema version ${found}, newer than this Proofline ` +
        `understands (${supported}). Update Proofline; the database was not touched.`,
      { path, found, supported },
    );
    this.name = 'DatabaseVersionError';
  }
}

export interface OpenDatabaseOptions {
  /** Path to a better_sqlite3.node built for the running ABI (Electron passes its own). */
  readonly nativeBinding?: string;
  readonly migrations?: readonly Migration[];
}

export function openDatabase(path: string, options: OpenDatabaseOptions = {}): Database {
  mkdirSync(dirname(path), { recursive: true });
  const db = new BetterSqlite3(path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {});
  try {
    // Refuse a newer schema before touching anything: even switching to WAL rewrites the header.
    assertNotFromTheFuture(db, path, options.migrations ?? migrations);
    db.pragma('journal_mode = WAL');
    // synchronous=FULL: under WAL, NORMAL can lose the last committed events on power loss
    // (sqlite.org/pragma.html#pragma_synchronous); an event that was reported must survive.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, path, options.migrations ?? migrations);
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

function assertNotFromTheFuture(db: Database, path: string, list: readonly Migration[]): void {
  const latest = list.reduce((max, m) => Math.max(max, m.version), 0);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) throw new DatabaseVersionError(path, current, latest);
}

function migrate(db: Database, path: string, list: readonly Migration[]): void {
  assertNotFromTheFuture(db, path, list);
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const migration of list) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
}
