// The recordings of a host: for each session at most one run of live sources (the screen,
// watched folders and drafts, ComfyUI), started, paused, resumed and stopped as one.
import type { ParsedInputOf } from '../../../shared/contract.js';
import type * as V from '../../../shared/views.js';
import { ProoflineError } from '../../errors.js';
import { SessionSealedError } from '../../session-guard.js';
import { RecordingClaims, type TakenClaims } from '../../store/recording-claims.js';
import type { LeasePurpose, TakenLease } from '../../store/session-lease.js';
import type { CaptureNotice, CaptureSource } from '../capture-source.js';
import type { ComfyUIConnection } from '../creation/comfyui.js';
import type { FolderWatch } from '../creation/folder-watch.js';
import type { ScreenRecording } from '../recording/screen-recorder.js';
import type { LifecycleContext } from './deps.js';
import type { EnvironmentJobs } from './environment-jobs.js';
import * as load from './modules.js';
import { planRecording, type RecordingPlan, type RecordingRequest } from './recording-plan.js';

export type { RecordingRequest };

interface Run {
  readonly startedAt: Date;
  screen?: ScreenRecording;
  readonly sources: CaptureSource[];
  readonly notices: CaptureNotice[];
  state: 'recording' | 'paused' | 'stopping';
  lastError?: string;
  /** Settles once start() has started every source, or failed: pause and stop wait for it. */
  started: Promise<unknown>;
  /** Settles once stop() has stopped every source. */
  stopped?: Promise<void>;
  /** The end of a recording asked to last a given time. */
  timer?: NodeJS.Timeout;
  /** This process's ownership of the session while it records (released once every source stopped). */
  lease?: TakenLease;
  /** The folders and display it uses, claimed across processes (released with the lease). */
  claims?: TakenClaims;
  /** What the start found worth a warning (another session records the same display). */
  readonly warnings: string[];
}

export const IDLE: V.RecordingStatus = { state: 'idle', startedAt: null, elapsedMs: 0, segments: 0, bytes: 0, sources: [] };
const MAX_NOTICES = 50;
export const STOPPED_BY_USER = 'stopped by the user';

export class RecordingRuns {
  private readonly runs = new Map<string, Run>();
  /** How each session's last run in this host ended. */
  private readonly ended = new Map<string, V.RecordingEnd>();
  private readonly claims: RecordingClaims;

  constructor(
    private readonly context: LifecycleContext,
    private readonly environment: EnvironmentJobs,
    /** Whether the session is being sealed: nothing new may start recording it. */
    private readonly closing: (sessionId: string) => boolean,
    /** Owns the session across processes, having closed out a dead owner's recording (CaptureLifecycle.claim). */
    private readonly claim: (sessionId: string, purpose: LeasePurpose) => Promise<TakenLease>,
  ) {
    this.claims = new RecordingClaims(context.pl.db);
  }

  sessions(): string[] {
    return [...this.runs.keys()];
  }

