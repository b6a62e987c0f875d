import { CheckpointStore } from './attest/checkpoints.js';
import { loadOrCreateDeviceIdentity, type DeviceIdentity } from './attest/device-identity.js';
import { TimestampQueue } from './attest/timestamp-queue.js';
import { exportSession, type ExportOptions, type ExportResult } from './archive/write-bag.js';
import { dataLayout } from './paths.js';
import { SessionService } from './session-service.js';
import { BlobStore } from './store/blob-store.js';
import { openDatabase, type Database } from './store/database.js';
import { EventLog } from './store/event-log.js';
import { SessionTable } from './store/sessions.js';

export interface ProoflineOptions {
  readonly dataDir: string;
  /** better_sqlite3.node for the running ABI; the Electron main process passes its own build. */
  readonly nativeBinding?: string;
  readonly tsaUrls?: readonly string[];
  /**
   * Seconds within which every new event is covered by a signed, timestamped checkpoint
   * (default 60). Whoever holds the device key can rewrite what is not yet anchored, so this
   * bounds what a rewrite can reach (DESIGN.md: time is proven, not claimed).
   */
  readonly anchorSeconds?: number;
  readonly tsaTimeoutMs?: number;
  readonly now?: () => Date;
  /** Where a failed background checkpoint or TSA retry is reported (default: stderr). */
  readonly onBackgroundError?: (error: Error) => void;
}

export interface Proofline {
  readonly dataDir: string;
  readonly db: Database;
  readonly events: EventLog;
  readonly blobs: BlobStore;
  readonly checkpoints: CheckpointStore;
  readonly timestamps: TimestampQueue;
  readonly sessions: SessionService;
  device(): Promise<DeviceIdentity>;
  exportSession(idOrPrefix: string, options: ExportOptions): Promise<ExportResult>;
  /**
   * Replaces the TSAs asked from now on (the app's Settings, `seal --tsa`): open sessions take
   * them at their next checkpoint (recorded as anchoring.changed), and every pending request is
   * asked of them too.
   */
  setTsaUrls(urls: readonly string[]): void;
  setAnchorSeconds(seconds: number): void;
  /** Starts the anchoring and TSA-retry timer (long-running hosts only). */
  startTimers(): void;
  /**
   * Anchors what this process added before it exits: a checkpoint over every session it
   * appended to since its last checkpoint, and a bounded wait for the TSAs (one-shot commands).
   */
  anchorTouched(): Promise<void>;
  close(): void;
}

export const DEFAULT_ANCHOR_SECONDS = 60;
/** The bounds Settings and --anchor-seconds accept. */
export const ANCHOR_SECONDS_RANGE = { min: 5, max: 3600 } as const;

export function openProofline(options: ProoflineOptions): Proofline {
  const now = options.now ?? (() => new Date());
  const paths = dataLayout(options.dataDir);
  const db = openDatabase(paths.database, { nativeBinding: options.nativeBinding });
  const events = new EventLog(db, now);
  const blobs = new BlobStore(paths.blobs, db, now);
  const checkpoints = new CheckpointStore(db, events, now);
  const tsaUrls = [...(options.tsaUrls ?? [])];
  let anchorSeconds = options.anchorSeconds ?? DEFAULT_ANCHOR_SECONDS;
  const timestamps = new TimestampQueue(db, events, () => tsaUrls, now);
  let devicePromise: Promise<DeviceIdentity> | undefined;
  const device = (): Promise<DeviceIdentity> => (devicePromise ??= loadOrCreateDeviceIdentity(paths.device, now));
  const sessionTable = new SessionTable(db);
  // How often a long-running host looks for events to anchor: a checkpoint is taken when the
  // oldest unanchored event is within one tick of the interval, so none waits longer than it.
  const tickMs = (): number => Math.max(50, Math.min(10_000, (anchorSeconds * 1000) / 6));
  const sessions = new SessionService({
    db,
    sessions: sessionTable,
    events,
    blobs,
    checkpoints,
    timestamps,
    device,
    now,
    anchoring: () => ({ tsaUrls: [...tsaUrls], anchorSeconds, slackMs: tickMs() }),
    tsaTimeoutMs: options.tsaTimeoutMs ?? 10_000,
  });
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  let closed = false;
  const tick = async (): Promise<void> => {
    if (ticking || closed) return;
    ticking = true;
    try {
      for (const id of sessionTable.openIds()) {
        // close() may come while a checkpoint or a TSA request is awaited: stop at the next step.
        if (closed) return;
        await sessions.checkpointIfDue(id);
      }
      if (closed) return;
      await timestamps.drain({ timeoutMs: options.tsaTimeoutMs ?? 10_000 });
    } catch (error) {
      // A tick under way when the store closed fails on the closed connection: nothing was lost
      // (what it did not anchor stays pending in the store), so it ends quietly.
      if (closed) return;
      throw error;
    } finally {
      ticking = false;
    }
  };
  return {
    dataDir: options.dataDir,
    db,
    events,
    blobs,
    checkpoints,
    timestamps,
    sessions,
    device,
    exportSession: (idOrPrefix, exportOptions) => {
      const session = sessions.get(idOrPrefix);
      // The plan and the seal record read in one transaction: one snapshot, and one shared lock
      // for the ~20,000 reads of a bag of many small files, where each read outside a transaction
      // took and released it (~40,000 fcntl calls, strace -c).
      const input = db.transaction(() => ({ sessionId: session.id, plan: sessions.sealedPlan(session.id), seal: sessions.sealRecord(session.id), sealTokens: timestamps.list(session.id, 'seal'), blobs }))();
      return exportSession(input, events, exportOptions);
    },
    setTsaUrls(urls) {
      tsaUrls.splice(0, tsaUrls.length, ...urls);
    },
    setAnchorSeconds(seconds) {
      anchorSeconds = seconds;
      if (timer && !closed) {
        clearInterval(timer);
        timer = undefined;
        this.startTimers();
      }
    },
    startTimers() {
      if (timer || closed) return;
      // A checkpoint is only taken when events came and the oldest of them nears the interval.
      const report = options.onBackgroundError ?? ((error: Error) => process.stderr.write(`proofline: background checkpoint failed: ${error.message}\n`));
      timer = setInterval(() => void tick().catch(report), tickMs());
      timer.unref();
    },
    async anchorTouched() {
      for (const id of events.touched()) await sessions.anchorNow(id);
    },
    close() {
      if (closed) return;
      closed = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      db.close();
    },
  };
}
