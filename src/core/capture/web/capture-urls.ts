import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Proofline } from '../../proofline.js';
import { BatchAnchoring } from './batch-anchoring.js';
import { launchBrowser, type LaunchedBrowser } from './browser-launch.js';
import { capturePage, type PageCaptureSettings } from './capture-page.js';
import type { CaptureFailure, FailureKind } from './failure-kind.js';
import { cancelled, ProoflineError } from '../../errors.js';
import { SessionSealedError } from '../../session-guard.js';
import { ownIdentity } from '../../process/process-identity.js';

/** `cancelled`: the batch was cancelled before this URL was captured. */
export type CaptureState = 'queued' | 'loading' | 'scrolling' | 'saving' | 'done' | 'failed' | 'retrying' | 'cancelled';

export interface CaptureProgress {
  readonly url: string;
  readonly state: CaptureState;
  readonly attempt: number;
  readonly message?: string;
}

export interface CaptureUrlsOptions {
  readonly browserPath?: string;
  /** Pages captured at once, each in its own browser context (default 2). */
  readonly concurrency?: number;
  /** Further attempts after a failure that may pass (refused, DNS, timeout, 5xx); default 2. */
  readonly retries?: number;
  /** First backoff delay; doubled each retry (default 1000 ms). */
  readonly retryDelayMs?: number;
  /** From the start of navigation to the page's load event (default 30 s). */
  readonly navigationTimeoutMs?: number;
  readonly maxScrollHeightPx?: number;
  readonly maxScrollMs?: number;
  /** Capture pages whose certificate the browser does not trust (recorded in every capture). */
  readonly ignoreHttpsErrors?: boolean;
  /** PEM roots to accept besides the system's; trust is by SPKI hash and recorded. */
  readonly extraCaRoots?: string[];
  readonly onProgress?: (progress: CaptureProgress) => void;
  /**
   * Cancels the batch: no new page is started, the browser is closed (which ends the pages
   * under way), one `web.capture.cancelled` event names every URL not captured, and the call
   * throws `operation.cancelled`. Pages captured before stay in the session.
   */
  readonly signal?: AbortSignal;
  /** Reuse a browser the caller launched (the bench and the interactive host); not closed here. */
  readonly browser?: LaunchedBrowser;
}

export interface UrlResult {
  readonly url: string;
  readonly ok: boolean;
  readonly finalUrl?: string;
  readonly status?: number;
  /** seq of the `web.capture` event (also set for a page captured with an HTTP error status) */
  readonly eventSeq?: number;
  readonly partial?: boolean;
  /** The page replaced its document during the capture: the other document's URL, named in `web.capture.navigated`, not captured. */
  readonly navigatedTo?: string;
  readonly attempts: number;
  readonly error?: { readonly kind: FailureKind; readonly message: string };
}

export interface BatchResult {
  readonly results: UrlResult[];
  readonly captured: number;
  readonly failed: number;
}

export const CAPTURE_DEFAULTS = {
  concurrency: 2,
  retries: 2,
  retryDelayMs: 1000,
  navigationTimeoutMs: 30_000,
  maxScrollHeightPx: 40_000,
  maxScrollMs: 30_000,
} as const;

/** Reads a URL list file: one URL a line; blank lines and lines starting with # are skipped. */
export async function readUrlList(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ProoflineError('url-list.unreadable', `Cannot read the URL list ${path}: ${(error as Error).message}`, { path }, { cause: error });
  }
  return text.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
}

