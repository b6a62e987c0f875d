// Holds the live capture sources of each session for a long-running host (the app, `proofline
// serve`) and answers the capture operations of the contract through the core's capture modules.
// The CLI's `record` and `capture` use the same modules directly.
import { locateFfmpeg } from '../core/capture/recording/ffmpeg-locate.js';
import { findBrowser } from '../core/capture/web/browser-locate.js';
import type { CaptureNotice, CaptureSource } from '../core/capture/capture-source.js';
import { runEnvironmentCheck, recordEnvironmentCheck, TITLES_ZH, type FindingId } from '../core/capture/web/clean-env/index.js';
import { connectComfyUI, type ComfyUIConnection } from '../core/capture/creation/comfyui.js';
import { compareImages } from '../core/capture/creation/compare.js';
import { creationGallery } from '../core/capture/creation/creation-view.js';
import { captureEnvironment } from '../core/capture/environment/environment.js';
import { watchFolders, type FolderWatch } from '../core/capture/creation/folder-watch.js';
import { linkGenerations } from '../core/capture/creation/lineage.js';
import { ArtifactLookupError, findSessionArtifact, markGeneration } from '../core/capture/creation/marks.js';
import { recoverInterruptedRecordings } from '../core/capture/recording/recording-recovery.js';
import { startScreenRecording, type ScreenRecording } from '../core/capture/recording/screen-recorder.js';
import { captureUrls } from '../core/capture/web/capture-urls.js';
import { startInteractiveCapture, type InteractiveCapture } from '../core/capture/web/interactive.js';
import type { Proofline } from '../core/proofline.js';
import type { ArtifactRef, StoredEvent } from '../shared/domain.js';
import type { ParsedInputOf, Settings } from '../shared/contract.js';
import type * as V from '../shared/views.js';
import { OperationFailure } from './operation-failure.js';

interface Running {
  readonly startedAt: Date;
  readonly screen?: ScreenRecording;
  readonly sources: CaptureSource[];
  readonly notices: CaptureNotice[];
  state: 'recording' | 'paused' | 'stopping' | 'failed';
  lastError?: string;
}

const IDLE: V.RecordingStatus = { state: 'idle', startedAt: null, elapsedMs: 0, segments: 0, bytes: 0, sources: [] };
const MAX_NOTICES = 50;

interface Browsing {
  readonly capture: InteractiveCapture;
  readonly startedAt: Date;
  state: 'browsing' | 'stopping';
  lastError?: string;
}

export class CaptureHub {
  private readonly running = new Map<string, Running>();
  private readonly browsing = new Map<string, Browsing>();
  private readonly environmentJobs = new Set<Promise<unknown>>();
  private readonly environment = new Map<string, V.EnvironmentJob>();

  constructor(
    private readonly pl: Proofline,
    private readonly settings: () => Settings,
    private readonly onBackgroundError: (error: Error) => void = (error) => process.stderr.write(`proofline: ${error.message}\n`),
  ) {}

  async capabilities(): Promise<V.AppInfo['capabilities']> {
    const s = this.settings();
    const [ffmpeg, browser] = await Promise.allSettled([locateFfmpeg(s.ffmpegPath || undefined), findBrowser(s.browserPath || undefined)]);
    const configuredDisplay = s.recording.display || process.env['DISPLAY'];
    const display = process.platform !== 'linux' || Boolean(configuredDisplay);
    return {
      ffmpeg: ffmpeg.status === 'fulfilled' ? { ok: true, detail: `${ffmpeg.value.version} (${ffmpeg.value.path})` } : { ok: false, detail: (ffmpeg.reason as Error).message },
      browser: browser.status === 'fulfilled' ? { ok: true, detail: `${browser.value.version ?? 'Chromium'} (${browser.value.path})` } : { ok: false, detail: (browser.reason as Error).message },
      display: { ok: display, detail: display ? (configuredDisplay ?? 'desktop') : 'no X display (DISPLAY is not set; choose one in Settings)' },
    };
  }

  /** Sessions with a live capture, for the tray indicator. */
  recordingSessions(): string[] {
    return [...this.running.keys()];
  }

