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
  /** Minutes between checkpoints while a session is open (DESIGN.md: every few minutes). */
  readonly checkpointIntervalMinutes?: number;
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
  /** Replaces the TSAs asked from now on (the app's Settings); queued requests keep their URL. */
  setTsaUrls(urls: readonly string[]): void;
  /** Starts the periodic checkpoint and TSA-retry timer (long-running hosts only). */
  startTimers(): void;
  close(): void;
}

export const DEFAULT_CHECKPOINT_MINUTES = 5;

export function openProofline(options: ProoflineOptions): Proofline {
  const now = options.now ?? (() => new Date());
  const paths = dataLayout(options.dataDir);
  const db = openDatabase(paths.database, { nativeBinding: options.nativeBinding });
  const events = new EventLog(db, now);
  const blobs = new BlobStore(paths.blobs, db, now);
  const checkpoints = new CheckpointStore(db, events, now);
  const tsaUrls = [...(options.tsaUrls ?? [])];
  const timestamps = new TimestampQueue(db, events, () => tsaUrls, now);
  let devicePromise: Promise<DeviceIdentity> | undefined;
  const device = (): Promise<DeviceIdentity> => (devicePromise ??= loadOrCreateDeviceIdentity(paths.device, now));
  const sessionTable = new SessionTable(db);
  const checkpointIntervalMs = (options.checkpointIntervalMinutes ?? DEFAULT_CHECKPOINT_MINUTES) * 60_000;
  const sessions = new SessionService({
    db,
    sessions: sessionTable,
    events,
    blobs,
    checkpoints,
    timestamps,
    device,
    now,
    checkpointIntervalMs,
    tsaTimeoutMs: options.tsaTimeoutMs ?? 10_000,
  });
  let timer: NodeJS.Timeout | undefined;
  let ticking = false;
  const tick = async (): Promise<void> => {
    if (ticking) return;
    ticking = true;
    try {
      for (const id of sessionTable.openIds()) await sessions.checkpointIfDue(id);
      await timestamps.drain({ timeoutMs: options.tsaTimeoutMs ?? 10_000 });
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
      return exportSession(
        { sessionId: session.id, plan: sessions.plan(session.id), seal: sessions.sealRecord(session.id), sealTokens: timestamps.list(session.id, 'seal'), blobs },
        events,
        exportOptions,
      );
    },
    setTsaUrls(urls) {
      tsaUrls.splice(0, tsaUrls.length, ...urls);
    },
    startTimers() {
      if (timer) return;
      // Check every 30 s; a checkpoint is only taken when the interval has passed and events came.
      const report = options.onBackgroundError ?? ((error: Error) => process.stderr.write(`proofline: background checkpoint failed: ${error.message}\n`));
      timer = setInterval(() => void tick().catch(report), Math.min(30_000, checkpointIntervalMs));
      timer.unref();
    },
    close() {
      if (timer) clearInterval(timer);
      db.close();
    },
  };
}
