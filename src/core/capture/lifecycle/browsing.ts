// Interactive web capture: for each session at most one headed browser the user drives, every
// page captured as it loads, the screen recorded throughout.
import type { ParsedInputOf } from '../../../shared/contract.js';
import type { StoredEvent } from '../../../shared/domain.js';
import type * as V from '../../../shared/views.js';
import { ProoflineError } from '../../errors.js';
import { SessionSealedError } from '../../session-guard.js';
import type { LeasePurpose, TakenLease } from '../../store/session-lease.js';
import type { InteractiveCapture } from '../web/interactive.js';
import { orUndefined, type LifecycleContext } from './deps.js';
import * as load from './modules.js';
import { STOPPED_BY_USER } from './recording-runs.js';

export type BrowseRequest = Omit<ParsedInputOf<'web.browse.start'>, 'id'>;

interface Browser {
  readonly capture: InteractiveCapture;
  readonly startedAt: Date;
  state: 'browsing' | 'stopping';
  lastError?: string;
}

export class BrowserSessions {
  private readonly open = new Map<string, Browser>();

  constructor(
    private readonly context: LifecycleContext,
    /** Whether the session is being sealed: no browser may open for it. */
    private readonly closing: (sessionId: string) => boolean,
    /** Owns the session across processes while the browser is open (CaptureLifecycle.claim). */
    private readonly claim: (sessionId: string, purpose: LeasePurpose) => Promise<TakenLease>,
  ) {}

  sessions(): string[] {
    return [...this.open.keys()];
  }

  async start(sessionId: string, request: BrowseRequest): Promise<V.BrowseStatus> {
    if (this.open.has(sessionId)) throw new ProoflineError('browser.already-open', 'A browser is already open for this session.');
    if (this.closing(sessionId)) throw new SessionSealedError(sessionId, null, `Session ${sessionId} is being sealed: start a new session to capture pages.`);
    const s = this.context.settings();
    const entry: { value?: Browser } = {};
    const { startInteractiveCapture } = await load.interactive();
    const browserPath = request.browserPath ?? orUndefined(s.browserPath);
    const lease = await this.claim(sessionId, 'browsing');
    const capture = await startInteractiveCapture(this.context.pl, sessionId, {
      browserPath,
      display: orUndefined(s.recording.display),
      startUrl: request.url,
      recordScreen: request.recordScreen,
      extraCaRoots: request.extraCaRoots,
      ignoreHttpsErrors: request.ignoreHttpsErrors,
      navigationTimeoutMs: request.timeoutSeconds === undefined ? undefined : request.timeoutSeconds * 1000,
      recording: { ffmpegPath: orUndefined(s.ffmpegPath), display: orUndefined(s.recording.display), fps: s.recording.fps, quality: s.recording.quality, clock: s.recording.clock, segmentSeconds: s.recording.segmentSeconds },
      onNotice: (notice) => {
        if (notice.level === 'error' && entry.value) entry.value.lastError = notice.message;
        this.context.notify(sessionId, notice);
      },
    }).catch((error: Error) => {
      // Ours keep their code (a sealed session, no display, no browser); anything else is the browser failing to start.
      lease.release();
      throw error instanceof ProoflineError ? error : new ProoflineError('browser.start-failed', error.message, { path: browserPath ?? '' }, { cause: error });
    });
    const browser: Browser = { capture, startedAt: new Date(), state: 'browsing' };
    entry.value = browser;
    this.open.set(sessionId, browser);
    // The user may close the browser window themselves: then the capture ends on its own.
    void capture.done.finally(() => {
      lease.release();
      if (this.open.get(sessionId) === browser) this.open.delete(sessionId);
    });
    return this.status(sessionId);
  }

  async captureNow(sessionId: string): Promise<StoredEvent> {
    const browser = this.open.get(sessionId);
    if (!browser) throw new ProoflineError('browser.not-open', 'No browser is open for this session: open one first.');
    return browser.capture.captureNow();
  }

  async stop(sessionId: string, reason = STOPPED_BY_USER): Promise<V.BrowseStatus> {
    const browser = this.open.get(sessionId);
    if (browser) {
      browser.state = 'stopping';
      await browser.capture.stop(reason);
      if (this.open.get(sessionId) === browser) this.open.delete(sessionId);
    }
    return this.status(sessionId);
  }

  status(sessionId: string): V.BrowseStatus {
    const captures = this.context.pl.events.countByType(sessionId).get('web.capture') ?? 0;
    const browser = this.open.get(sessionId);
    if (!browser) return { state: 'idle', url: null, startedAt: null, recording: false, captures };
    let url: string | null = null;
    try {
      url = browser.capture.page.url();
    } catch {
      url = null; // the page has closed: the capture is ending
    }
    return {
      state: browser.state,
      url,
      startedAt: browser.startedAt.toISOString(),
      recording: browser.capture.recording !== null && browser.capture.recording.status().state === 'recording',
      captures,
      ...(browser.lastError ? { lastError: browser.lastError } : {}),
    };
  }

  async stopAll(): Promise<void> {
    await Promise.allSettled(this.sessions().map((id) => this.stop(id)));
  }
}