  status(sessionId: string): V.RecordingStatus {
    const run = this.running.get(sessionId);
    if (!run) return IDLE;
    const screen = run.screen?.status();
    const sources: V.SourceStatus[] = run.sources.map((source): V.SourceStatus => {
      if (source === run.screen && screen) {
        return { name: source.name, kind: 'screen', state: screen.state === 'failed' ? 'failed' : screen.state === 'stopped' ? 'stopped' : 'running', counts: { segments: screen.segments, droppedFrames: screen.droppedFrames }, detail: screen.lastError ?? '' };
      }
      const stats = (source as Partial<FolderWatch>).stats?.();
      if (stats) return { name: source.name, kind: 'watch', state: 'running', counts: { images: stats.images, drafts: stats.drafts, errors: stats.errors }, detail: '' };
      const comfy = (source as Partial<ComfyUIConnection>).status?.();
      if (comfy && 'connected' in comfy) return { name: source.name, kind: 'comfyui', state: comfy.connected ? 'running' : 'failed', counts: { prompts: comfy.prompts }, detail: comfy.lastError ?? '' };
      return { name: source.name, kind: 'other', state: 'running', counts: {}, detail: '' };
    });
    const failed = screen?.state === 'failed';
    const lastError = run.lastError ?? screen?.lastError;
    return {
      state: failed ? 'failed' : run.state,
      startedAt: run.startedAt.toISOString(),
      elapsedMs: screen ? screen.elapsedMs : Date.now() - run.startedAt.getTime(),
      segments: screen?.segments ?? 0,
      bytes: screen?.bytes ?? 0,
      sources,
      ...(lastError ? { lastError } : {}),
    };
  }

  async start(sessionId: string, input: ParsedInputOf<'recording.start'>): Promise<V.RecordingStatus> {
    if (this.running.has(sessionId)) throw new OperationFailure('conflict', 'This session is already recording.');
    const session = this.pl.sessions.get(sessionId);
    if (session.state === 'sealed') throw new OperationFailure('conflict', 'This session is sealed: start a new session to record more.');
    const s = this.settings();
    const run: Running = { startedAt: new Date(), sources: [], notices: [], state: 'recording' };
    const onNotice = (notice: CaptureNotice): void => {
      run.notices.push(notice);
      if (run.notices.length > MAX_NOTICES) run.notices.shift();
      if (notice.level === 'error') run.lastError = notice.message;
    };
    this.running.set(sessionId, run);
    try {
      if (input.screen) {
        const screen = await startScreenRecording(this.pl, sessionId, {
          ffmpegPath: s.ffmpegPath || undefined,
          display: s.recording.display || undefined,
          fps: s.recording.fps,
          quality: s.recording.quality,
          clock: s.recording.clock,
          segmentSeconds: s.recording.segmentSeconds,
          region: input.region,
          onNotice,
        });
        (run as { screen?: ScreenRecording }).screen = screen;
        run.sources.push(screen);
      }
      const folders = input.watch ?? s.watchFolders;
      const drafts = input.drafts ?? s.draftFolders;
      if (folders.length > 0 || drafts.length > 0) {
        const watch = await watchFolders(this.pl, sessionId, { folders, drafts, onNotice });
        run.sources.push(watch);
        await watch.ready;
      }
      const comfy = input.comfyuiUrl ?? (s.comfyuiUrl || undefined);
      if (comfy) run.sources.push(await connectComfyUI(this.pl, sessionId, { url: comfy, onNotice }));
      if (run.sources.length === 0) {
        throw new OperationFailure('invalid-input', 'Nothing to record: turn on screen recording, or add a watched folder or a ComfyUI address in Settings.');
      }
    } catch (error) {
      this.running.delete(sessionId);
      await Promise.allSettled(run.sources.map((source) => source.stop()));
      throw error;
    }
    return this.status(sessionId);
  }

  async pause(sessionId: string): Promise<V.RecordingStatus> {
    const run = this.running.get(sessionId);
    if (!run) throw new OperationFailure('conflict', 'This session is not recording.');
    if (run.state === 'recording') {
      await run.screen?.pause();
      run.state = 'paused';
    }
    return this.status(sessionId);
  }

  async resume(sessionId: string): Promise<V.RecordingStatus> {
    const run = this.running.get(sessionId);
    if (!run) throw new OperationFailure('conflict', 'This session is not recording.');
    if (run.state === 'paused') {
      await run.screen?.resume();
      run.state = 'recording';
    }
    return this.status(sessionId);
  }

  /** Stops every source of the session; resolves once all they captured is in the chain. */
  async stop(sessionId: string): Promise<void> {
    const run = this.running.get(sessionId);
    if (!run) return;
    run.state = 'stopping';
    await Promise.allSettled(run.sources.map((s) => (s === run.screen ? run.screen.stop('stopped by the user') : s.stop())));
    this.running.delete(sessionId);
  }

