import type { Statement } from 'better-sqlite3';
import type { Database } from '../store/database.js';
import { canonicalJson } from '../store/canonical-json.js';
import { leafHash, MerkleFrontier } from '../store/event-chain.js';
import type { EventLog } from '../store/event-log.js';
import { EventsFileDigest } from '../store/events-file-digest.js';
import { sha256Hex, type Digests } from '../store/hashing.js';
import type { DeviceIdentity } from './device-identity.js';
import { ProoflineError } from '../errors.js';

/**
 * Why a checkpoint was taken. 'anchor': events came and must be anchored within the session's
 * interval (DESIGN.md, "Time is proven, not claimed"); 'interval': a quiet-stretch checkpoint.
 */
export type CheckpointReason = 'start' | 'interval' | 'anchor' | 'seal' | 'recovery' | 'manual';

/** What the device signs and the TSA timestamps: the state of one session's chain. */
export interface CheckpointStatement {
  readonly v: 1;
  readonly type: 'proofline.checkpoint';
  readonly session: string;
  readonly index: number;
  readonly reason: CheckpointReason;
  readonly time: string;
  readonly treeSize: number;
  /** Hash of event treeSize-1: the chain head. */
  readonly head: string;
  /** RFC 9162 Merkle Tree Hash over the first treeSize events. */
  readonly merkleRoot: string;
  readonly device: string;
}

export interface Checkpoint {
  readonly statement: CheckpointStatement;
  /** The exact bytes that were signed and timestamped (RFC 8785 of statement). */
  readonly bytes: Buffer;
  readonly signature: Buffer;
  /** SHA-256 of bytes: the imprint sent to the TSA. */
  readonly digest: string;
}

export class CheckpointStore {
  private readonly lastIndex: Statement;
  private readonly lastEvent: Statement;
  private readonly savedFrontier: Statement;
  private readonly insertCheckpoint: Statement;
  private readonly insertFrontier: Statement;