  async start(sessionId: string, request: RecordingRequest): Promise<V.RecordingStatus> {
    if (this.runs.has(sessionId)) throw new ProoflineError('recording.already', 'This session is already recording.');
    const session = this.context.pl.sessions.get(sessionId);
    if (session.state === 'sealed' || this.closing(session.id)) {
      throw new SessionSealedError(session.id, session.sealedAt, 'This session is sealed: start a new session to record more.');
    }
    const run: Run = { startedAt: new Date(), sources: [], notices: [], warnings: [], state: 'recording', started: Promise.resolve() };
    this.runs.set(sessionId, run);
    this.ended.delete(sessionId);
    const starting = (async () => {
      // Everything the sources need is checked before anything is recorded or started.
      const plan = await planRecording(request, this.context.settings());
      // No other live process may record or seal it meanwhile; a dead one's recording is closed out first.
      run.lease = await this.claim(sessionId, 'recording');
      // No other session may watch its folders; one recording its display is said, not refused.
      run.claims = this.claims.take(sessionId, { folders: [...plan.folders, ...plan.drafts], display: plan.screen?.displayKey });
      for (const other of run.claims.sharedDisplay) {
        const warning = `session ${other.sessionId}${other.title ? ` ("${other.title}")` : ''} is recording the same display ${other.display} too (process ${other.pid} on ${other.host}, since ${other.since})`;
        run.warnings.push(warning);
        this.notice(sessionId, run, { source: 'screen', level: 'warn', message: warning });
      }
      await this.startSources(sessionId, run, request, plan);
    })();
    run.started = starting.catch(() => undefined);
    try {
      await starting;
    } catch (error) {
      if (this.runs.get(sessionId) === run) this.runs.delete(sessionId);
      // A source that had started already ends as a failure, with why: not "stopped by the user".
      const reason = `the recording could not start: ${(error as Error).message}`;
      await Promise.allSettled(run.sources.map((source) => (source === run.screen ? run.screen.fail(reason) : source.stop())));
      run.claims?.release();
      run.lease?.release();
      throw error;
    }
    // A stop (or a seal) that came while the sources started has stopped them by now.
    if (run.state !== 'stopping') {
      this.environment.ensure(sessionId, { models: request.models, comfyuiUrl: request.comfyuiUrl, ffmpegPath: request.ffmpegPath });
      const seconds = request.durationSeconds;
      if (seconds !== undefined) {
        run.timer = setTimeout(() => {
          this.stop(sessionId, `the requested duration of ${seconds} s was reached`).catch((error: unknown) =>
            this.context.reportBackground(`could not stop the recording of session ${sessionId}: ${(error as Error).message}`, error),
          );
        }, seconds * 1000);
      }
    }
    return this.status(sessionId);
  }

  async pause(sessionId: string): Promise<V.RecordingStatus> {
    const run = this.running(sessionId);
    await run.started;
    if (run.state === 'recording') {
      await run.screen?.pause();
      run.state = 'paused';
    }
    return this.status(sessionId);
  }

  async resume(sessionId: string): Promise<V.RecordingStatus> {
    const run = this.running(sessionId);
    await run.started;
    if (run.state === 'paused') {
      await run.screen?.resume();
      run.state = 'recording';
    }
    return this.status(sessionId);
  }

  /**
   * Stops every source of the session (waiting for a start under way, so that nothing it starts
   * outlives the stop); resolves once all they captured is in the chain, with how it ended.
   */
  async stop(sessionId: string, reason = STOPPED_BY_USER): Promise<V.RecordingStatus> {
    const run = this.runs.get(sessionId);
    if (!run) return this.status(sessionId);
    if (!run.stopped) {
      run.state = 'stopping';
      clearTimeout(run.timer);
      run.stopped = (async () => {
        await run.started;
        await Promise.allSettled(run.sources.map((source) => (source === run.screen ? run.screen.stop(reason) : source.stop())));
        run.claims?.release();
        run.lease?.release();
        this.ended.set(sessionId, endOf(run, reason));
        if (this.runs.get(sessionId) === run) this.runs.delete(sessionId);
      })();
    }
    await run.stopped;
    return this.status(sessionId);
  }

