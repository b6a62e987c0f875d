// The one capture lifecycle (DESIGN.md "Architecture"): the live capture sources of each session
// and the capture operations of the contract, for every host alike. The app, `proofline serve`
// and the CLI create one over their Proofline instance and a settings getter; the operation
// handlers (src/host/operations.ts) call it, and so does nothing else. It holds, per session, at
// most one recording (screen, watched folders and drafts, ComfyUI) and one interactive browser;
// takes the environment snapshot once per session; closes out recordings that died with an
// earlier process; and stops everything at shutdown. Capture modules load on first use.
import type { ArtifactRef, StoredEvent } from '../../../shared/domain.js';
import type * as V from '../../../shared/views.js';
import { SessionLeases, type LeasePurpose, type TakenLease } from '../../store/session-lease.js';
import { BrowserSessions, type BrowseRequest } from './browsing.js';
import { capabilities } from './capabilities.js';
import * as creation from './creation.js';
import { lifecycleContext, type CaptureLifecycleDeps, type LifecycleContext } from './deps.js';
import { EnvironmentJobs, type EnvironmentRequest } from './environment-jobs.js';
import * as load from './modules.js';
import { RecordingRuns, STOPPED_BY_USER, type RecordingRequest } from './recording-runs.js';
import * as web from './web-capture.js';

export type { CaptureLifecycleDeps } from './deps.js';
export type { RecordingRequest } from './recording-runs.js';
export type { BrowseRequest } from './browsing.js';
export type { BatchRequest, CheckRequest } from './web-capture.js';
export type { CompareRequest, Relation } from './creation.js';
export type { EnvironmentRequest } from './environment-jobs.js';

export class CaptureLifecycle {
  private readonly context: LifecycleContext;
  private readonly environment: EnvironmentJobs;
  private readonly recordings: RecordingRuns;
  private readonly browsers: BrowserSessions;
  /** Sessions being sealed: no recording, browser or batch may start on them meanwhile. */
  private readonly sealing = new Set<string>();
  /** Who owns each session across processes (DESIGN.md "One owner per session"). */
  private readonly leases: SessionLeases;

  constructor(deps: CaptureLifecycleDeps) {
    this.context = lifecycleContext(deps);
    this.leases = new SessionLeases(deps.pl.db);
    const closing = (sessionId: string): boolean => this.sealing.has(sessionId);
    const claim = (sessionId: string, purpose: LeasePurpose): Promise<TakenLease> => this.claim(sessionId, purpose);
    this.environment = new EnvironmentJobs(this.context);
    this.recordings = new RecordingRuns(this.context, this.environment, closing, claim);
    this.browsers = new BrowserSessions(this.context, closing, claim);
  }

  /** What can be captured here: ffmpeg, a browser, a display. */
  capabilities(): Promise<V.AppInfo['capabilities']> {
    return capabilities(this.context);
  }

  // --- Recording: screen, watched folders and drafts, ComfyUI ----------------------------------

  /** Sessions with a live recording, for the tray indicator. */
  recordingSessions(): string[] {
    return this.recordings.sessions();
  }

  /** Starts every source asked for (or in Settings); the environment is snapshotted if the session has none. */
  start(sessionId: string, request: RecordingRequest): Promise<V.RecordingStatus> {
    return this.recordings.start(sessionId, request);
  }

  pause(sessionId: string): Promise<V.RecordingStatus> {
    return this.recordings.pause(sessionId);
  }

  resume(sessionId: string): Promise<V.RecordingStatus> {
    return this.recordings.resume(sessionId);
  }

  /** Stops every source of the session; resolves once all they captured is in the chain (`ended` says how). */
  stop(sessionId: string, reason: string = STOPPED_BY_USER): Promise<V.RecordingStatus> {
    return this.recordings.stop(sessionId, reason);
  }

  status(sessionId: string): V.RecordingStatus {
    return this.recordings.status(sessionId);
  }

  // --- Interactive web capture -----------------------------------------------------------------

  browseStart(sessionId: string, request: BrowseRequest): Promise<V.BrowseStatus> {
    return this.browsers.start(sessionId, request);
  }

  browseCaptureNow(sessionId: string): Promise<StoredEvent> {
    return this.browsers.captureNow(sessionId);
  }

  browseStop(sessionId: string, reason: string = STOPPED_BY_USER): Promise<V.BrowseStatus> {
    return this.browsers.stop(sessionId, reason);
  }

  browseStatus(sessionId: string): V.BrowseStatus {
    return this.browsers.status(sessionId);
  }

  // --- One-shot web capture --------------------------------------------------------------------

  checkEnvironment(sessionId: string | undefined, request: web.CheckRequest, progress: (p: V.Progress) => void, signal: AbortSignal): Promise<V.EnvironmentCheck> {
    return web.checkEnvironment(this.context, sessionId, request, progress, signal);
  }

  captureUrls(sessionId: string, request: web.BatchRequest, progress: (p: V.CaptureProgress) => void, signal: AbortSignal): Promise<V.BatchSummary> {
    return web.captureUrls(this.context, sessionId, this.sealing.has(sessionId), request, progress, signal, (purpose) => this.claim(sessionId, purpose));
  }

  async pages(sessionId: string): Promise<V.CapturedPage[]> {
    return web.pages(this.context, sessionId);
  }

  // --- The environment snapshot ----------------------------------------------------------------

