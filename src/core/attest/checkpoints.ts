import type { Database } from '../store/database.js';
import { canonicalJson } from '../store/canonical-json.js';
import { leafHash, merkleRoot } from '../store/event-chain.js';
import type { EventLog } from '../store/event-log.js';
import { sha256Hex } from '../store/hashing.js';
import type { DeviceIdentity } from './device-identity.js';

export type CheckpointReason = 'start' | 'interval' | 'seal' | 'recovery' | 'manual';

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
  constructor(
    private readonly db: Database,
    private readonly events: EventLog,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Signs the session's current chain state. Synchronous so it can share a transaction with the seal. */
  create(sessionId: string, reason: CheckpointReason, device: DeviceIdentity): Checkpoint {
    const last = this.db
      .prepare('SELECT MAX(idx) AS idx FROM checkpoints WHERE session_id = ?')
      .get(sessionId) as { idx: number | null };
    const leaves: Buffer[] = [];
    let head = '';
    for (const event of this.events.iterate(sessionId)) {
      leaves.push(leafHash(event.canonical));
      head = event.hash;
    }
    const statement: CheckpointStatement = {
      v: 1,
      type: 'proofline.checkpoint',
      session: sessionId,
      index: last.idx === null ? 0 : last.idx + 1,
      reason,
      time: this.now().toISOString(),
      treeSize: leaves.length,
      head,
      merkleRoot: merkleRoot(leaves),
      device: device.keyId,
    };
    const bytes = Buffer.from(canonicalJson(statement), 'utf8');
    const signature = device.sign(bytes);
    this.db
      .prepare('INSERT INTO checkpoints (session_id, idx, tree_size, statement, signature, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(sessionId, statement.index, statement.treeSize, bytes.toString('utf8'), signature, statement.time);
    return { statement, bytes, signature, digest: sha256Hex(bytes) };
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

export function checkpointSubject(index: number): string {
  return `checkpoint:${String(index).padStart(6, '0')}`;
}
