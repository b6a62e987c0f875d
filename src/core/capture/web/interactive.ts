import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page, Response } from 'playwright';
import type { StoredEvent } from '../../../shared/domain.js';
import { APP_NAME, APP_VERSION } from '../../../shared/version.js';
import type { Proofline } from '../../proofline.js';
import type { CaptureSource, NoticeListener } from '../capture-source.js';
import { startScreenRecording, type ScreenRecording, type ScreenRecordingOptions } from '../recording/screen-recorder.js';
import { ArtifactSink } from './artifact-sink.js';
import { launchBrowser, type LaunchedBrowser } from './browser-launch.js';
import { captureFacts, fetchChain, navigationFacts, recordNavigated, type NavigationFacts, type PageCaptureSettings } from './capture-page.js';
import { CAPTURE_DEFAULTS } from './capture-urls.js';
import { harExchanges, parseHar } from './har.js';
import { DocumentWatch } from './document-watch.js';
import { captureRenderedPage } from './rendered-page.js';
import { NetworkQuiet } from './scroll.js';
import { writeWacz, type WaczPage } from './wacz-writer.js';
import { signingFacts, waczSignerFor } from './wacz-session-signer.js';
import { ProoflineError } from '../../errors.js';
import { SessionSealedError } from '../../session-guard.js';

export const NO_DISPLAY = 'Interactive capture opens a browser window and needs a display: set DISPLAY (or run under Xvfb), or give URLs to capture headless.';

export interface InteractiveCaptureOptions {
  readonly browserPath?: string;
  /** X display for the browser window and the screen recording (default $DISPLAY). */
  readonly display?: string;
  /** First page to open (default about:blank: the user types the address). */
  readonly startUrl?: string;
  readonly extraCaRoots?: string[];
  readonly ignoreHttpsErrors?: boolean;
  readonly navigationTimeoutMs?: number;
  readonly maxScrollHeightPx?: number;
  readonly maxScrollMs?: number;
  /** Capture every top-level page the user lands on (default true). */
  readonly autoCapture?: boolean;
  /** Record the screen throughout (default true). */
  readonly recordScreen?: boolean;
  readonly recording?: ScreenRecordingOptions;
  readonly onNotice?: NoticeListener;
}

export interface InteractiveCapture extends CaptureSource {
  /** The page the user drives (the first tab; later tabs are logged and captured too). */
  readonly page: Page;
  readonly recording: ScreenRecording | null;
  /** Captures the page the user last navigated, now; resolves to its `web.capture` event. */
  captureNow(): Promise<StoredEvent>;
  /** Stores the network log, ends the recording and closes the browser; the reason is recorded. */
  stop(reason?: string): Promise<void>;
  /** Settles once the capture has ended and everything is stored: by stop() or the user closing the browser. */
  readonly done: Promise<void>;
}

/**
 * A headed browser the user drives. Each top-level navigation is logged (`web.navigation`) and,
 * once the page has loaded, captured (`web.capture`: screenshot, MHTML, DOM, text, TLS chain);
 * `captureNow()` captures on demand. The network of the whole browsing is one HAR, written when
 * the browser closes, and one WACZ listing every captured page (`web.capture.network`). The
 * screen is recorded throughout when a recorder can start.
 */
