import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BrowserContext, Response } from 'playwright';
import type { JsonValue, StoredEvent } from '../../../shared/domain.js';
import { APP_NAME, APP_VERSION } from '../../../shared/version.js';
import type { Proofline } from '../../proofline.js';
import { ArtifactSink } from './artifact-sink.js';
import type { BrowserFacts, LaunchedBrowser } from './browser-launch.js';
import { classifyFailure, isRetryable, type CaptureFailure } from './failure-kind.js';
import { DocumentWatch, navigatedFacts } from './document-watch.js';
import { harExchanges, parseHar } from './har.js';
import { captureRenderedPage, type RenderedFacts } from './rendered-page.js';
import { NetworkQuiet } from './scroll.js';
import { chainPem, fetchTlsChain, type TlsChainFacts } from './tls-chain.js';
import { writeWacz, type WaczSigner } from './wacz-writer.js';
import { signingFacts, waczSignerFor } from './wacz-session-signer.js';

export interface PageCaptureSettings {
  readonly navigationTimeoutMs: number;
  readonly maxScrollHeightPx: number;
  readonly maxScrollMs: number;
  readonly ignoreHttpsErrors: boolean;
  readonly extraCaRoots: readonly string[];
  readonly workDir: string;
}

export type PageState = 'loading' | 'scrolling' | 'saving';

export interface PageAttempt {
  readonly url: string;
  readonly attempt: number;
  /** On the last attempt a 5xx page is captured as it is; before it, it is retried. */
  readonly lastAttempt: boolean;
  readonly onState: (state: PageState) => void;
  /** The batch it belongs to (`web.capture.batch.started`), named in its event. */
  readonly batch?: string;
  /** Called with the `web.capture` event once it is stored: the caller anchors it (a checkpoint). */
  readonly captured: (event: StoredEvent) => void;
}

export type PageOutcome =
  | {
      readonly ok: true;
      readonly event: StoredEvent;
      readonly finalUrl: string;
      readonly status: number;
      readonly partial: boolean;
      /** Set when the page was captured but the server answered with an error status. */
      readonly httpError?: CaptureFailure;
      /** Set when the page replaced its document during the capture: the other document's URL (not captured). */
      readonly navigatedTo?: string;
    }
  | { readonly ok: false; readonly failure: CaptureFailure; readonly retryable: boolean; readonly status?: number };

export interface Redirect {
  readonly url: string;
  readonly status: number;
  readonly location: string | null;
}

async function redirectChain(response: Response): Promise<Redirect[]> {
  const chain: Redirect[] = [];
  let request = response.request().redirectedFrom();
  while (request) {
    const hop = await request.response();
    chain.unshift({ url: request.url(), status: hop?.status() ?? 0, location: (await hop?.headerValue('location')) ?? null });
    request = request.redirectedFrom();
  }
  return chain;
}

const RETRYABLE_STATUS = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * Captures one URL in a fresh browser context: navigation facts, the rendered page (screenshot,
 * MHTML, DOM, text), the network log as HAR and WACZ, and the TLS chain, then a `web.capture`
 * event naming every artifact, handed to `attempt.captured` for its checkpoint.
 *
 * A page that never finishes loading: if the navigation committed (the server answered and the
 * document started rendering) it is captured as it stands when the timeout runs out and flagged
 * `partial: true`; if nothing committed in time the attempt fails with kind 'timeout'.
 */