  async browseStart(sessionId: string, url: string | undefined, recordScreen: boolean): Promise<V.BrowseStatus> {
    if (this.browsing.has(sessionId)) throw new OperationFailure('conflict', 'A browser is already open for this session.');
    const s = this.settings();
    const entry: { value?: Browsing } = {};
    const capture = await startInteractiveCapture(this.pl, sessionId, {
      browserPath: s.browserPath || undefined,
      display: s.recording.display || undefined,
      startUrl: url,
      recordScreen,
      recording: { ffmpegPath: s.ffmpegPath || undefined, display: s.recording.display || undefined, fps: s.recording.fps, quality: s.recording.quality, clock: s.recording.clock, segmentSeconds: s.recording.segmentSeconds },
      onNotice: (notice) => {
        if (notice.level === 'error' && entry.value) entry.value.lastError = notice.message;
      },
    }).catch((error: Error) => {
      throw new OperationFailure('unavailable', error.message);
    });
    const browsing: Browsing = { capture, startedAt: new Date(), state: 'browsing' };
    entry.value = browsing;
    this.browsing.set(sessionId, browsing);
    // The user may close the browser window themselves: then the capture ends on its own.
    void capture.done.finally(() => {
      if (this.browsing.get(sessionId) === browsing) this.browsing.delete(sessionId);
    });
    return this.browseStatus(sessionId);
  }

  async browseCaptureNow(sessionId: string): Promise<StoredEvent> {
    const browsing = this.browsing.get(sessionId);
    if (!browsing) throw new OperationFailure('conflict', 'No browser is open for this session: open one first.');
    return browsing.capture.captureNow();
  }

  async browseStop(sessionId: string): Promise<V.BrowseStatus> {
    const browsing = this.browsing.get(sessionId);
    if (browsing) {
      browsing.state = 'stopping';
      await browsing.capture.stop('stopped by the user');
      this.browsing.delete(sessionId);
    }
    return this.browseStatus(sessionId);
  }