export async function startInteractiveCapture(pl: Proofline, sessionId: string, options: InteractiveCaptureOptions = {}): Promise<InteractiveCapture> {
  const session = pl.sessions.get(sessionId);
  if (session.state === 'sealed') throw new SessionSealedError(session.id, session.sealedAt, `Session ${session.id} is sealed: start a new session to capture pages.`);
  const display = options.display ?? process.env['DISPLAY'];
  if (process.platform === 'linux' && !display) throw new ProoflineError('display.missing', NO_DISPLAY);
  const notice = options.onNotice ?? (() => {});
  const workDir = await mkdtemp(join(tmpdir(), 'proofline-browse-'));
  const settings: PageCaptureSettings = {
    navigationTimeoutMs: options.navigationTimeoutMs ?? CAPTURE_DEFAULTS.navigationTimeoutMs,
    maxScrollHeightPx: options.maxScrollHeightPx ?? CAPTURE_DEFAULTS.maxScrollHeightPx,
    maxScrollMs: options.maxScrollMs ?? CAPTURE_DEFAULTS.maxScrollMs,
    ignoreHttpsErrors: options.ignoreHttpsErrors ?? false,
    extraCaRoots: options.extraCaRoots ?? [],
    workDir,
  };
  let launched: LaunchedBrowser;
  try {
    launched = await launchBrowser({ browserPath: options.browserPath, headless: false, extraCaRoots: settings.extraCaRoots, display });
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
  let recording: ScreenRecording | null = null;
  if (options.recordScreen ?? true) {
    try {
      recording = await startScreenRecording(pl, session.id, { ...options.recording, display: options.recording?.display ?? display });
    } catch (error) {
      // The capture goes on without video; the reason is on record.
      notice({ source: 'browser', level: 'warn', message: `screen recording did not start: ${(error as Error).message}` });
      pl.events.append(session.id, { type: 'web.interactive.recording-unavailable', payload: { reason: (error as Error).message } });
    }
  }
  const harPath = join(workDir, 'browsing.har');
  const context = await launched.browser.newContext({
    recordHar: { path: harPath, content: 'embed', mode: 'full' },
    ignoreHTTPSErrors: settings.ignoreHttpsErrors,
    viewport: null, // the window's own size: what the user sees is what is captured
    serviceWorkers: 'block',
    acceptDownloads: false,
  });
  const browsing = new Browsing(pl, session.id, launched, context, settings, options.autoCapture ?? true, notice, recording);
  const page = await context.newPage();
  browsing.watch(page);
  context.on('page', (opened) => browsing.watch(opened));
  pl.events.append(session.id, {
    type: 'web.interactive.started',
    payload: {
      browser: { path: launched.facts.path, source: launched.facts.source, version: launched.facts.version, args: [...launched.facts.args] },
      display: display ?? null,
      startUrl: options.startUrl ?? null,
      recordingId: recording?.recordingId ?? null,
      certificateHandling: { ignoreHttpsErrors: settings.ignoreHttpsErrors, extraRootSpkiHashes: [...launched.facts.trust.extraRootSpkiHashes] },
    },
  });
  if (options.startUrl) {
    await page.goto(options.startUrl, { waitUntil: 'commit', timeout: settings.navigationTimeoutMs }).catch((error: Error) => {
      notice({ source: 'browser', level: 'warn', message: `could not open ${options.startUrl}: ${error.message.split('\n')[0]}` });
    });
  }
  return {
    name: 'browser',
    page,
    recording,
    captureNow: () => browsing.captureNow(),
    stop: (reason?: string) => browsing.stop(reason),
    done: browsing.done,
  };
}

interface PageWatch {
  readonly quiet: NetworkQuiet;
  lastResponse: Response | null;
  navigations: number;
}

class Browsing {
  private readonly pages = new Map<Page, PageWatch>();
  private current: Page | undefined;
  /** Captures run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly captured: WaczPage[] = [];
  private stopping: Promise<void> | undefined;
  private resolveDone!: () => void;
  readonly done = new Promise<void>((resolve) => (this.resolveDone = resolve));

  constructor(
    private readonly pl: Proofline,
    private readonly sessionId: string,
    private readonly launched: LaunchedBrowser,
    private readonly context: BrowserContext,
    private readonly settings: PageCaptureSettings,
    private readonly autoCapture: boolean,
    private readonly notice: NoticeListener,
    private readonly recording: ScreenRecording | null,
  ) {
    launched.browser.on('disconnected', () => {
      if (!this.stopping) void this.stop('the browser was closed');
    });
  }

  watch(page: Page): void {
    const watch: PageWatch = { quiet: new NetworkQuiet(page), lastResponse: null, navigations: 0 };
    this.pages.set(page, watch);
    this.current ??= page;
    page.on('response', (response) => {
      if (response.request().isNavigationRequest() && response.frame() === page.mainFrame()) watch.lastResponse = response;
    });
    page.on('framenavigated', (frame) => {
      if (frame !== page.mainFrame() || frame.url() === 'about:blank' || this.stopping) return;
      this.current = page;
      watch.navigations += 1;
      const seq = watch.navigations;
      void this.logNavigation(page, watch, frame.url()).then((navigation) => {
        if (!this.autoCapture || !navigation) return;
        this.enqueue(async () => {
          if (watch.navigations !== seq || this.stopping) return; // the user moved on before it loaded
          await page.waitForLoadState('load', { timeout: this.settings.navigationTimeoutMs }).catch(() => undefined);
          if (watch.navigations !== seq || this.stopping) return;
          await this.capture(page, watch, navigation, 'auto');
        });
      });
    });
    page.on('close', () => {
      this.pages.delete(page);
      if (this.current === page) this.current = [...this.pages.keys()].pop();
    });
  }

  private async logNavigation(page: Page, watch: PageWatch, url: string): Promise<NavigationFacts | null> {
    const now = new Date();
    const response = watch.lastResponse && watch.lastResponse.url() === url ? watch.lastResponse : null;
    let navigation: NavigationFacts;
    if (response) {
      navigation = await navigationFacts(response, url, now, now, false).catch(() => plainNavigation(url, now));
    } else {
      navigation = plainNavigation(url, now); // same-document (history API) or served from cache
    }
    try {
      this.pl.events.append(this.sessionId, { type: 'web.navigation', payload: { trigger: 'interactive', tab: [...this.pages.keys()].indexOf(page), ...navigation.payload } });
    } catch (error) {
      this.notice({ source: 'browser', level: 'error', message: `navigation to ${url} not recorded: ${(error as Error).message}` });
      return null;
    }
    return navigation;
  }

  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work);
    this.queue = next.catch((error: Error) => {
      this.notice({ source: 'browser', level: 'error', message: `capture failed: ${error.message}` });
    });
    return next;
  }

  captureNow(): Promise<StoredEvent> {
    if (this.stopping) return Promise.reject(new ProoflineError('capture.stopping', 'The interactive capture is stopping: nothing more can be captured.'));
    const page = this.current;
    if (!page) return Promise.reject(new ProoflineError('capture.no-page', 'No page is open to capture.'));
    const watch = this.pages.get(page)!;
    return this.enqueue(async () => {
      const url = page.url();
      const response = watch.lastResponse && watch.lastResponse.url() === url ? watch.lastResponse : null;
      const now = new Date();
      const navigation = response ? await navigationFacts(response, url, now, now, false) : plainNavigation(url, now);
      return this.capture(page, watch, navigation, 'manual');
    });
  }

  private async capture(page: Page, watch: PageWatch, navigation: NavigationFacts, trigger: 'auto' | 'manual'): Promise<StoredEvent> {
    const captureId = randomUUID();
    const dir = await mkdtemp(join(this.settings.workDir, 'page-'));
    try {
      // The document is marked with its URL: one that replaces it during the capture is not filed under this URL.
      const documentWatch = new DocumentWatch(page);
      await documentWatch.start('settling');
      const url = documentWatch.url;
      const sink = new ArtifactSink(this.pl, this.sessionId, captureId, url);
      await watch.quiet.settle(0, 100, 2000);
      const rendered = await captureRenderedPage(this.context, page, watch.quiet, sink, { maxHeightPx: this.settings.maxScrollHeightPx, maxMs: this.settings.maxScrollMs }, { watch: documentWatch }).finally(() => documentWatch.stop());
      await rendered.filed;
      // A document the page moved to meanwhile is auto-captured as its own page once it loads.
      recordNavigated(this.pl, this.sessionId, captureId, url, rendered, this.autoCapture);
      const tls = await fetchChain(url, this.settings, dir);
      if (tls && !('error' in tls)) await sink.add(join(dir, 'tls-chain.pem'), 'tls-chain.pem', 'tls-chain');
      const event = this.pl.events.append(this.sessionId, {
        type: 'web.capture',
        payload: captureFacts({ trigger, captureId, attempt: { url, attempt: 1 }, navigation, rendered, tls, wacz: null, browser: this.launched.facts, settings: this.settings, partial: false, httpError: undefined, otherCaptured: this.autoCapture }),
        artifacts: sink.artifacts,
      });
      this.captured.push({ url, title: rendered.title, ts: new Date() });
      this.notice({ source: 'browser', level: 'info', message: `captured ${url}`, eventSeq: event.body.seq });
      await this.pl.sessions.checkpoint(this.sessionId, 'manual');
      return event;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  stop(reason = 'stopped'): Promise<void> {
    this.stopping ??= this.finish(reason).finally(() => this.resolveDone());
    return this.stopping;
  }

  private async finish(reason: string): Promise<void> {
    await this.queue.catch(() => undefined);
    const connected = this.launched.browser.isConnected();
    // Closing the context writes the HAR; a browser the user closed has taken it with it.
    if (connected) await this.context.close().catch(() => undefined);
    let networkEvent: number | null = null;
    try {
      if (connected) networkEvent = await this.storeNetwork();
    } catch (error) {
      this.notice({ source: 'browser', level: 'error', message: `network log not stored: ${(error as Error).message}` });
    }
    if (connected) await this.launched.browser.close().catch(() => undefined);
    await this.recording?.stop(`web capture ${reason}`).catch(() => undefined);
    try {
      this.pl.events.append(this.sessionId, {
        type: 'web.interactive.stopped',
        payload: { reason, pagesCaptured: this.captured.length, networkEventSeq: networkEvent, networkLog: connected ? 'stored' : 'lost: the browser closed before its network log was written' },
      });
      await this.pl.sessions.checkpoint(this.sessionId, 'manual');
    } finally {
      await rm(this.settings.workDir, { recursive: true, force: true });
    }
  }

  private async storeNetwork(): Promise<number> {
    const harPath = join(this.settings.workDir, 'browsing.har');
    const sink = new ArtifactSink(this.pl, this.sessionId, 'browsing', this.captured[0]?.url ?? 'about:blank');
    await sink.add(harPath, 'network.har', 'har');
    const har = parseHar(await readFile(harPath, 'utf8'), harPath);
    const wacz = await writeWacz(join(this.settings.workDir, 'capture.wacz'), {
      exchanges: harExchanges(har),
      pages: this.captured,
      title: `Browsing session ${this.sessionId}`,
      software: `${APP_NAME} ${APP_VERSION}`,
      created: new Date(),
      signer: await waczSignerFor(this.pl, this.sessionId),
    });
    await sink.add(wacz.path, 'capture.wacz', 'wacz');
    const event = this.pl.events.append(this.sessionId, {
      type: 'web.capture.network',
      payload: { requests: har.log.entries.length, pages: this.captured.map((p) => p.url), wacz: { records: wacz.records, datapackageHash: wacz.datapackageHash, waczVersion: '1.1.1', ...signingFacts(wacz.signing) } },
      artifacts: sink.artifacts,
    });
    return event.body.seq;
  }
}

function plainNavigation(url: string, at: Date): NavigationFacts {
  return {
    finalUrl: url,
    status: 0,
    payload: { typedUrl: url, redirects: [], finalUrl: url, status: null, statusText: null, headers: [], serverIp: null, serverPort: null, security: null, startedAt: at.toISOString(), committedAt: at.toISOString(), loaded: true },
  };
}