export async function capturePage(
  pl: Proofline,
  sessionId: string,
  launched: LaunchedBrowser,
  settings: PageCaptureSettings,
  attempt: PageAttempt,
): Promise<PageOutcome> {
  const captureId = randomUUID();
  const dir = await mkdtemp(join(settings.workDir, 'page-'));
  const harPath = join(dir, 'network.har');
  let context: BrowserContext | undefined;
  try {
    context = await launched.browser.newContext({
      recordHar: { path: harPath, content: 'embed', mode: 'full' },
      ignoreHTTPSErrors: settings.ignoreHttpsErrors,
      viewport: { width: 1280, height: 800 },
      serviceWorkers: 'block',
      acceptDownloads: false,
    });
    const page = await context.newPage();
    const quiet = new NetworkQuiet(page);
    // Listening from before the navigation: a document that replaces this one later is heard.
    const watch = new DocumentWatch(page);
    attempt.onState('loading');
    const startedAt = new Date();
    let response: Response | null;
    try {
      response = await page.goto(attempt.url, { waitUntil: 'commit', timeout: settings.navigationTimeoutMs });
    } catch (error) {
      const failure = classifyFailure(error);
      return { ok: false, failure, retryable: isRetryable(failure.kind) };
    }
    if (!response) {
      return { ok: false, failure: { kind: 'other', message: 'the browser reported no response for the navigation' }, retryable: false };
    }
    const committedAt = new Date();
    await watch.start('loading');
    const status = response.status();
    if (RETRYABLE_STATUS(status) && !attempt.lastAttempt) {
      return { ok: false, failure: { kind: 'http-error', message: `HTTP ${status} ${response.statusText()}`.trim() }, retryable: true, status };
    }
    const remaining = settings.navigationTimeoutMs - (Date.now() - startedAt.getTime());
    let partial = false;
    try {
      await page.waitForLoadState('load', { timeout: Math.max(1, remaining) });
    } catch {
      partial = true;
    }
    const loadedAt = Date.now();
    // Network idle-ish: requests still running at the load event (a fetch it does not wait for)
    // get to finish, never more than 2 s; with none running, the walk down the page starts at
    // once, and late requests (started after the load event) are waited for at its end.
    watch.enter('settling');
    await quiet.settle(0, 50, partial ? 500 : 2000, { heardSince: loadedAt });
    const navigation = await navigationFacts(response, attempt.url, startedAt, committedAt, partial);
    pl.events.append(sessionId, { type: 'web.navigation', payload: { captureId, trigger: 'batch', attempt: attempt.attempt, ...navigation.payload } });

    const sink = new ArtifactSink(pl, sessionId, captureId, attempt.url);
    const rendered = await captureRenderedPage(context, page, quiet, sink, { maxHeightPx: settings.maxScrollHeightPx, maxMs: settings.maxScrollMs }, { onState: attempt.onState, watch, loadedAt });
    watch.stop();
    const title = rendered.title;
    if (rendered.navigated) recordNavigated(pl, sessionId, captureId, attempt.url, rendered);
    // Closing the context writes the HAR, while the last rendered file is stored.
    await Promise.all([context.close(), rendered.filed]);
    context = undefined;
    // The HAR, read once, is stored while the WACZ is built from it and the TLS chain is
    // fetched; each is stored as soon as it is written.
    const [har, signer] = await Promise.all([readFile(harPath), waczSignerFor(pl, sessionId)]);
    const [, wacz, tls] = await Promise.all([
      sink.addBytes(har, 'network.har', 'har'),
      writeWaczFromHar(har, harPath, join(dir, 'capture.wacz'), { url: navigation.finalUrl, title, ts: committedAt }, signer).then(async (written) => {
        await sink.add(written.path, 'capture.wacz', 'wacz');
        return written;
      }),
      fetchChain(navigation.finalUrl, settings, dir).then(async (chain) => {
        if (chain && !('error' in chain)) await sink.add(join(dir, 'tls-chain.pem'), 'tls-chain.pem', 'tls-chain');
        return chain;
      }),
    ]);

    const httpError: CaptureFailure | undefined = status >= 400 ? { kind: 'http-error', message: `HTTP ${status} ${response.statusText()}`.trim() } : undefined;
    const event = pl.events.append(sessionId, {
      type: 'web.capture',
      payload: {
        ...captureFacts({ trigger: 'batch', captureId, attempt, navigation, rendered, tls, wacz, browser: launched.facts, settings, partial, httpError }),
        ...(attempt.batch === undefined ? {} : { batch: attempt.batch }),
      },
      artifacts: sink.artifacts,
    });
    // The checkpoint over this page is taken behind it (batch-anchoring.ts), not in its way: the
    // batch returns only once it is taken and its timestamp asked for.
    attempt.captured(event);
    return { ok: true, event, finalUrl: navigation.finalUrl, status, partial, ...(httpError ? { httpError } : {}), ...(rendered.navigated ? { navigatedTo: rendered.navigated.to } : {}) };
  } catch (error) {
    const failure = classifyFailure(error);
    return { ok: false, failure: { kind: failure.kind === 'other' ? 'browser' : failure.kind, message: failure.message }, retryable: true };
  } finally {
    await context?.close().catch(() => undefined);
    // Everything in it is stored by now; the batch removes its whole work folder at the end, so
    // this removal need not hold up the next page.
    void rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * The page replaced its document during the capture: `web.capture.navigated` says from which URL
 * to which, when and during which step, and which files of the capture were therefore not taken.
 * The other document is named, not captured: it is not the page asked for, it may be the answer
 * to a form the page sent by itself, and it may move on again; its requests are in the capture's
 * network log.
 */
export function recordNavigated(pl: Proofline, sessionId: string, captureId: string, url: string, rendered: RenderedFacts, toCaptured = false): void {
  if (!rendered.navigated) return;
  pl.events.append(sessionId, { type: 'web.capture.navigated', payload: { captureId, url, ...navigatedFacts(rendered.navigated, rendered.notCaptured, toCaptured) } });
}

export interface NavigationFacts {
  readonly finalUrl: string;
  readonly status: number;
  readonly payload: { [key: string]: JsonValue };
}

export async function navigationFacts(response: Response, typedUrl: string, startedAt: Date, committedAt: Date, partial: boolean): Promise<NavigationFacts> {
  const redirects = await redirectChain(response);
  const server = await response.serverAddr();
  const security = await response.securityDetails();
  const headers = (await response.headersArray()).map((h) => [h.name, h.value]);
  const finalUrl = response.url();
  return {
    finalUrl,
    status: response.status(),
    payload: {
      typedUrl,
      redirects: redirects.map((r) => ({ url: r.url, status: r.status, location: r.location })),
      finalUrl,
      status: response.status(),
      statusText: response.statusText(),
      headers,
      serverIp: server?.ipAddress ?? null,
      serverPort: server?.port ?? null,
      security: security?.protocol
        ? { protocol: security.protocol ?? null, issuer: security.issuer ?? null, subjectName: security.subjectName ?? null, validFrom: security.validFrom ?? null, validTo: security.validTo ?? null }
        : null,
      startedAt: startedAt.toISOString(),
      committedAt: committedAt.toISOString(),
      loaded: !partial,
    },
  };
}

async function writeWaczFromHar(bytes: Buffer, harPath: string, out: string, page: { url: string; title: string; ts: Date }, signer: WaczSigner): Promise<Awaited<ReturnType<typeof writeWacz>>> {
  const har = parseHar(bytes.toString('utf8'), harPath);
  return writeWacz(out, {
    exchanges: harExchanges(har),
    pages: [page],
    title: `Capture of ${page.url}`,
    software: `${APP_NAME} ${APP_VERSION}`,
    created: new Date(),
    signer,
  });
}

/** Writes tls-chain.pem for an https page; null for http. */
export async function fetchChain(finalUrl: string, settings: PageCaptureSettings, dir: string): Promise<TlsChainFacts | { error: string } | null> {
  if (!finalUrl.startsWith('https:')) return null;
  try {
    const facts = await fetchTlsChain(finalUrl, { timeoutMs: 10_000, extraCaRoots: settings.extraCaRoots });
    await writeFile(join(dir, 'tls-chain.pem'), chainPem(facts));
    return facts;
  } catch (error) {
    // The page was captured; a chain that cannot be fetched again is recorded, not fatal.
    return { error: (error as Error).message };
  }
}

export function captureFacts(input: {
  trigger: 'batch' | 'auto' | 'manual';
  captureId: string;
  attempt: Pick<PageAttempt, 'url' | 'attempt'>;
  navigation: NavigationFacts;
  rendered: RenderedFacts;
  tls: TlsChainFacts | { error: string } | null;
  wacz: Awaited<ReturnType<typeof writeWacz>> | null;
  browser: BrowserFacts;
  settings: PageCaptureSettings;
  partial: boolean;
  httpError: CaptureFailure | undefined;
  /** The interactive capture's auto-capture takes a document the page moved to as its own page. */
  otherCaptured?: boolean;
}): { [key: string]: JsonValue } {
  const { navigation, rendered, tls } = input;
  const nav = navigation.payload;
  return {
    captureId: input.captureId,
    url: input.attempt.url,
    finalUrl: navigation.finalUrl,
    status: navigation.status,
    headers: nav['headers'] ?? [],
    redirects: nav['redirects'] ?? [],
    serverIp: nav['serverIp'] ?? null,
    serverPort: nav['serverPort'] ?? null,
    title: rendered.title,
    partial: input.partial,
    attempt: input.attempt.attempt,
    httpError: input.httpError ? { kind: input.httpError.kind, message: input.httpError.message } : null,
    tls: tls === null
      ? null
      : 'error' in tls
        ? { error: tls.error, browser: nav['security'] ?? null }
        : {
            protocol: tls.protocol,
            cipher: tls.cipher,
            authorized: tls.authorized,
            authorizationError: tls.authorizationError,
            ...(tls.authorizedWithExtraRoots === undefined ? {} : { authorizedWithExtraRoots: tls.authorizedWithExtraRoots, extraRootsError: tls.extraRootsError ?? null }),
            servername: tls.servername,
            chain: tls.certificates.map((c) => ({ subject: c.subject, issuer: c.issuer, serialNumber: c.serialNumber, validFrom: c.validFrom, validTo: c.validTo, sha256: c.sha256 })),
            browser: nav['security'] ?? null,
          },
    certificateHandling: {
      ignoreHttpsErrors: input.settings.ignoreHttpsErrors,
      extraRootSpkiHashes: [...input.browser.trust.extraRootSpkiHashes],
    },
    scroll: {
      heightPx: rendered.scroll.heightPx,
      timeMs: rendered.scroll.timeMs,
      steps: rendered.scroll.steps,
      hitHeightLimit: rendered.scroll.hitHeightLimit,
      hitTimeLimit: rendered.scroll.hitTimeLimit,
      maxHeightPx: rendered.scroll.limits.maxHeightPx,
      maxMs: rendered.scroll.limits.maxMs,
    },
    screenshot: { ...rendered.screenshot },
    navigated: rendered.navigated ? navigatedFacts(rendered.navigated, rendered.notCaptured, input.trigger !== 'batch' && input.otherCaptured === true) : null,
    wacz: input.wacz ? { records: input.wacz.records, datapackageHash: input.wacz.datapackageHash, waczVersion: '1.1.1', ...signingFacts(input.wacz.signing) } : null,
    browser: { path: input.browser.path, source: input.browser.source, version: input.browser.version, headless: input.browser.headless, args: [...input.browser.args] },
    trigger: input.trigger,
    artifacts: [...rendered.stored, ...(input.wacz ? ['network.har', 'capture.wacz'] : []), ...(tls && !('error' in tls) ? ['tls-chain.pem'] : [])],
  };
}

