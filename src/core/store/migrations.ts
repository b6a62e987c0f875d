/**
 * Numbered, append-only schema migrations (Signal Desktop's habit): a landed migration is never
 * edited; a change is a new entry. Each runs in a transaction and bumps `user_version`.
 */
export interface Migration {
  readonly version: number;
  readonly sql: string;
}

export const migrations: readonly Migration[] = [
  {
    version: 1,
    sql: `
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('creation', 'web')),
        title TEXT NOT NULL,
        creator TEXT NOT NULL DEFAULT '',
        description TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        sealed_at TEXT,
        state TEXT NOT NULL CHECK (state IN ('open', 'sealed', 'recovered')),
        interrupted INTEGER NOT NULL DEFAULT 0
      ) STRICT;

      -- The chain itself. body is the RFC 8785 text whose SHA-256 is hash; prev is the hash of
      -- seq - 1. Rows are only ever inserted: the triggers below refuse the rest.
      CREATE TABLE events (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        seq INTEGER NOT NULL,
        hash TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (session_id, seq)
      ) STRICT, WITHOUT ROWID;

      CREATE TRIGGER events_no_update BEFORE UPDATE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: corrections are new events'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events
        BEGIN SELECT RAISE(ABORT, 'events are append-only: nothing is deleted'); END;

      CREATE TABLE blobs (
        sha256 TEXT PRIMARY KEY,
        sm3 TEXT NOT NULL,
        size INTEGER NOT NULL,
        stored_at TEXT NOT NULL
      ) STRICT;

      -- Signed chain states. statement is the canonical JSON that was signed and timestamped.
      CREATE TABLE checkpoints (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        idx INTEGER NOT NULL,
        tree_size INTEGER NOT NULL,
        statement TEXT NOT NULL,
        signature BLOB NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (session_id, idx)
      ) STRICT;

      CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
      CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
        BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;

      -- One row per (subject, TSA). subject is a checkpoint or the seal; the row waits in the
      -- queue until a token is obtained, however long the TSA is down.
      CREATE TABLE timestamp_requests (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        subject TEXT NOT NULL,
        digest TEXT NOT NULL,
        tsa_url TEXT NOT NULL,
        requested_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        last_error TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending', 'obtained', 'abandoned')),
        response BLOB,
        gen_time TEXT,
        obtained_at TEXT,
        UNIQUE (session_id, subject, tsa_url)
      ) STRICT;
      CREATE INDEX timestamp_requests_pending ON timestamp_requests(state, next_attempt_at);

      CREATE TABLE seals (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id),
        sealed_at TEXT NOT NULL,
        tag_manifest BLOB NOT NULL,
        signature BLOB NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 2,
    sql: `
      -- Model files hashed for environment snapshots, keyed by absolute path and checked against
      -- size and modification time, so an unchanged multi-gigabyte checkpoint is not read again.
      -- A cache, not evidence: a row is replaced when the file changes.
      CREATE TABLE model_hash_cache (
        path TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        hashed_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 3,
    sql: `
      -- RFC 9162 compact range at a checkpoint: the roots of the perfect subtrees that make up
      -- the first tree_size leaves (largest first, 32 bytes each). The next checkpoint extends it
      -- with only the events since, so its cost does not grow with the session.
      CREATE TABLE checkpoint_frontiers (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        tree_size INTEGER NOT NULL,
        nodes BLOB NOT NULL,
        PRIMARY KEY (session_id, tree_size)
      ) STRICT;

      -- The anchoring in force for a session (TSAs asked, seconds allowed between an event and
      -- the checkpoint that covers it). A change is recorded as an anchoring.changed event.
      CREATE TABLE session_anchoring (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id),
        tsa_urls TEXT NOT NULL,
        anchor_seconds INTEGER NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 4,
    sql: `
      -- Who records or captures a session now, across processes (DESIGN.md "One owner per
      -- session"): the process by PID, its start (Linux: boot id and start time, so that a zombie
      -- or a reused PID is not taken for it) and host. Not evidence: a row lives while its owner
      -- works, and one whose owner died is taken over once its recording has been closed out.
      CREATE TABLE session_leases (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id),
        pid INTEGER NOT NULL,
        pid_start TEXT,
        host TEXT NOT NULL,
        purpose TEXT NOT NULL,
        taken_at TEXT NOT NULL
      ) STRICT;
    `,
  },
  {
    version: 5,
    sql: `
      -- Sealed means frozen, in the store itself and not only in the service: once a session is
      -- sealed no event or checkpoint can be added to it and it cannot be unsealed, whichever
      -- process writes (a seal racing a recorder in another process leaves the loser an error).
      CREATE TRIGGER events_frozen_after_seal BEFORE INSERT ON events
        WHEN (SELECT state FROM sessions WHERE id = NEW.session_id) = 'sealed'
        BEGIN SELECT RAISE(ABORT, 'the session is sealed: nothing can be added to it'); END;
      CREATE TRIGGER checkpoints_frozen_after_seal BEFORE INSERT ON checkpoints
        WHEN (SELECT state FROM sessions WHERE id = NEW.session_id) = 'sealed'
        BEGIN SELECT RAISE(ABORT, 'the session is sealed: no checkpoint can be added to it'); END;
      CREATE TRIGGER sessions_stay_sealed BEFORE UPDATE ON sessions
        WHEN OLD.state = 'sealed' AND (NEW.state IS NOT 'sealed' OR NEW.sealed_at IS NOT OLD.sealed_at)
        BEGIN SELECT RAISE(ABORT, 'a sealed session stays sealed'); END;
    `,
  },
  {
    version: 6,
    sql: `
      -- The tag files exactly as they were fixed at seal (VERIFY.md, bag-info.txt, manifests…),
      -- so that a later build whose VERIFY.md reads differently still exports the same bag:
      -- exports take these bytes, after checking the payload manifest derived from the store
      -- against the one stored here.
      CREATE TABLE seal_tag_files (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        path TEXT NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (session_id, path)
      ) STRICT;
    `,
  },
  {
    version: 7,
    sql: `
      -- What each live recording uses, across processes (issue 11: two sessions watched one
      -- folder and each took the same image as its own): a watched folder (its real path) or an
      -- X display, the session that records it and the process that does (PID, start, host, as in
      -- session_leases). Not evidence: a row lives while its recording runs; one whose process
      -- died is ignored and removed by the next recording that looks.
      CREATE TABLE recording_claims (
        resource TEXT NOT NULL,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        pid INTEGER NOT NULL,
        pid_start TEXT,
        host TEXT NOT NULL,
        taken_at TEXT NOT NULL,
        PRIMARY KEY (resource, session_id)
      ) STRICT;
    `,
  },
  {
    version: 8,
    sql: `
      -- Issue 13: no operation may cost the whole session. Everything here is derived from the
      -- chain and kept by triggers in the transaction of each append, whichever process appends
      -- (a rolled-back append rolls them back too); each is filled from the events already held.

      -- The events of one type, by the type the body names: the views (gallery, pages) and the
      -- recovery at start read only the events of the types they need, through this index. A
      -- query must spell the expression exactly so, or SQLite cannot use it.
      CREATE INDEX events_by_type ON events (session_id, json_extract(body, '$.type'), seq);

      -- How many events of each type a session holds (session.get's counts, "is there one yet?").
      CREATE TABLE event_type_counts (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        type TEXT NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (session_id, type)
      ) STRICT, WITHOUT ROWID;
      INSERT INTO event_type_counts (session_id, type, n)
        SELECT session_id, json_extract(body, '$.type'), COUNT(*) FROM events
        GROUP BY session_id, json_extract(body, '$.type');
      CREATE TRIGGER events_count_type AFTER INSERT ON events BEGIN
        INSERT INTO event_type_counts (session_id, type, n) VALUES (NEW.session_id, json_extract(NEW.body, '$.type'), 1)
          ON CONFLICT (session_id, type) DO UPDATE SET n = n + 1;
      END;

      -- Every artifact an event names, by SHA-256: a file is found by its hash or a prefix of it
      -- (every image a window shows, every mark) without reading the session's events.
      CREATE TABLE event_artifacts (
        session_id TEXT NOT NULL REFERENCES sessions(id),
        sha256 TEXT NOT NULL,
        seq INTEGER NOT NULL,
        artifact TEXT NOT NULL,
        PRIMARY KEY (session_id, sha256, seq)
      ) STRICT, WITHOUT ROWID;
      INSERT OR IGNORE INTO event_artifacts (session_id, sha256, seq, artifact)
        SELECT e.session_id, json_extract(a.value, '$.sha256'), e.seq, a.value FROM events e, json_each(e.body, '$.artifacts') a
        WHERE json_extract(a.value, '$.sha256') IS NOT NULL;
      CREATE TRIGGER events_index_artifacts AFTER INSERT ON events BEGIN
        INSERT OR IGNORE INTO event_artifacts (session_id, sha256, seq, artifact)
          SELECT NEW.session_id, json_extract(a.value, '$.sha256'), NEW.seq, a.value FROM json_each(NEW.body, '$.artifacts') a
          WHERE json_extract(a.value, '$.sha256') IS NOT NULL;
      END;
    `,
  },
  {
    version: 9,
    sql: `
      -- Issue 13: the seal must not read the whole chain. The running SHA-256 and SM3 states of
      -- data/events.jsonl over the first tree_size events (store/events-file-digest.ts), kept
      -- with each checkpoint's frontier and extended by the next with only the events since.
      -- Derived, never evidence: NULL (rows from before) or unreadable means rebuilt once.
      ALTER TABLE checkpoint_frontiers ADD COLUMN events_file BLOB;
    `,
  },
  {
    version: 10,
    sql: `
      -- Issue 14: a sealed session's final image published with Content Credentials and the
      -- TC260 label. A sealed session takes no event (migration 5), so a publication is recorded
      -- beside it, as evidence of its own kind: each row is the publication's RFC 8785 body, its
      -- SHA-256, the hash of the device's previous publication (one chain per data folder, so a
      -- row removed with the triggers dropped breaks the next row's prev) and the device key's
      -- Ed25519 signature over the body. Appended only, never changed.
      CREATE TABLE publications (
        seq INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        archive_sha256 TEXT NOT NULL,
        body TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        prev TEXT,
        key_id TEXT NOT NULL,
        signature BLOB NOT NULL
      ) STRICT;
      CREATE INDEX publications_by_archive ON publications (archive_sha256, seq);
      CREATE TRIGGER publications_no_update BEFORE UPDATE ON publications
        BEGIN SELECT RAISE(ABORT, 'a publication is never changed'); END;
      CREATE TRIGGER publications_no_delete BEFORE DELETE ON publications
        BEGIN SELECT RAISE(ABORT, 'a publication is never removed'); END;
    `,
  },
  {
    version: 11,
    sql: `
      -- Issue 15: an archive sent to the team vault (an S3 bucket with Object Lock). Recorded as
      -- publications are (migration 10): the push's RFC 8785 body (bucket, key, the version id
      -- and retention the store gave it, matter, archive SHA-256, outcome), its SHA-256, the
      -- previous push's hash (one chain per data folder) and the device key's Ed25519 signature.
      -- session_id has no foreign key: an archive file received from another machine is pushed
      -- under its own session id. Appended only, never changed.
      CREATE TABLE vault_pushes (
        seq INTEGER PRIMARY KEY,
        session_id TEXT,
        archive_sha256 TEXT NOT NULL,
        body TEXT NOT NULL,
        hash TEXT NOT NULL UNIQUE,
        prev TEXT,
        key_id TEXT NOT NULL,
        signature BLOB NOT NULL
      ) STRICT;
      CREATE INDEX vault_pushes_by_session ON vault_pushes (session_id, seq);
      CREATE INDEX vault_pushes_by_archive ON vault_pushes (archive_sha256, seq);
      CREATE TRIGGER vault_pushes_no_update BEFORE UPDATE ON vault_pushes
        BEGIN SELECT RAISE(ABORT, 'a vault push is never changed'); END;
      CREATE TRIGGER vault_pushes_no_delete BEFORE DELETE ON vault_pushes
        BEGIN SELECT RAISE(ABORT, 'a vault push is never removed'); END;
    `,
  },
];
