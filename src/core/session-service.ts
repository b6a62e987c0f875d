import { basename } from 'node:path';
import type { SessionKind, SessionSummary, StoredEvent } from '../shared/domain.js';
import { checkpointSubject, type Checkpoint, type CheckpointReason, type CheckpointStore } from './attest/checkpoints.js';
import type { DeviceIdentity } from './attest/device-identity.js';
import type { DrainReport, TimestampQueue } from './attest/timestamp-queue.js';
import { planBag, type BagPlan } from './archive/bag-plan.js';
import { basicEnvironment } from './capture/basic-environment.js';
import type { BlobStore } from './store/blob-store.js';
import type { Database } from './store/database.js';
import type { EventLog, NewEvent } from './store/event-log.js';
import { sha256Hex } from './store/hashing.js';
import { mediaTypeOf } from './store/media-types.js';
import type { SessionTable } from './store/sessions.js';

export interface CreateSessionInput {
  readonly kind: SessionKind;
  readonly title: string;
  readonly creator?: string;
  readonly description?: string;
}

export interface SealResult {
  readonly session: SessionSummary;
  readonly checkpoint: Checkpoint;
  /** Checkpoint timestamp requests still pending at seal, now outside the bag (disclosed in the seal event). */
  readonly abandonedTimestamps: number;
  readonly sealTimestamps: DrainReport;
  /** Seal tokens held now, from this call or an earlier one. */
  readonly sealTokens: number;
  readonly tagManifestSha256: string;
}

export interface SessionServiceDeps {
  readonly db: Database;
  readonly sessions: SessionTable;
  readonly events: EventLog;
  readonly blobs: BlobStore;
  readonly checkpoints: CheckpointStore;
  readonly timestamps: TimestampQueue;
  readonly device: () => Promise<DeviceIdentity>;
  readonly now: () => Date;
  readonly checkpointIntervalMs: number;
  readonly tsaTimeoutMs: number;
}

/** What a user does to a session: the verbs of the CLI, the app and the web host. */
export class SessionService {
  constructor(private readonly deps: SessionServiceDeps) {}

  list(): SessionSummary[] {
    return this.deps.sessions.list();
  }

  get(idOrPrefix: string): SessionSummary {
    return this.deps.sessions.resolve(idOrPrefix);
  }

  async create(input: CreateSessionInput): Promise<SessionSummary> {
    const title = input.title.trim();
    if (!title) throw new Error('A session needs a title: say what is being recorded.');
    const device = await this.deps.device();
    const createdAt = this.deps.now().toISOString();
    const id = this.deps.db.transaction(() => {
      const sessionId = this.deps.sessions.insert({
        kind: input.kind,
        title,
        creator: input.creator?.trim() ?? '',
        description: input.description?.trim() ?? '',
        createdAt,
      });
      this.deps.events.append(sessionId, {
        type: 'session.created',
        payload: {
          kind: input.kind,
          title,
          creator: input.creator?.trim() ?? '',
          description: input.description?.trim() ?? '',
          device: { keyId: device.keyId, certificate: device.certificatePem },
          environment: basicEnvironment(),
        },
      });
      return sessionId;
    })();
    await this.checkpoint(id, 'start');
    return this.deps.sessions.get(id);
  }

  async note(idOrPrefix: string, text: string): Promise<StoredEvent> {
    const body = text.trim();
    if (!body) throw new Error('A note needs some text.');
    const session = this.assertOpen(idOrPrefix);
    const event = this.deps.events.append(session.id, { type: 'note', payload: { text: body } });
    await this.checkpointIfDue(session.id);
    return event;
  }

  /** Stores each file by hash (streamed) and records one event per file, naming it. */
  async attach(idOrPrefix: string, files: readonly string[]): Promise<StoredEvent[]> {
    const session = this.assertOpen(idOrPrefix);
    const attached: NewEvent[] = [];
    for (const path of files) {
      const blob = await this.deps.blobs.putFile(path);
      const name = basename(path);
      attached.push({
        type: 'artifact.attached',
        payload: { sourcePath: path, sm3: blob.sm3 },
        artifacts: [{ sha256: blob.sha256, size: blob.size, name, mime: mediaTypeOf(name) }],
      });
    }
    const events = this.deps.events.appendBatch(session.id, attached);
    await this.checkpointIfDue(session.id);
    return events;
  }

  private assertOpen(idOrPrefix: string): SessionSummary {
    const session = this.deps.sessions.resolve(idOrPrefix);
    if (session.state === 'sealed') {
      throw new Error(`Session ${session.id} was sealed at ${session.sealedAt}: nothing more can be added. Start a new session.`);
    }
    return session;
  }

  /** A checkpoint is due when the last one is older than the interval and events came since. */
  async checkpointIfDue(sessionId: string): Promise<Checkpoint | undefined> {
    const last = this.deps.checkpoints.latest(sessionId);
    const size = this.deps.events.count(sessionId);
    if (last && last.statement.treeSize === size) return undefined;
    if (last && this.deps.now().getTime() - Date.parse(last.statement.time) < this.deps.checkpointIntervalMs) return undefined;
    return this.checkpoint(sessionId, last ? 'interval' : 'start');
  }