  /** The full environment snapshot of a new creation session, taken in the background. */
  snapshotEnvironmentLater(sessionId: string): void {
    this.environment.later(sessionId);
  }

  /** The background environment snapshot of a session this host started, if any. */
  environmentJob(sessionId: string): V.EnvironmentJob | null {
    return this.environment.job(sessionId);
  }

  snapshotEnvironment(sessionId: string | undefined, request: EnvironmentRequest, progress: (p: V.Progress) => void, signal: AbortSignal): Promise<V.EnvironmentSnapshot> {
    return this.environment.snapshot(sessionId, request, progress, signal);
  }

  // --- The creator's record --------------------------------------------------------------------

  async gallery(sessionId: string): Promise<V.Gallery> {
    return creation.gallery(this.context, sessionId);
  }

  mark(sessionId: string, sha256: string, mark: V.Mark, reason?: string): Promise<StoredEvent> {
    return creation.mark(this.context, sessionId, sha256, mark, reason);
  }

  link(sessionId: string, from: string, to: string, relation: creation.Relation, note?: string): Promise<StoredEvent> {
    return creation.link(this.context, sessionId, from, to, relation, note);
  }

  compare(sessionId: string, a: string, b: string, request: creation.CompareRequest = {}): Promise<V.Comparison> {
    return creation.compare(this.context, sessionId, a, b, request);
  }

  /** The artifact with this SHA-256 (or unique prefix of 8+ digits) in the session; undefined if none. */
  findArtifact(sessionId: string, sha256: string): Promise<ArtifactRef | undefined> {
    return creation.findArtifact(this.context, sessionId, sha256);
  }

  // --- Start, seal and shutdown ----------------------------------------------------------------

  /**
   * Closes out recordings and batch captures whose process died (a crash, kill -9): each gets a
   * `session.interrupted` or `web.capture.interrupted` event saying what survived; resolves with one line per recording recovered. A host starting
   * up reports a failure and goes on; `strict` (a command about to seal or record) throws it.
   */
  async recoverInterrupted(options: { readonly strict?: boolean } = {}): Promise<string[]> {
    try {
      const { recoverInterruptedRecordings, describeRecovery } = await load.recovery();
      const { recoverInterruptedBatches, describeBatchRecovery } = await load.batchRecovery();
      const recordings = (await recoverInterruptedRecordings(this.context.pl, { leases: this.leases })).map(describeRecovery);
      return [...recordings, ...recoverInterruptedBatches(this.context.pl, { leases: this.leases }).map(describeBatchRecovery)];
    } catch (error) {
      if (options.strict) throw error;
      this.context.reportBackground(`could not recover an interrupted recording: ${(error as Error).message}`, error);
      return [];
    }
  }

  /**
   * Runs `work` (the seal) with the session's capture stopped: its recording and browser end first
   * (a start still under way is waited for), its environment snapshot under way is recorded, and
   * no capture can start until `work` has finished.
   */
  async whileSealing<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    this.sealing.add(sessionId);
    let lease: TakenLease | undefined;
    try {
      await this.recordings.stop(sessionId);
      await this.browsers.stop(sessionId);
      await this.environment.settle(sessionId);
      // Another process that records the session refuses the seal; one that died is closed out.
      lease = await this.claim(sessionId, 'sealing');
      return await work();
    } finally {
      lease?.release();
      this.sealing.delete(sessionId);
    }
  }

  /**
   * Before an export: refuses while another live process holds the session (it is being sealed
   * or recorded there), and closes out a recording whose process died.
   */
  async beforeExport(sessionId: string): Promise<void> {
    this.leases.assertNotOwned(sessionId, 'export');
    await this.recoverSession(sessionId);
  }

  /**
   * Makes this process the session's owner for `purpose` (SessionOwnedError, naming the owner,
   * while another live process holds it), then closes out any recording a dead owner left, so
   * that what follows (a recording, a seal) starts from a chain with every recording ended.
   */
  private async claim(sessionId: string, purpose: LeasePurpose): Promise<TakenLease> {
    const lease = this.leases.take(sessionId, purpose, purpose === 'sealing' ? 'seal' : purpose === 'capture' ? 'capture into' : 'record');
    try {
      await this.recoverSession(sessionId);
    } catch (error) {
      lease.release();
      throw error;
    }
    return lease;
  }

  private async recoverSession(sessionId: string): Promise<void> {
    const { recoverInterruptedRecordings, describeRecovery } = await load.recovery();
    for (const report of await recoverInterruptedRecordings(this.context.pl, { leases: this.leases, sessionId })) {
      this.context.notify(sessionId, { source: 'recovery', level: 'warn', message: describeRecovery(report), eventSeq: report.eventSeq });
    }
    const { recoverInterruptedBatches, describeBatchRecovery } = await load.batchRecovery();
    for (const report of recoverInterruptedBatches(this.context.pl, { leases: this.leases, sessionId })) {
      this.context.notify(sessionId, { source: 'recovery', level: 'warn', message: describeBatchRecovery(report), eventSeq: report.eventSeq });
    }
  }

  /** Stops every capture source and waits for the environment snapshots under way (app quit, server shutdown, CLI exit). */
  async stopAll(): Promise<void> {
    await this.browsers.stopAll();
    await this.recordings.stopAll();
    await this.environment.settle();
  }
}