  status(sessionId: string): V.RecordingStatus {
    const run = this.runs.get(sessionId);
    if (!run) {
      const ended = this.ended.get(sessionId);
      return ended ? { ...IDLE, ended } : IDLE;
    }
    const screen = run.screen?.status();
    const sources = run.sources.map((source) => sourceStatus(source, run.screen));
    const lastError = run.lastError ?? screen?.lastError;
    return {
      state: screen?.state === 'failed' ? 'failed' : run.state,
      startedAt: run.startedAt.toISOString(),
      elapsedMs: screen ? screen.elapsedMs : Date.now() - run.startedAt.getTime(),
      segments: screen?.segments ?? 0,
      bytes: screen?.bytes ?? 0,
      sources,
      ...(lastError ? { lastError } : {}),
      ...(run.warnings.length > 0 ? { warnings: [...run.warnings] } : {}),
    };
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.sessions().map((id) => this.stop(id)));
  }

  private running(sessionId: string): Run {
    const run = this.runs.get(sessionId);
    if (!run) throw new ProoflineError('recording.not-running', 'This session is not recording.');
    return run;
  }

  private notice(sessionId: string, run: Run, notice: CaptureNotice): void {
    run.notices.push(notice);
    if (run.notices.length > MAX_NOTICES) run.notices.shift();
    if (notice.level === 'error') run.lastError = notice.message;
    this.context.notify(sessionId, notice);
  }

  /**
   * The sources of a checked plan: the screen first (the one still most likely to fail, if
   * ffmpeg cannot open what the display check let through), then folders, then ComfyUI.
   */
  private async startSources(sessionId: string, run: Run, request: RecordingRequest, plan: RecordingPlan): Promise<void> {
    const s = this.context.settings();
    const onNotice = (notice: CaptureNotice): void => this.notice(sessionId, run, notice);
    const { pl } = this.context;
    if (plan.screen) {
      const [{ startScreenRecording }, { QUALITY }] = await Promise.all([load.screenRecorder(), load.screenArgs()]);
      const named = QUALITY[request.quality ?? s.recording.quality];
      const screen = await startScreenRecording(pl, sessionId, {
        ffmpeg: plan.screen.ffmpeg,
        display: plan.screen.display,
        fps: request.fps ?? s.recording.fps,
        quality: { crf: request.crf ?? named.crf, preset: request.preset ?? named.preset },
        clock: request.clock ?? s.recording.clock,
        segmentSeconds: request.segmentSeconds ?? s.recording.segmentSeconds,
        region: request.region,
        sharedDisplay: run.claims?.sharedDisplay.map((o) => ({ sessionId: o.sessionId, pid: o.pid, host: o.host, since: o.since })),
        onNotice,
      });
      run.screen = screen;
      run.sources.push(screen);
    }
    if (plan.folders.length > 0 || plan.drafts.length > 0) {
      const { watchFolders } = await load.folderWatch();
      const watch = await watchFolders(pl, sessionId, { folders: plan.folders, drafts: plan.drafts, onNotice });
      run.sources.push(watch);
      await watch.ready;
    }
    if (plan.comfyuiUrl) {
      const { connectComfyUI } = await load.comfyui();
      run.sources.push(await connectComfyUI(pl, sessionId, { url: plan.comfyuiUrl, onNotice }));
    }
  }
}

function sourceStatus(source: CaptureSource, screenSource: ScreenRecording | undefined): V.SourceStatus {
  if (source === screenSource) {
    const screen = screenSource.status();
    const state = screen.state === 'failed' ? 'failed' : screen.state === 'stopped' ? 'stopped' : 'running';
    return { name: source.name, kind: 'screen', state, counts: { segments: screen.segments, droppedFrames: screen.droppedFrames }, detail: screen.lastError ?? '' };
  }
  const stats = (source as Partial<FolderWatch>).stats?.();
  if (stats) return { name: source.name, kind: 'watch', state: 'running', counts: { images: stats.images, drafts: stats.drafts, errors: stats.errors }, detail: '' };
  const comfy = (source as Partial<ComfyUIConnection>).status?.();
  if (comfy && 'connected' in comfy) return { name: source.name, kind: 'comfyui', state: comfy.connected ? 'running' : 'failed', counts: { prompts: comfy.prompts }, detail: comfy.lastError ?? '' };
  return { name: source.name, kind: 'other', state: 'running', counts: {}, detail: '' };
}

function endOf(run: Run, reason: string): V.RecordingEnd {
  const screen = run.screen?.status();
  const lastError = screen?.lastError ?? run.lastError;
  return {
    reason,
    startedAt: run.startedAt.toISOString(),
    elapsedMs: screen ? screen.elapsedMs : Date.now() - run.startedAt.getTime(),
    segments: screen?.segments ?? 0,
    bytes: screen?.bytes ?? 0,
    droppedFrames: screen?.droppedFrames ?? 0,
    screen: screen ? (screen.state === 'failed' ? 'failed' : 'stopped') : null,
    ...(lastError ? { lastError } : {}),
  };
}