  async checkpoint(sessionId: string, reason: CheckpointReason): Promise<Checkpoint> {
    const device = await this.deps.device();
    const checkpoint = this.deps.checkpoints.create(sessionId, reason, device);
    this.deps.timestamps.enqueue(sessionId, checkpointSubject(checkpoint.statement.index), checkpoint.digest);
    await this.deps.timestamps.drain({ sessionId, timeoutMs: this.deps.tsaTimeoutMs });
    return checkpoint;
  }

  /**
   * Seals: one last try for pending checkpoint tokens, the `session.sealed` event, the final
   * checkpoint and the state change in one transaction, then the tag manifest is fixed, signed
   * and timestamped. A TSA that is down does not stop the seal; the token can be fetched later
   * with `proofline seal` again, since seal.tsr lies outside the tag manifest.
   */
  async seal(idOrPrefix: string): Promise<SealResult> {
    const found = this.deps.sessions.resolve(idOrPrefix);
    if (found.state === 'sealed') return this.retrySealTimestamp(found);
    const device = await this.deps.device();
    await this.deps.timestamps.drain({ sessionId: found.id, force: true, timeoutMs: this.deps.tsaTimeoutMs });
    const sealedAt = this.deps.now().toISOString();
    let abandoned = 0;
    const checkpoint = this.deps.db.transaction(() => {
      const pending = this.deps.timestamps.list(found.id).filter((t) => t.state === 'pending');
      this.deps.events.append(found.id, {
        type: 'session.sealed',
        payload: {
          sealedAt,
          interrupted: found.interrupted,
          pendingTimestamps: pending.map((t) => ({ subject: t.subject, tsa: t.tsaUrl, attempts: t.attempts, lastError: t.lastError })),
        },
      });
      const final = this.deps.checkpoints.create(found.id, 'seal', device);
      this.deps.sessions.markSealed(found.id, sealedAt);
      abandoned = this.deps.timestamps.abandonPendingCheckpoints(found.id);
      return final;
    }).immediate();
    // The seal checkpoint's own token is not in the bag (it is taken after the bag is fixed),
    // so the seal token over the tag manifest is what attests the final state.
    const plan = this.plan(found.id);
    const signature = device.sign(plan.tagManifest);
    this.deps.db
      .prepare('INSERT INTO seals (session_id, sealed_at, tag_manifest, signature) VALUES (?, ?, ?, ?)')
      .run(found.id, sealedAt, plan.tagManifest, signature);
    this.deps.timestamps.enqueue(found.id, 'seal', sha256Hex(plan.tagManifest));
    const sealTimestamps = await this.deps.timestamps.drain({ sessionId: found.id, force: true, timeoutMs: this.deps.tsaTimeoutMs });
    return {
      session: this.deps.sessions.get(found.id),
      checkpoint,
      abandonedTimestamps: abandoned,
      sealTimestamps,
      sealTokens: this.sealTokenCount(found.id),
      tagManifestSha256: sha256Hex(plan.tagManifest),
    };
  }

  private async retrySealTimestamp(session: SessionSummary): Promise<SealResult> {
    const seal = this.sealRecord(session.id);
    const sealTimestamps = await this.deps.timestamps.drain({ sessionId: session.id, force: true, timeoutMs: this.deps.tsaTimeoutMs });
    return {
      session,
      checkpoint: this.deps.checkpoints.latest(session.id)!,
      abandonedTimestamps: 0,
      sealTimestamps,
      sealTokens: this.sealTokenCount(session.id),
      tagManifestSha256: sha256Hex(seal.tagManifest),
    };
  }

  private sealTokenCount(sessionId: string): number {
    return this.deps.timestamps.list(sessionId, 'seal').filter((t) => t.state === 'obtained').length;
  }

  sealRecord(sessionId: string): { sealedAt: string; tagManifest: Buffer; signature: Buffer } {
    const row = this.deps.db
      .prepare('SELECT sealed_at AS sealedAt, tag_manifest AS tagManifest, signature FROM seals WHERE session_id = ?')
      .get(sessionId) as { sealedAt: string; tagManifest: Buffer; signature: Buffer } | undefined;
    if (!row) throw new Error(`Session ${sessionId} has no seal record. Seal it with 'proofline seal ${sessionId}'.`);
    return row;
  }

  /** The archive's content, derived from the sealed session alone. */
  plan(sessionId: string): BagPlan {
    const session = this.deps.sessions.get(sessionId);
    const checkpoints = this.deps.checkpoints.list(sessionId);
    // The seal checkpoint's tokens are taken after the bag is fixed; only earlier ones enter it.
    const timestamps = this.deps.timestamps
      .list(sessionId)
      .filter((t) => t.state === 'obtained' && t.subject.startsWith('checkpoint:'))
      .filter((t) => t.obtainedAt !== null && session.sealedAt !== null && t.obtainedAt <= session.sealedAt);
    return planBag({
      session,
      events: () => this.deps.events.iterate(sessionId),
      blob: (sha) => this.deps.blobs.get(sha),
      checkpoints,
      timestamps,
    });
  }
}
