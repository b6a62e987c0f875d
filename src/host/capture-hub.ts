// Holds the live capture sources of each session for a long-running host (the app, `proofline
// serve`) and answers the capture operations of the contract through the core's capture modules.
import type { Proofline } from '../core/proofline.js';
import type { CaptureNotice, CaptureSource } from '../core/capture/capture-source.js';
import type { ArtifactRef } from '../shared/domain.js';
import type { ParsedInputOf, Settings } from '../shared/contract.js';
import type * as V from '../shared/views.js';
import { OperationFailure } from './operation-failure.js';

interface Running {
  readonly startedAt: Date;
  readonly sources: CaptureSource[];
  readonly notices: CaptureNotice[];
  state: 'recording' | 'paused' | 'stopping' | 'failed';
  lastError?: string;
}

const IDLE: V.RecordingStatus = { state: 'idle', startedAt: null, elapsedMs: 0, segments: 0, bytes: 0, sources: [] };

export class CaptureHub {
  private readonly running = new Map<string, Running>();

  constructor(
    private readonly pl: Proofline,
    private readonly settings: () => Settings,
  ) {}

  async capabilities(): Promise<V.AppInfo['capabilities']> {
    const display = process.platform !== 'linux' || Boolean(process.env['DISPLAY']);
    return {
      ffmpeg: { ok: false, detail: 'screen recording is not wired into this host yet' },
      browser: { ok: false, detail: 'web capture is not wired into this host yet' },
      display: { ok: display, detail: display ? (process.env['DISPLAY'] ?? 'desktop') : 'no X display (DISPLAY is not set)' },
    };
  }

  /** Sessions with a live capture, for the tray indicator. */
  recordingSessions(): string[] {
    return [...this.running.keys()];
  }

  status(sessionId: string): V.RecordingStatus {
    const run = this.running.get(sessionId);
    if (!run) return IDLE;
    return {
      state: run.state,
      startedAt: run.startedAt.toISOString(),
      elapsedMs: Date.now() - run.startedAt.getTime(),
      segments: 0,
      bytes: 0,
      sources: run.sources.map((s) => ({ name: s.name, state: 'running', detail: '' })),
      ...(run.lastError ? { lastError: run.lastError } : {}),
    };
  }

  async start(sessionId: string, _input: ParsedInputOf<'recording.start'>): Promise<V.RecordingStatus> {
    if (this.running.has(sessionId)) throw new OperationFailure('conflict', 'This session is already recording.');
    throw new OperationFailure('unavailable', 'Recording is not available in this build yet.');
  }

  async pause(sessionId: string): Promise<V.RecordingStatus> {
    return this.status(sessionId);
  }

  async resume(sessionId: string): Promise<V.RecordingStatus> {
    return this.status(sessionId);
  }

  async stop(sessionId: string): Promise<void> {
    const run = this.running.get(sessionId);
    if (!run) return;
    run.state = 'stopping';
    await Promise.allSettled(run.sources.map((s) => s.stop()));
    this.running.delete(sessionId);
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled([...this.running.keys()].map((id) => this.stop(id)));
  }

  /** Closes out sessions whose recording died with an earlier process (none to do yet). */
  async recoverInterrupted(): Promise<void> {}

  snapshotEnvironmentLater(_sessionId: string): void {}

  /** The artifact with this SHA-256 (or unique prefix) in the session's events. */
  findArtifact(sessionId: string, sha256: string): ArtifactRef | undefined {
    const found = new Map<string, ArtifactRef>();
    for (const event of this.pl.events.iterate(sessionId)) {
      for (const artifact of event.body.artifacts) if (artifact.sha256.startsWith(sha256)) found.set(artifact.sha256, artifact);
      if (found.size > 1) throw new OperationFailure('invalid-input', `${sha256} matches more than one file: give more digits.`);
    }
    return found.values().next().value;
  }

  async gallery(_sessionId: string): Promise<V.Gallery> {
    return { images: [], edges: [] };
  }

  async mark(_sessionId: string, _sha256: string, _mark: V.Mark, _reason?: string): Promise<never> {
    throw new OperationFailure('unavailable', 'Marks are not available in this build yet.');
  }

  async link(_sessionId: string, _from: string, _to: string, _relation: string, _note?: string): Promise<never> {
    throw new OperationFailure('unavailable', 'Lineage links are not available in this build yet.');
  }

  async compare(_sessionId: string, _a: string, _b: string): Promise<V.Comparison> {
    throw new OperationFailure('unavailable', 'Comparison is not available in this build yet.');
  }

  async checkEnvironment(_sessionId: string | undefined, _url: string | undefined, _progress: (p: V.Progress) => void, _signal: AbortSignal): Promise<V.EnvironmentCheck> {
    throw new OperationFailure('unavailable', 'The clean-environment check is not available in this build yet.');
  }

  async captureUrls(_sessionId: string, _urls: string[], _options: { concurrency: number; retries: number }, _progress: (p: V.CaptureProgress) => void, _signal: AbortSignal): Promise<V.BatchSummary> {
    throw new OperationFailure('unavailable', 'Web capture is not available in this build yet.');
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
