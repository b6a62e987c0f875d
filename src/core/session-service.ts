import { basename } from 'node:path';
import type { AnchoringStatus, SessionKind, SessionSummary, StoredEvent } from '../shared/domain.js';
import { checkpointSubject, type Checkpoint, type CheckpointReason, type CheckpointStore } from './attest/checkpoints.js';
import type { DeviceIdentity } from './attest/device-identity.js';
import type { DrainReport, TimestampQueue } from './attest/timestamp-queue.js';
import { publicTsaUrl } from './attest/tsa-names.js';
import { bytesFile, planBag, type BagPlan } from './archive/bag-plan.js';
import { MANIFEST_SHA256, TAGMANIFEST_SHA256 } from './archive/bag-layout.js';
import type { VerifyGuideInput } from './archive/verify-guide.js';
import { renderVerifyGuideV1 } from './archive/verify-guide-v1.js';
import { basicEnvironment } from './environment-basics.js';
import type { BlobStore } from './store/blob-store.js';
import type { Database } from './store/database.js';
import type { EventLog, NewEvent } from './store/event-log.js';
import { sha256Hex } from './store/hashing.js';
import { mediaTypeOf } from './store/media-types.js';
import type { SessionTable } from './store/sessions.js';
import { assertOpen, SessionSealedError } from './session-guard.js';
import { ProoflineError } from './errors.js';

export { SessionSealedError };

export interface CreateSessionInput {
  readonly kind: SessionKind;
  readonly title: string;
  readonly creator?: string;
  readonly description?: string;
}