  browseStatus(sessionId: string): V.BrowseStatus {
    const browsing = this.browsing.get(sessionId);
    if (!browsing) return { state: 'idle', url: null, startedAt: null, recording: false, captures: this.pl.events.countByType(sessionId).get('web.capture') ?? 0 };
    let url: string | null = null;
    try {
      url = browsing.capture.page.url();
    } catch {
      url = null;
    }
    return {
      state: browsing.state,
      url,
      startedAt: browsing.startedAt.toISOString(),
      recording: browsing.capture.recording !== null && browsing.capture.recording.status().state === 'recording',
      captures: this.pl.events.countByType(sessionId).get('web.capture') ?? 0,
      ...(browsing.lastError ? { lastError: browsing.lastError } : {}),
    };
  }


  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.browsing.keys()].map((id) => this.browseStop(id)));
    await Promise.allSettled([...this.running.keys()].map((id) => this.stop(id)));
    await Promise.allSettled([...this.environmentJobs]);
  }

  /** Closes out sessions whose recording died with an earlier process. */
  async recoverInterrupted(): Promise<V.TimelineEvent[]> {
    try {
      await recoverInterruptedRecordings(this.pl);
    } catch (error) {
      this.onBackgroundError(new Error(`could not recover an interrupted recording: ${(error as Error).message}`));
    }
    return [];
  }

  /** The full environment snapshot of a new creation session, taken in the background. */
  snapshotEnvironmentLater(sessionId: string): void {
    const s = this.settings();
    this.environment.set(sessionId, { state: 'running' });
    const job = captureEnvironment(this.pl, sessionId, {
      modelFolders: s.modelFolders,
      comfyuiUrl: s.comfyuiUrl || undefined,
      ffmpegPath: s.ffmpegPath || undefined,
      tsaUrls: s.tsaUrls,
      onProgress: (p) => this.environment.set(sessionId, { state: 'running', file: p.file, done: p.done, total: p.total }),
    }).then(
      () => void this.environment.set(sessionId, { state: 'done' }),
      (error: Error) => {
        this.environment.set(sessionId, { state: 'failed', error: error.message });
        this.onBackgroundError(new Error(`environment snapshot failed: ${error.message}`));
      },
    );
    this.environmentJobs.add(job);
    void job.finally(() => this.environmentJobs.delete(job));
  }

  /** The background environment snapshot of a session this host started, if any. */
  environmentJob(sessionId: string): V.EnvironmentJob | null {
    return this.environment.get(sessionId) ?? null;
  }

  /** The artifact with this SHA-256 (or unique prefix of 8+ digits) in the session; undefined if none. */
  findArtifact(sessionId: string, sha256: string): ArtifactRef | undefined {
    try {
      return findSessionArtifact(this.pl, sessionId, sha256).artifact;
    } catch (error) {
      if (error instanceof ArtifactLookupError && error.kind === 'missing') return undefined;
      throw error;
    }
  }

  async gallery(sessionId: string): Promise<V.Gallery> {
    const view = creationGallery(this.pl, sessionId);
    return {
      images: view.images.map((image) => ({
        sha256: image.sha256,
        name: image.name,
        mime: image.mime,
        size: image.size,
        seq: image.firstSeq,
        time: image.time,
        source: image.source,
        metadata: image.metadata ?? null,
        mark: image.mark ? { mark: image.mark.mark, reason: image.mark.reason ?? '', time: image.mark.time } : null,
      })),
      edges: view.edges.map((edge) => ({ from: edge.from, to: edge.to, relation: edge.relation, inferred: edge.inferred })),
    };
  }

  async mark(sessionId: string, sha256: string, mark: V.Mark, reason?: string): Promise<StoredEvent> {
    return markGeneration(this.pl, sessionId, sha256, mark, reason);
  }

  async link(sessionId: string, from: string, to: string, relation: Parameters<typeof linkGenerations>[4], note?: string): Promise<StoredEvent> {
    return linkGenerations(this.pl, sessionId, from, to, relation, note);
  }

  async compare(sessionId: string, a: string, b: string): Promise<V.Comparison> {
    const result = await compareImages(this.pl, sessionId, a, b, { ffmpegPath: this.settings().ffmpegPath || undefined });
    return {
      a: result.a,
      b: result.b,
      hammingDistance: result.hammingDistance,
      differingPixelRatio: result.differingPixelRatio,
      resized: result.resized !== null,
      heatmapSha256: result.heatmapSha256,
      paramChanges: result.paramChanges.map((c) => ({ field: c.field, a: c.a, b: c.b })),
      promptDiff: result.promptDiff,
      negativePromptDiff: result.negativePromptDiff,
    };
  }

  async checkEnvironment(sessionId: string | undefined, url: string | undefined, progress: (p: V.Progress) => void, signal: AbortSignal): Promise<V.EnvironmentCheck> {
    const s = this.settings();
    let done = 0;
    const total = Object.keys(TITLES_ZH).length;
    const report = await runEnvironmentCheck({
      targetUrl: url,
      tsaUrls: s.tsaUrls,
      browserPath: s.browserPath || undefined,
      signal,
      onProgress: (step) => progress({ phase: 'check', done: ++done, total, detail: step.id }),
    });
    const event = sessionId ? await recordEnvironmentCheck(this.pl, sessionId, report) : undefined;
    return {
      checkedAt: report.checkedAt,
      target: report.target,
      verdict: report.verdict,
      findings: report.findings.map((f) => ({ id: f.id, category: f.category, status: f.status, title: f.title, titleZh: TITLES_ZH[f.id as FindingId], detail: f.detail })),
      ...(event ? { recordedSeq: event.body.seq } : {}),
    };
  }

  async captureUrls(sessionId: string, urls: string[], options: { concurrency: number; retries: number }, progress: (p: V.CaptureProgress) => void, signal: AbortSignal): Promise<V.BatchSummary> {
    const result = await captureUrls(this.pl, sessionId, urls, {
      browserPath: this.settings().browserPath || undefined,
      concurrency: options.concurrency,
      retries: options.retries,
      onProgress: progress,
      signal,
    });
    return {
      results: result.results.map((r) => ({
        url: r.url,
        ok: r.ok,
        ...(r.finalUrl ? { finalUrl: r.finalUrl } : {}),
        ...(r.status !== undefined ? { status: r.status } : {}),
        ...(r.error ? { error: `${r.error.kind}: ${r.error.message}` } : {}),
      })),
    };
  }

  async pages(sessionId: string): Promise<V.CapturedPage[]> {
    const pages: V.CapturedPage[] = [];
    for (const event of this.pl.events.iterate(sessionId)) {
      if (event.body.type !== 'web.capture') continue;
      const p = event.body.payload;
      const str = (v: unknown): string => (typeof v === 'string' ? v : '');
      pages.push({
        seq: event.body.seq,
        time: event.body.time,
        url: str(p['url']),
        finalUrl: str(p['finalUrl']) || str(p['url']),
        status: typeof p['status'] === 'number' ? p['status'] : null,
        title: str(p['title']),
        screenshot: event.body.artifacts.find((a) => a.mime === 'image/png') ?? null,
        artifacts: event.body.artifacts,
      });
    }
    return pages;
  }
}