/** http(s) URLs only; a bare host name gets https://. Anything else is refused up front, by name. */
export function normaliseUrl(raw: string): string {
  const text = raw.trim();
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `https://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ProoflineError('url.invalid', `'${raw}' is not a URL`, { url: raw });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ProoflineError('url.scheme', `'${raw}' is not an http or https URL`, { url: raw });
  return url.href;
}

function positive(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < min) throw new ProoflineError('option.range', `${name} must be a number of at least ${min}, not ${value}`, { name, min, value });
  return value;
}

/**
 * Captures a list of URLs headless, several at once (one browser, a fresh context per URL),
 * retrying failures that may pass with exponential backoff. One URL failing never stops the
 * others; each failure is recorded as a `web.capture.failed` event with its reason.
 *
 * The batch is disclosed as a whole (src/core/archive/batch-accounting.ts): it opens with
 * `web.capture.batch.started` naming every URL and this process, its events name it, and it
 * ends with `web.capture.batch.ended` (finished, or failed as a whole, naming what was not
 * captured) or one `web.capture.cancelled` event (see `signal`). A batch whose process is killed
 * is closed out by the next process to open the session (batch-recovery.ts).
 *
 * Checkpoints are taken behind the pages (batch-anchoring.ts): a URL reported `done` has its
 * files and its `web.capture` event stored and chained; the call returns only once a checkpoint
 * over every captured page is stored and its timestamp asked for.
 */
export async function captureUrls(pl: Proofline, sessionId: string, urls: string[], options: CaptureUrlsOptions = {}): Promise<BatchResult> {
  const session = pl.sessions.get(sessionId);
  if (session.state === 'sealed') throw new SessionSealedError(session.id, session.sealedAt, `Session ${session.id} is sealed: start a new session to capture more pages.`);
  const concurrency = Math.floor(positive('concurrency', options.concurrency, CAPTURE_DEFAULTS.concurrency));
  const retries = Math.floor(positive('retries', options.retries, CAPTURE_DEFAULTS.retries, 0));
  const retryDelayMs = positive('retryDelayMs', options.retryDelayMs, CAPTURE_DEFAULTS.retryDelayMs, 0);
  const settingsBase = {
    navigationTimeoutMs: positive('navigationTimeoutMs', options.navigationTimeoutMs, CAPTURE_DEFAULTS.navigationTimeoutMs, 100),
    maxScrollHeightPx: positive('maxScrollHeightPx', options.maxScrollHeightPx, CAPTURE_DEFAULTS.maxScrollHeightPx, 100),
    maxScrollMs: positive('maxScrollMs', options.maxScrollMs, CAPTURE_DEFAULTS.maxScrollMs, 0),
    ignoreHttpsErrors: options.ignoreHttpsErrors ?? false,
    extraCaRoots: options.extraCaRoots ?? [],
  };
  const report = options.onProgress ?? (() => {});
  const batch = randomUUID();
  const named = urls.map((raw) => {
    try {
      return normaliseUrl(raw);
    } catch {
      return raw; // refused below, by the name it was given
    }
  });
  const me = ownIdentity();
  pl.events.append(sessionId, {
    type: 'web.capture.batch.started',
    payload: { batch, urls: named, requested: urls.length, concurrency, retries, process: { pid: me.pid, start: me.start, host: me.host } },
  });
  const results: UrlResult[] = new Array(urls.length);
  const queue: number[] = [];
  urls.forEach((raw, index) => {
    try {
      normaliseUrl(raw);
      queue.push(index);
      report({ url: raw, state: 'queued', attempt: 0 });
    } catch (error) {
      const failure: CaptureFailure = { kind: 'invalid-url', message: (error as Error).message };
      recordFailure(pl, sessionId, batch, raw, failure, 0, false);
      results[index] = { url: raw, ok: false, attempts: 0, error: failure };
      report({ url: raw, state: 'failed', attempt: 0, message: failure.message });
    }
  });
  if (queue.length === 0) return finished(pl, sessionId, batch, named, results);

  const signal = options.signal;
  const workDir = await mkdtemp(join(tmpdir(), 'proofline-web-'));
  const anchoring = new BatchAnchoring(() => pl.sessions.checkpoint(sessionId, 'manual'));
  let launched: LaunchedBrowser | undefined;
  try {
    // Launched with the signal: a cancellation closes it, ending the pages under way at once.
    launched = options.browser ?? (signal?.aborted ? undefined : await launchBrowser({ browserPath: options.browserPath, extraCaRoots: settingsBase.extraCaRoots, signal }).catch((error: unknown) => {
      if (signal?.aborted) return undefined; // cancelled while it started: said below, as one event
      throw error;
    }));
    if (launched) {
      const browser = launched;
      const settings: PageCaptureSettings = { ...settingsBase, workDir };
      const worker = async (): Promise<void> => {
        for (let index = queue.shift(); index !== undefined; index = queue.shift()) {
          results[index] = await captureOne(pl, sessionId, batch, browser, settings, urls[index]!, retries, retryDelayMs, report, signal, anchoring);
        }
      };
      // Every worker is waited for, so that no event of the batch comes after its end.
      const workers = await Promise.allSettled(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
      const broke = workers.find((w): w is PromiseRejectedResult => w.status === 'rejected');
      if (broke) throw broke.reason;
    }
    // Every page's checkpoint is taken, and its timestamp asked for, before the batch ends.
    await anchoring.settled();
  } catch (error) {
    if (!signal?.aborted) {
      // The batch failed as a whole (the browser would not start, say): its end says what it did not capture.
      pl.events.append(sessionId, {
        type: 'web.capture.batch.ended',
        payload: { batch, outcome: 'failed', error: (error as Error).message, ...counts(named, results) },
      });
      throw error;
    }
  } finally {
    // Failed or cancelled, the batch still waits for the checkpoint under way (its failure, if
    // any, is the batch's error above): the call settles only once nothing more is written.
    await anchoring.settled().catch(() => undefined);
    if (!options.browser) await launched?.browser.close().catch(() => undefined);
    await rm(workDir, { recursive: true, force: true });
  }
  if (signal?.aborted) {
    // What was never started is as much "not captured" as what the closed browser cut short.
    for (const index of queue) results[index] = notCaptured(urls[index]!, 0);
    throw recordCancelled(pl, sessionId, batch, named, results, report);
  }
  return finished(pl, sessionId, batch, named, results);
}

/** What the batch's end event says: how many were asked, captured and given up, and which were not captured. */
function counts(named: readonly string[], results: readonly (UrlResult | undefined)[]): { requested: number; captured: number; failed: number; notCaptured: string[] } {
  const notCaptured = named.filter((_, i) => results[i] === undefined || results[i]!.error === CANCELLED_FAILURE);
  const captured = results.filter((r) => r?.ok).length;
  return { requested: named.length, captured, failed: named.length - captured - notCaptured.length, notCaptured };
}

function finished(pl: Proofline, sessionId: string, batch: string, named: readonly string[], results: UrlResult[]): BatchResult {
  pl.events.append(sessionId, { type: 'web.capture.batch.ended', payload: { batch, outcome: 'finished', ...counts(named, results) } });
  return summarise(results);
}

const CANCELLED_FAILURE: CaptureFailure = { kind: 'aborted', message: 'the batch was cancelled before this URL was captured' };

function notCaptured(url: string, attempts: number): UrlResult {
  return { url, ok: false, attempts, error: CANCELLED_FAILURE };
}

/** The evidence says the batch was cancelled, and which URLs it did not capture; the error says it to the caller. */
function recordCancelled(pl: Proofline, sessionId: string, batch: string, named: readonly string[], results: readonly UrlResult[], report: (p: CaptureProgress) => void): ProoflineError {
  const missed = results.filter((r) => r.error === CANCELLED_FAILURE).map((r) => r.url);
  const urls = named;
  const captured = results.filter((r) => r.ok).length;
  const event = pl.events.append(sessionId, {
    type: 'web.capture.cancelled',
    payload: { batch, reason: 'the batch was cancelled', ...counts(named, results) },
  });
  for (const url of missed) report({ url, state: 'cancelled', attempt: 0, message: CANCELLED_FAILURE.message });
  return cancelled(
    `The batch capture was cancelled: ${captured} of ${urls.length} URL(s) captured, ${missed.length} not captured (named in event ${event.body.seq}).`,
    { captured, notCaptured: missed.length, total: urls.length, eventSeq: event.body.seq },
  );
}

function summarise(results: UrlResult[]): BatchResult {
  const captured = results.filter((r) => r.ok).length;
  return { results, captured, failed: results.length - captured };
}

async function captureOne(
  pl: Proofline,
  sessionId: string,
  batch: string,
  launched: LaunchedBrowser,
  settings: PageCaptureSettings,
  raw: string,
  retries: number,
  retryDelayMs: number,
  report: (p: CaptureProgress) => void,
  signal: AbortSignal | undefined,
  anchoring: BatchAnchoring,
): Promise<UrlResult> {
  const url = normaliseUrl(raw);
  for (let attempt = 1; ; attempt += 1) {
    // Cancelled: named in the batch's one `web.capture.cancelled` event, not one failure each.
    if (signal?.aborted) return notCaptured(raw, attempt - 1);
    const lastAttempt = attempt > retries;
    const outcome = await capturePage(pl, sessionId, launched, settings, {
      url,
      attempt,
      lastAttempt,
      batch,
      onState: (state) => report({ url: raw, state, attempt }),
      captured: () => anchoring.request(),
    });
    if (outcome.ok) {
      const base = { url: raw, finalUrl: outcome.finalUrl, status: outcome.status, eventSeq: outcome.event.body.seq, partial: outcome.partial, attempts: attempt, ...(outcome.navigatedTo ? { navigatedTo: outcome.navigatedTo } : {}) };
      if (outcome.httpError) {
        // Captured as evidence (a 404 shows the page is gone), but not the page that was asked for.
        recordFailure(pl, sessionId, batch, url, outcome.httpError, attempt, false, outcome.event.body.seq);
        report({ url: raw, state: 'failed', attempt, message: outcome.httpError.message });
        return { ...base, ok: false, error: outcome.httpError };
      }
      const said = [outcome.partial ? 'captured what rendered before the timeout (partial)' : '', outcome.navigatedTo ? `the page moved to ${outcome.navigatedTo} during the capture: kept what was taken before, that page not captured` : ''].filter(Boolean).join('; ');
      report({ url: raw, state: 'done', attempt, message: said || undefined });
      return { ...base, ok: true };
    }
    // The browser was closed under it: the cancellation, not a failure of the page.
    if (signal?.aborted) return notCaptured(raw, attempt);
    const willRetry = outcome.retryable && !lastAttempt;
    recordFailure(pl, sessionId, batch, url, outcome.failure, attempt, willRetry);
    if (!willRetry) {
      report({ url: raw, state: 'failed', attempt, message: outcome.failure.message });
      return { url: raw, ok: false, attempts: attempt, error: outcome.failure, ...(outcome.status ? { status: outcome.status } : {}) };
    }
    report({ url: raw, state: 'retrying', attempt, message: outcome.failure.message });
    await sleep(retryDelayMs * 2 ** (attempt - 1), signal);
  }
}

function recordFailure(pl: Proofline, sessionId: string, batch: string, url: string, failure: CaptureFailure, attempt: number, willRetry: boolean, captureEventSeq?: number): void {
  pl.events.append(sessionId, {
    type: 'web.capture.failed',
    payload: { batch, url, kind: failure.kind, message: failure.message, attempt, willRetry, ...(captureEventSeq === undefined ? {} : { captureEventSeq }) },
  });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