export interface SealResult {
  readonly session: SessionSummary;
  readonly checkpoint: Checkpoint;
  /** Tokens over the seal checkpoint, obtained before the bag was fixed (0: its last events are proven only by seal.tsr, if at all). */
  readonly sealCheckpointTokens: number;
  /** Checkpoint timestamp requests no TSA answered before the bag was fixed (listed in the archive's timestamps.json). */
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
  /** The anchoring in force now; `slackMs`: how early a due checkpoint may be taken (one timer tick). */
  readonly anchoring: () => { readonly tsaUrls: readonly string[]; readonly anchorSeconds: number; readonly slackMs: number };
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
    if (!title) throw new ProoflineError('session.title-missing', 'A session needs a title: say what is being recorded.');
    const device = await this.deps.device();
    const createdAt = this.deps.now().toISOString();
    const { tsaUrls, anchorSeconds } = this.deps.anchoring();
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
          // What the verifier holds the session to: every event anchored within anchorSeconds.
          anchoring: { anchorSeconds, tsaUrls: tsaUrls.map(publicTsaUrl) },
        },
      });
      this.saveAnchoring(sessionId, tsaUrls, anchorSeconds);
      return sessionId;
    })();
    await this.checkpoint(id, 'start');
    return this.deps.sessions.get(id);
  }

  async note(idOrPrefix: string, text: string): Promise<StoredEvent> {
    const body = text.trim();
    if (!body) throw new ProoflineError('note.empty', 'A note needs some text.');
    const session = assertOpen(this, idOrPrefix);
    const event = this.deps.events.append(session.id, { type: 'note', payload: { text: body } });
    await this.checkpointIfDue(session.id);
    return event;
  }

  /** Stores each file by hash (streamed) and records one event per file, naming it. */
  async attach(idOrPrefix: string, files: readonly string[]): Promise<StoredEvent[]> {
    const session = assertOpen(this, idOrPrefix);
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

  /**
   * A checkpoint is due when events came since the last one and the oldest of them is about to
   * be older than the anchoring interval: one checkpoint covers them all (batched), none is taken
   * when nothing changed, and no event waits longer than the interval for its checkpoint.
   */
  async checkpointIfDue(sessionId: string): Promise<Checkpoint | undefined> {
    const last = this.deps.checkpoints.latest(sessionId);
    const head = this.deps.events.headOf(sessionId);
    if (head.size === 0 || (last && last.statement.treeSize >= head.size)) return undefined;
    if (!last) return this.checkpoint(sessionId, 'start');
    const oldest = this.deps.events.timeOf(sessionId, last.statement.treeSize);
    const { anchorSeconds, slackMs } = this.deps.anchoring();
    const waited = this.deps.now().getTime() - Date.parse(oldest ?? '');
    if (!(waited >= anchorSeconds * 1000 - slackMs)) return undefined;
    return this.checkpoint(sessionId, 'anchor');
  }

  /**
   * Anchors now whatever is not yet covered (one-shot commands, before they exit): a checkpoint
   * if events came since the last, then a bounded wait for every pending token of the session.
   */
  async anchorNow(sessionId: string): Promise<void> {
    const session = this.deps.sessions.get(sessionId);
    if (session.state === 'sealed') return;
    const last = this.deps.checkpoints.latest(sessionId);
    if (!last || last.statement.treeSize < this.deps.events.headOf(sessionId).size) {
      await this.checkpoint(sessionId, last ? 'anchor' : 'start');
      return;
    }
    await this.deps.timestamps.drain({ sessionId, force: true, timeoutMs: this.deps.tsaTimeoutMs });
  }

  async checkpoint(sessionId: string, reason: CheckpointReason): Promise<Checkpoint> {
    const device = await this.deps.device();
    this.recordAnchoringChange(sessionId);
    const checkpoint = this.deps.checkpoints.create(sessionId, reason, device);
    this.deps.timestamps.enqueue(sessionId, checkpointSubject(checkpoint.statement.index), checkpoint.digest);
    await this.deps.timestamps.drain({ sessionId, timeoutMs: this.deps.tsaTimeoutMs });
    return checkpoint;
  }

  /**
   * Settings' TSAs or interval changed since the session last anchored: say so in the chain
   * before the next checkpoint, which then uses them (the verifier reads the interval from here).
   */
  private recordAnchoringChange(sessionId: string): void {
    const { tsaUrls, anchorSeconds } = this.deps.anchoring();
    const row = this.deps.db
      .prepare('SELECT tsa_urls AS tsaUrls, anchor_seconds AS anchorSeconds FROM session_anchoring WHERE session_id = ?')
      .get(sessionId) as { tsaUrls: string; anchorSeconds: number } | undefined;
    if (row && row.tsaUrls === JSON.stringify(tsaUrls) && row.anchorSeconds === anchorSeconds) return;
    this.deps.db.transaction(() => {
      this.deps.events.append(sessionId, {
        type: 'anchoring.changed',
        payload: {
          anchorSeconds,
          tsaUrls: tsaUrls.map(publicTsaUrl),
          previous: row ? { anchorSeconds: row.anchorSeconds, tsaUrls: (JSON.parse(row.tsaUrls) as string[]).map(publicTsaUrl) } : null,
        },
      });
      this.saveAnchoring(sessionId, tsaUrls, anchorSeconds);
    })();
  }

  private saveAnchoring(sessionId: string, tsaUrls: readonly string[], anchorSeconds: number): void {
    this.deps.db
      .prepare(
        `INSERT INTO session_anchoring (session_id, tsa_urls, anchor_seconds) VALUES (?, ?, ?)
         ON CONFLICT (session_id) DO UPDATE SET tsa_urls = excluded.tsa_urls, anchor_seconds = excluded.anchor_seconds`,
      )
      .run(sessionId, JSON.stringify(tsaUrls), anchorSeconds);
  }

  /** How far the session is proven to exist: what the live screens show beside the record button. */
  anchoring(idOrPrefix: string): AnchoringStatus {
    const session = this.deps.sessions.resolve(idOrPrefix);
    const { tsaUrls, anchorSeconds } = this.deps.anchoring();
    const head = this.deps.events.headOf(session.id);
    // Earliest token per checkpoint (and the seal, which covers everything), in order of size.
    const proofs = this.deps.db
      .prepare(
        `SELECT c.tree_size AS size, MIN(t.gen_time) AS genTime FROM checkpoints c
           JOIN timestamp_requests t ON t.session_id = c.session_id AND t.state = 'obtained'
            AND t.subject = 'checkpoint:' || printf('%06d', c.idx)
          WHERE c.session_id = ? GROUP BY c.idx
         UNION ALL
         SELECT ? AS size, MIN(gen_time) AS genTime FROM timestamp_requests
          WHERE session_id = ? AND subject = 'seal' AND state = 'obtained' HAVING COUNT(*) > 0
         ORDER BY size`,
      )
      .all(session.id, head.size, session.id) as { size: number; genTime: string }[];
    // Event i is proven by the earliest token over any checkpoint larger than i.
    const earliest: string[] = [];
    for (let i = proofs.length - 1, min = ''; i >= 0; i--) earliest[i] = min = min === '' || proofs[i]!.genTime < min ? proofs[i]!.genTime : min;
    let covered = 0;
    let largest: number | null = null;
    let lastProvenAt: string | null = null;
    proofs.forEach((proof, i) => {
      if (proof.size <= covered) return;
      const firstTime = this.deps.events.timeOf(session.id, covered);
      const gap = (Date.parse(earliest[i]!) - Date.parse(firstTime ?? '')) / 1000;
      if (Number.isFinite(gap)) largest = Math.max(largest ?? 0, gap);
      covered = proof.size;
      if (!lastProvenAt || proof.genTime > lastProvenAt) lastProvenAt = proof.genTime;
    });
    const unprovenSince = covered < head.size ? this.deps.events.timeOf(session.id, covered) ?? null : null;
    if (unprovenSince && session.state !== 'sealed') {
      const waiting = (this.deps.now().getTime() - Date.parse(unprovenSince)) / 1000;
      largest = Math.max(largest ?? 0, Math.round(waiting));
    }
    const lastError = this.deps.db
      .prepare(`SELECT last_error AS e FROM timestamp_requests WHERE session_id = ? AND state = 'pending' AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1`)
      .get(session.id) as { e: string } | undefined;
    return {
      anchorSeconds,
      tsaUrls,
      events: head.size,
      provenEvents: covered,
      lastProvenAt,
      unprovenSince,
      largestGapSeconds: largest === null ? null : Math.round(largest),
      pending: this.deps.timestamps.pendingCount(session.id),
      lastError: lastError?.e ?? null,
    };
  }

  /**
   * Seals, in two steps that each survive a crash:
   * 1. one last try for pending checkpoint tokens, then `session.sealed`, the seal checkpoint and
   *    the state change in one transaction, and a bounded wait for the seal checkpoint's token;
   * 2. the bag is fixed: checkpoint requests still unanswered are given up (and listed in the
   *    archive), the tag manifest is derived, signed and timestamped.
   * A TSA that is down does not stop the seal: `proofline seal` again asks the TSAs configured
   * then for seal.tsr, which lies outside the tag manifest (and is judged by its date).
   */
  async seal(idOrPrefix: string): Promise<SealResult> {
    const found = this.deps.sessions.resolve(idOrPrefix);
    // Sealed with no seal record: the process that began the seal ended before it fixed the bag
    // (a live one would hold the session's lease). This one finishes it, and the bag says so.
    if (found.state === 'sealed') return this.hasSealRecord(found.id) ? this.retrySealTimestamp(found) : this.fixBag(found.id, this.deps.now().toISOString());
    const device = await this.deps.device();
    this.recordAnchoringChange(found.id);
    await this.deps.timestamps.drain({ sessionId: found.id, force: true, timeoutMs: this.deps.tsaTimeoutMs });
    const sealedAt = this.deps.now().toISOString();
    this.deps.db.transaction(() => {
      // Another process may have sealed it since we looked.
      const current = this.deps.sessions.get(found.id);
      if (current.state === 'sealed') throw new SessionSealedError(found.id, current.sealedAt);
      const pending = this.deps.timestamps.list(found.id).filter((t) => t.state === 'pending');
      this.deps.events.append(found.id, {
        type: 'session.sealed',
        payload: {
          sealedAt,
          interrupted: current.interrupted,
          pendingTimestamps: pending.map((t) => ({ subject: t.subject, tsa: publicTsaUrl(t.tsaUrl), attempts: t.attempts, lastError: t.lastError })),
        },
      });
      const final = this.deps.checkpoints.create(found.id, 'seal', device);
      this.deps.sessions.markSealed(found.id, sealedAt);
      this.deps.timestamps.enqueue(found.id, checkpointSubject(final.statement.index), final.digest);
    }).immediate();
    return this.fixBag(found.id);
  }

  private async fixBag(sessionId: string, resumedAt?: string): Promise<SealResult> {
    const device = await this.deps.device();
    // The seal checkpoint's token goes into the bag, so it is asked for before the bag is fixed.
    await this.deps.timestamps.drain({ sessionId, force: true, timeoutMs: this.deps.tsaTimeoutMs });
    let abandoned = 0;
    const plan = this.deps.db.transaction(() => {
      if (this.hasSealRecord(sessionId)) return undefined; // another process fixed it meanwhile
      abandoned = this.deps.timestamps.abandonPendingCheckpoints(sessionId);
      const fixed = this.plan(sessionId, undefined, resumedAt);
      this.deps.db
        .prepare('INSERT INTO seals (session_id, sealed_at, tag_manifest, signature) VALUES (?, ?, ?, ?)')
        .run(sessionId, fixed.sealedAt, fixed.tagManifest, device.sign(fixed.tagManifest));
      // The tag files' exact bytes, so every later export writes this bag whatever build runs it.
      const keep = this.deps.db.prepare('INSERT INTO seal_tag_files (session_id, path, bytes) VALUES (?, ?, ?)');
      for (const tag of fixed.tags) if (tag.source.kind === 'bytes') keep.run(sessionId, tag.path, tag.source.data);
      this.deps.timestamps.enqueue(sessionId, 'seal', sha256Hex(fixed.tagManifest));
      return fixed;
    }).immediate();
    if (!plan) return this.retrySealTimestamp(this.deps.sessions.get(sessionId));
    const sealTimestamps = await this.deps.timestamps.drain({ sessionId, force: true, timeoutMs: this.deps.tsaTimeoutMs });
    const checkpoint = this.deps.checkpoints.latest(sessionId)!;
    return {
      session: this.deps.sessions.get(sessionId),
      checkpoint,
      sealCheckpointTokens: this.tokenCount(sessionId, checkpointSubject(checkpoint.statement.index)),
      abandonedTimestamps: abandoned,
      sealTimestamps,
      sealTokens: this.tokenCount(sessionId, 'seal'),
      tagManifestSha256: sha256Hex(plan.tagManifest),
    };
  }

  private hasSealRecord(sessionId: string): boolean {
    return this.deps.db.prepare('SELECT 1 FROM seals WHERE session_id = ?').get(sessionId) !== undefined;
  }

  private async retrySealTimestamp(session: SessionSummary): Promise<SealResult> {
    const seal = this.sealRecord(session.id);
    // A seal made with no TSA (or whose requests were given up) is asked of the TSAs configured now.
    if (this.tokenCount(session.id, 'seal') === 0) this.deps.timestamps.enqueue(session.id, 'seal', sha256Hex(seal.tagManifest));
    const sealTimestamps = await this.deps.timestamps.drain({ sessionId: session.id, force: true, timeoutMs: this.deps.tsaTimeoutMs });
    const checkpoint = this.deps.checkpoints.latest(session.id)!;
    return {
      session,
      checkpoint,
      sealCheckpointTokens: this.tokenCount(session.id, checkpointSubject(checkpoint.statement.index)),
      abandonedTimestamps: this.deps.timestamps.list(session.id).filter((t) => t.state === 'abandoned').length,
      sealTimestamps,
      sealTokens: this.tokenCount(session.id, 'seal'),
      tagManifestSha256: sha256Hex(seal.tagManifest),
    };
  }

  private tokenCount(sessionId: string, subject: string): number {
    return this.deps.timestamps.list(sessionId, subject).filter((t) => t.state === 'obtained').length;
  }

  sealRecord(sessionId: string): { sealedAt: string; tagManifest: Buffer; signature: Buffer } {
    const row = this.deps.db
      .prepare('SELECT sealed_at AS sealedAt, tag_manifest AS tagManifest, signature FROM seals WHERE session_id = ?')
      .get(sessionId) as { sealedAt: string; tagManifest: Buffer; signature: Buffer } | undefined;
    if (!row) throw new ProoflineError('session.seal-unfinished', `Session ${sessionId} has no seal record: its seal did not finish. Run 'proofline seal ${sessionId}' to finish it.`, { sessionId });
    return row;
  }

  /** The archive's content, derived from the sealed session alone. */
  /**
   * The bag as it was fixed at seal, for export. The payload is always derived from the store;
   * the tag files are the bytes kept at seal when the payload manifest derived now is the one
   * kept then (a later build may word VERIFY.md differently). A session sealed before tag files
   * were kept is re-derived with the VERIFY.md text of its time. Whatever else differs is left
   * to the export, which refuses a bag that is not the sealed one.
   */
  sealedPlan(sessionId: string): BagPlan {
    const derived = this.plan(sessionId);
    const sealed = this.sealRecord(sessionId).tagManifest;
    if (derived.tagManifest.equals(sealed)) return derived;
    const kept = this.deps.db.prepare('SELECT path, bytes FROM seal_tag_files WHERE session_id = ? ORDER BY path').all(sessionId) as { path: string; bytes: Buffer }[];
    if (kept.length > 0) {
      const derivedManifest = derived.tags.find((t) => t.path === MANIFEST_SHA256);
      const keptManifest = kept.find((t) => t.path === MANIFEST_SHA256);
      if (derivedManifest?.source.kind !== 'bytes' || !keptManifest || !derivedManifest.source.data.equals(keptManifest.bytes)) return derived;
      const tags = kept.filter((t) => t.path !== TAGMANIFEST_SHA256).map((t) => bytesFile(t.path, t.bytes));
      return { ...derived, tags: [...tags, bytesFile(TAGMANIFEST_SHA256, sealed)], tagManifest: sealed };
    }
    const legacy = this.plan(sessionId, renderVerifyGuideV1);
    return legacy.tagManifest.equals(sealed) ? legacy : derived;
  }

  plan(sessionId: string, renderGuide?: (input: VerifyGuideInput) => string, sealResumedAt?: string): BagPlan {
    const session = this.deps.sessions.get(sessionId);
    const checkpoints = this.deps.checkpoints.list(sessionId);
    // Every checkpoint request is answered or given up when the bag is fixed (fixBag), so what
    // is obtained then is final: later exports plan the same bag.
    const timestamps = this.deps.timestamps.list(sessionId).filter((t) => t.subject.startsWith('checkpoint:') && t.state !== 'pending');
    const [created] = this.deps.events.iterate(sessionId, 0, 1);
    return planBag({
      session,
      eventsFile: this.deps.checkpoints.eventsFile(sessionId),
      created: created?.body,
      artifacts: this.deps.events.artifactsFirstNamed(sessionId),
      checkpoints,
      timestamps,
      ...(renderGuide && { renderGuide }),
      ...(sealResumedAt && { sealResumedAt }),
    });
  }
}
