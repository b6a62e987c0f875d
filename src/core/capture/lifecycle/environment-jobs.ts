// The environment snapshot of a session (OS, hardware, tools, model hashes, clock offset): taken
// in the background when the work starts, once per session, and on request.
import type { ParsedInputOf } from '../../../shared/contract.js';
import type * as V from '../../../shared/views.js';
import type { ModelHashProgress } from '../environment/model-hashes.js';
import { orUndefined, type LifecycleContext } from './deps.js';
import * as load from './modules.js';

export type EnvironmentRequest = Omit<ParsedInputOf<'environment.snapshot'>, 'id'>;

/** What a snapshot may be told beyond Settings (the CLI's --models, --comfyui, --ffmpeg). */
interface SnapshotRequest {
  readonly models?: readonly string[];
  readonly comfyuiUrl?: string;
  readonly ffmpegPath?: string;
}

export class EnvironmentJobs {
  private readonly jobs = new Map<string, V.EnvironmentJob>();
  /** The snapshot under way of each session. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly context: LifecycleContext) {}

  /** The snapshot of a new creation session, in the background; a failure is reported as well as kept. */
  later(sessionId: string): void {
    this.start(sessionId, {}, true);
  }

  /**
   * The environment at the start of the work, once per session: none when the session has one
   * or one is being taken. It runs beside the capture: hashing large checkpoints must not delay it.
   */
  ensure(sessionId: string, request: SnapshotRequest): void {
    const job = this.jobs.get(sessionId);
    if (job?.state === 'running' || job?.state === 'done') return;
    if (this.context.pl.events.countByType(sessionId).has('environment.snapshot')) return;
    this.start(sessionId, request, false);
  }

  /** The background snapshot of a session this host started, if any. */
  job(sessionId: string): V.EnvironmentJob | null {
    return this.jobs.get(sessionId) ?? null;
  }

  /** A snapshot now: recorded into the session, or only taken when there is none. */
  async snapshot(sessionId: string | undefined, request: EnvironmentRequest, progress: (p: V.Progress) => void, signal: AbortSignal): Promise<V.EnvironmentSnapshot> {
    const environment = await load.environment();
    const options = {
      ...this.options(request),
      a1111Url: request.a1111Url,
      onProgress: (p: ModelHashProgress) => progress({ phase: 'hash', done: p.done, total: p.total, detail: p.file }),
      signal,
    };
    if (sessionId === undefined) {
      const snapshot = await environment.collectEnvironment(options, { db: this.context.pl.db });
      return { snapshot: json(snapshot), summary: environment.summarise(snapshot), recorded: null };
    }
    const { event, snapshot } = await environment.captureEnvironment(this.context.pl, sessionId, options);
    return { snapshot: json(snapshot), summary: event.body.payload, recorded: { seq: event.body.seq, hash: event.hash } };
  }

  /** Settles once the snapshots under way (of one session, or all) have been recorded or have failed. */
  async settle(sessionId?: string): Promise<void> {
    await Promise.allSettled(sessionId === undefined ? [...this.running.values()] : [this.running.get(sessionId)]);
  }

  private start(sessionId: string, request: SnapshotRequest, reportFailure: boolean): void {
    const { notify } = this.context;
    const say = (level: 'info' | 'warn', message: string, eventSeq?: number): void =>
      notify(sessionId, { source: 'environment', level, message, ...(eventSeq === undefined ? {} : { eventSeq }) });
    this.jobs.set(sessionId, { state: 'running' });
    let shown = '';
    const job = load
      .environment()
      .then((environment) =>
        environment.captureEnvironment(this.context.pl, sessionId, {
          ...this.options(request),
          onProgress: (p) => {
            this.jobs.set(sessionId, { state: 'running', file: p.file, done: p.done, total: p.total });
            const step = `${p.file} ${Math.floor((10 * p.done) / Math.max(1, p.total)) * 10}%`;
            if (step !== shown) say('info', `hashing ${(shown = step)}`);
          },
        }),
      )
      .then(
        ({ event }) => {
          this.jobs.set(sessionId, { state: 'done' });
          say('info', `snapshot recorded (event ${event.body.seq})`, event.body.seq);
        },
        (error: Error) => {
          this.jobs.set(sessionId, { state: 'failed', error: error.message });
          say('warn', `snapshot failed: ${error.message}`);
          if (reportFailure) this.context.reportBackground(`environment snapshot failed: ${error.message}`, error);
        },
      );
    this.running.set(sessionId, job);
    void job.finally(() => {
      if (this.running.get(sessionId) === job) this.running.delete(sessionId);
    });
  }

  private options(request: SnapshotRequest): { modelFolders: readonly string[]; comfyuiUrl?: string; ffmpegPath?: string; tsaUrls: readonly string[] } {
    const s = this.context.settings();
    return {
      modelFolders: request.models ?? s.modelFolders,
      comfyuiUrl: request.comfyuiUrl ?? orUndefined(s.comfyuiUrl),
      ffmpegPath: request.ffmpegPath ?? orUndefined(s.ffmpegPath),
      tsaUrls: s.tsaUrls,
    };
  }
}

/** The snapshot as the JSON environment.json holds (it is plain data). */
function json(snapshot: object): V.EnvironmentSnapshot['snapshot'] {
  return snapshot as V.EnvironmentSnapshot['snapshot'];
}