  constructor(
    private readonly db: Database,
    private readonly events: EventLog,
    private readonly now: () => Date = () => new Date(),
  ) {
    // Prepared once: a checkpoint is taken every minute while events come.
    this.lastIndex = db.prepare('SELECT MAX(idx) AS idx FROM checkpoints WHERE session_id = ?');
    this.lastEvent = db.prepare('SELECT seq, hash FROM events WHERE session_id = ? ORDER BY seq DESC LIMIT 1');
    this.savedFrontier = db.prepare(
      'SELECT tree_size, nodes, events_file FROM checkpoint_frontiers WHERE session_id = ? AND tree_size <= ? ORDER BY tree_size DESC LIMIT 1',
    );
    this.insertCheckpoint = db.prepare(
      'INSERT INTO checkpoints (session_id, idx, tree_size, statement, signature, created_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
    // Two checkpoints over the same events (say the last interval one and the seal) have the same
    // frontier; a row from before migration 9 gains its events-file digest.
    this.insertFrontier = db.prepare(
      `INSERT INTO checkpoint_frontiers (session_id, tree_size, nodes, events_file) VALUES (?, ?, ?, ?)
       ON CONFLICT (session_id, tree_size) DO UPDATE SET events_file = excluded.events_file WHERE events_file IS NULL`,
    );
  }

  /**
   * Signs the session's current chain state. Synchronous so it can share a transaction with the
   * seal. Costs O(events since the last checkpoint + log n), not O(n): the Merkle root comes from
   * the frontier stored with the previous checkpoint, extended by the events after it.
   */
  create(sessionId: string, reason: CheckpointReason, device: DeviceIdentity): Checkpoint {
    // IMMEDIATE: the size, head and root come from one read, so an append by another process
    // (the CLI beside the app) cannot land between them. Inside the seal's transaction this is a
    // savepoint and the seal's lock already holds.
    const run = this.db.transaction((): Checkpoint => {
      const last = this.lastIndex.get(sessionId) as { idx: number | null };
      const { frontier, file, head } = this.advance(sessionId);
      const statement: CheckpointStatement = {
        v: 1,
        type: 'proofline.checkpoint',
        session: sessionId,
        index: last.idx === null ? 0 : last.idx + 1,
        reason,
        time: this.now().toISOString(),
        treeSize: frontier.size,
        head,
        merkleRoot: frontier.root(),
        device: device.keyId,
      };
      const bytes = Buffer.from(canonicalJson(statement), 'utf8');
      const signature = device.sign(bytes);
      this.insertCheckpoint.run(sessionId, statement.index, statement.treeSize, bytes.toString('utf8'), signature, statement.time);
      this.insertFrontier.run(sessionId, frontier.size, frontier.toBytes(), file.toBytes());
      return { statement, bytes, signature, digest: sha256Hex(bytes) };
    });
    return run.immediate();
  }

  /**
   * The digests of data/events.jsonl over every event, from the state stored with the last
   * checkpoint and the events after it (at a seal: none). Read-only; O(events since the last
   * checkpoint), not O(n).
   */
  eventsFile(sessionId: string): { digests: Digests; count: number } {
    const { file } = this.advance(sessionId);
    return { digests: file.digests(), count: file.count };
  }

  /**
   * The frontier and the events-file digest over every event of the session, and the hash of
   * the last one: the state stored with the checkpoint of the largest size not past the chain,
   * extended by the events after it. With none stored (a database from before migration 3, or 9
   * for the digest), both are built once from the first event.
   */
  private advance(sessionId: string): { frontier: MerkleFrontier; file: EventsFileDigest; head: string } {
    const top = this.lastEvent.get(sessionId) as { seq: number; hash: string } | undefined;
    const count = top ? top.seq + 1 : 0;
    const saved = this.savedFrontier.get(sessionId, count) as { tree_size: number; nodes: Buffer; events_file: Buffer | null } | undefined;
    const restored = saved && restoreFrontier(saved.tree_size, saved.nodes);
    const restoredFile = EventsFileDigest.fromBytes(saved?.events_file);
    const resume = restored && restoredFile?.count === restored.size;
    const frontier = resume ? restored : MerkleFrontier.empty();
    const file = resume ? restoredFile : EventsFileDigest.empty();
    let head = top && frontier.size === count ? top.hash : '';
    for (const event of this.events.iterate(sessionId, frontier.size, count)) {
      // The tree size is the events actually read: a gap in seq would make it claim events it
      // never hashed.
      if (event.body.seq !== frontier.size) break;
      frontier.push(leafHash(event.canonical));
      file.push(event.canonical);
      head = event.hash;
    }
    if (frontier.size !== count) {
      throw new ProoflineError(
        'store.damaged',
        `Session ${sessionId}'s events are not numbered 0 to ${count - 1} without a gap (event ${frontier.size} is missing): ` +
          `the store is damaged. Export the session and run 'proofline verify' on the archive to see which events are affected.`,
        { sessionId },
      );
    }
    return { frontier, file, head };
  }

  list(sessionId: string): Checkpoint[] {
    const rows = this.db
      .prepare('SELECT statement, signature FROM checkpoints WHERE session_id = ? ORDER BY idx')
      .all(sessionId) as CheckpointRow[];
    return rows.map(toCheckpoint);
  }

  /** One row, not the whole list: asked after every append. */
  latest(sessionId: string): Checkpoint | undefined {
    const row = this.db
      .prepare('SELECT statement, signature FROM checkpoints WHERE session_id = ? ORDER BY idx DESC LIMIT 1')
      .get(sessionId) as CheckpointRow | undefined;
    return row && toCheckpoint(row);
  }
}

interface CheckpointRow {
  statement: string;
  signature: Buffer;
}

function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    statement: JSON.parse(row.statement) as CheckpointStatement,
    bytes: Buffer.from(row.statement, 'utf8'),
    signature: row.signature,
    digest: sha256Hex(row.statement),
  };
}

/**
 * A frontier is derived data, the events are the record: one whose bytes do not fit its size
 * (damaged, or written by a bug) is set aside and rebuilt from the events instead of blocking
 * the checkpoint.
 */
function restoreFrontier(size: number, nodes: Buffer): MerkleFrontier | undefined {
  return nodes.length === MerkleFrontier.byteLength(size) ? MerkleFrontier.fromBytes(size, nodes) : undefined;
}

export function checkpointSubject(index: number): string {
  return `checkpoint:${String(index).padStart(6, '0')}`;
}
