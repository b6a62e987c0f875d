// The one-shot web operations: the clean-environment check, a batch of URLs captured headless,
// and the pages a session holds.
import type { ParsedInputOf } from '../../../shared/contract.js';
import type * as V from '../../../shared/views.js';
import { SessionSealedError } from '../../session-guard.js';
import type { LeasePurpose, TakenLease } from '../../store/session-lease.js';
import { PAGE_EVENT_TYPES, pagesFromEvents } from '../../views/session-view.js';
import type { UrlResult } from '../web/capture-urls.js';
import { orUndefined, type LifecycleContext } from './deps.js';
import * as load from './modules.js';

export type CheckRequest = Omit<ParsedInputOf<'web.checkEnvironment'>, 'id'>;
export type BatchRequest = Omit<ParsedInputOf<'web.capture'>, 'id'>;

/** The check runs first, then is recorded into the session (when one is named) as it came out. */
export async function checkEnvironment(context: LifecycleContext, sessionId: string | undefined, request: CheckRequest, progress: (p: V.Progress) => void, signal: AbortSignal): Promise<V.EnvironmentCheck> {
  const s = context.settings();
  const { runEnvironmentCheck, recordEnvironmentCheck, TITLES_ZH } = await load.cleanEnv();
  let done = 0;
  const total = Object.keys(TITLES_ZH).length;
  const report = await runEnvironmentCheck({
    targetUrl: request.url,
    tsaUrls: s.tsaUrls,
    browserPath: request.browserPath ?? orUndefined(s.browserPath),
    publicIpUrl: request.publicIpUrl,
    dohUrl: request.dohUrl,
    dohFormat: request.dohFormat,
    ntpServers: request.ntpServers,
    hostsFile: request.hostsFile,
    timeoutMs: request.timeoutMs,
    signal,
    onProgress: (step) => progress({ phase: 'check', done: ++done, total, detail: step.id }),
  });
  const event = sessionId ? await recordEnvironmentCheck(context.pl, sessionId, report) : undefined;
  return {
    ...report,
    findings: report.findings.map((f) => ({ ...f, titleZh: (TITLES_ZH as Readonly<Record<string, string>>)[f.id] })),
    ...(event ? { recordedSeq: event.body.seq, recorded: { session: event.body.session, seq: event.body.seq, hash: event.hash } } : {}),
  };
}

export async function captureUrls(
  context: LifecycleContext,
  sessionId: string,
  closing: boolean,
  request: BatchRequest,
  progress: (p: V.CaptureProgress) => void,
  signal: AbortSignal,
  /** Owns the session across processes for the batch (CaptureLifecycle.claim). */
  claim: (purpose: LeasePurpose) => Promise<TakenLease>,
): Promise<V.BatchSummary> {
  if (closing) throw new SessionSealedError(sessionId, null, `Session ${sessionId} is being sealed: start a new session to capture more pages.`);
  const { captureUrls: capture } = await load.batchCapture();
  const lease = await claim('capture');
  const result = await capture(context.pl, sessionId, [...request.urls], {
    browserPath: request.browserPath ?? orUndefined(context.settings().browserPath),
    concurrency: request.concurrency,
    retries: request.retries,
    navigationTimeoutMs: request.timeoutSeconds === undefined ? undefined : request.timeoutSeconds * 1000,
    extraCaRoots: request.extraCaRoots === undefined ? undefined : [...request.extraCaRoots],
    ignoreHttpsErrors: request.ignoreHttpsErrors,
    onProgress: progress,
    signal,
  }).finally(() => lease.release());
  return { results: result.results.map(urlResult), captured: result.captured, failed: result.failed };
}

/** A URL's result, its failure said for a person in `error` and kept as data in `failure`. */
function urlResult(result: UrlResult): V.BatchUrlResult {
  const { error, ...rest } = result;
  if (!error) return rest;
  // Rebuilt key by key so that `error` stays where the capture put it.
  return Object.fromEntries([...Object.entries(result).map(([key, value]) => (key === 'error' ? [key, `${error.kind}: ${error.message}`] : [key, value])), ['failure', error]]) as unknown as V.BatchUrlResult;
}

export function pages(context: LifecycleContext, sessionId: string): V.CapturedPage[] {
  // Only the web.capture events, through the type index: the pages cost what they show (issue 13).
  return pagesFromEvents([...context.pl.events.ofTypes(sessionId, PAGE_EVENT_TYPES)].map((event) => event.body));
}
