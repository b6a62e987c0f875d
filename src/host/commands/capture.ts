import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ProoflineError } from '../../core/errors.js';
import { SessionSealedError } from '../../core/session-guard.js';
import type { SessionSummary } from '../../shared/domain.js';
import type { BatchSummary, BatchUrlResult, CaptureProgress } from '../../shared/views.js';
import { collect, interruptible, UsageError, type CliContext } from '../cli-context.js';
import type { CliHost } from '../cli-host.js';
import { checkReport } from './check-env.js';

// Playwright and the capture engine load only when a capture runs: every other command starts faster.
const cleanEnv = () => import('../../core/capture/web/clean-env/index.js');
const batchEngine = () => import('../../core/capture/web/capture-urls.js');
const interactive = () => import('../../core/capture/web/interactive.js');


interface CaptureOptions {
  file?: string;
  headless?: boolean;
  concurrency: string;
  retries: string;
  timeout: string;
  browser?: string;
  ca: string[];
  ignoreHttpsErrors?: boolean;
  envCheck: boolean;
  publicIpUrl?: string;
  publicIp: boolean;
  json?: boolean;
  start?: string;
  record: boolean;
}

function integer(name: string, value: string, min: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${name} must be a whole number of at least ${min}, not '${value}'`);
  return n;
}

/**
 * `proofline capture`: fix web pages as evidence in a session, through the operations
 * web.checkEnvironment, then web.capture (batch) or web.browse.* (interactive).
 */
export function registerCaptureCommands(program: Command, context: CliContext): void {
  program
    .command('capture')
    .description('capture web pages into an open session: screenshot, MHTML, DOM, text, HAR, WACZ, TLS chain. With URLs: headless batch, exit 0 only if every URL was captured. Without: a browser window you drive, every page captured, the screen recorded, until you close it or press Ctrl-C')
    .argument('<id>', 'session id or a unique prefix of it')
    .argument('[urls...]', 'pages to capture')
    .option('--file <list>', 'read URLs from a file, one a line (# comments and blank lines skipped)')
    .option('--headless', 'capture without a window (batch capture is always headless)')
    .option('--concurrency <n>', 'pages captured at once', '2')
    .option('--retries <n>', 'further attempts after a failure that may pass (refused, DNS, timeout, 5xx)', '2')
    .option('--timeout <seconds>', 'navigation time limit per page; a page still loading then is captured as it stands (partial)', '30')
    .option('--browser <path>', 'Chrome, Edge or Chromium to use (default: $PROOFLINE_BROWSER, then a found one)')
    .option('--ca <pem>', 'extra trusted root for the pages (PEM); repeat for several; recorded with each capture', collect, [])
    .option('--ignore-https-errors', 'capture pages whose certificate is not trusted (recorded with each capture)')
    .option('--no-env-check', 'skip the clean-environment check that runs before capturing')
    .option('--public-ip-url <url>', 'service the environment check asks for this machine\'s public address')
    .option('--no-public-ip', 'do not ask any service for the public address')
    .option('--start <url>', 'interactive: the page to open first')
    .option('--no-record', 'interactive: do not record the screen')
    .option('--json', 'print the results as JSON')
    .action(async (id: string, urlArgs: string[], opts: CaptureOptions) => {
      const urls = [...urlArgs];
      if (opts.file) {
        try {
          urls.push(...(await (await batchEngine()).readUrlList(resolve(opts.file))));
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      }
      if (urls.length === 0 && (opts.headless || opts.file)) throw new UsageError('give at least one URL, or --file LIST');
      const concurrency = integer('--concurrency', opts.concurrency, 1);
      const retries = integer('--retries', opts.retries, 0);
      const timeoutSeconds = Number(opts.timeout);
      if (!(timeoutSeconds > 0)) throw new UsageError(`--timeout must be a positive number of seconds, not '${opts.timeout}'`);
      const extraCaRoots = opts.ca.map((file) => {
        try {
          return readFileSync(file, 'utf8');
        } catch (error) {
          throw new UsageError(`cannot read CA root ${file}: ${(error as Error).message}`);
        }
      });
      const tty = process.stderr.isTTY;
      const progress = (p: CaptureProgress): void => {
        if (tty || p.state === 'retrying') process.stderr.write(`${p.state.padEnd(9)} ${p.url}${p.attempt > 1 ? ` (attempt ${p.attempt})` : ''}${p.message ? `: ${p.message}` : ''}\n`);
      };

      if (urls.length === 0) {
        const start = opts.start === undefined ? undefined : await normaliseOrUsage(opts.start);
        if (process.platform === 'linux' && !process.env['DISPLAY']) throw new ProoflineError('display.missing', (await interactive()).NO_DISPLAY);
        const onNotice = (_session: string, n: { level: string; message: string; eventSeq?: number }): void => {
          if (n.level !== 'info' || !opts.json) process.stderr.write(`${n.level === 'info' ? '' : `${n.level}: `}${n.message}${n.eventSeq === undefined ? '' : ` (event ${n.eventSeq})`}\n`);
        };
        await context.withHost(
          async (host) => {
            const { session } = await host.call('session.get', { id });
            await environmentCheck(host, session, start, opts, tty);
            await browse(host, session.id, start, opts, extraCaRoots, timeoutSeconds, context);
          },
          { timers: true, onNotice },
        );
        return;
      }
      // Ctrl-C cancels the batch: no new page starts, the browser closes, the session records
      // which URLs were not captured (web.capture.cancelled), exit 130.
      const { result, check, sessionId } = await interruptible((signal) =>
        context.withHost(
          async (host) => {
            const { session } = await host.call('session.get', { id });
            if (session.state === 'sealed') throw sealed(session);
            const checkSummary = await environmentCheck(host, session, urls[0], opts, tty, signal);
            const request = { concurrency, retries, timeoutSeconds, browserPath: opts.browser, extraCaRoots, ignoreHttpsErrors: opts.ignoreHttpsErrors ?? false };
            const batch = await captureInTurns(host, session.id, urls, request, progress, signal);
            return { result: batch, check: checkSummary, sessionId: session.id };
          },
          { timers: true },
        ),
      );

      if (opts.json) {
        context.out(`${JSON.stringify({ sessionId, environmentCheck: check, results: result.results.map(urlRecord), captured: result.captured, failed: result.failed }, null, 2)}\n`);
      } else {
        context.out(formatResults(result));
      }
      const failed = result.results.filter((r) => !r.ok);
      if (failed.length > 0) {
        process.stderr.write(`proofline: ${failed.length} of ${result.results.length} URL(s) not captured: ${failed.map((r) => `${r.url} (${r.failure?.kind ?? 'failed'})`).join(', ')}\n`);
        process.exitCode = 1;
      }
    });
}

function sealed(session: SessionSummary): SessionSealedError {
  return new SessionSealedError(session.id, session.sealedAt, `Session ${session.id} is sealed: start a new session to capture more pages.`);
}

async function normaliseOrUsage(url: string): Promise<string> {
  const { normaliseUrl } = await batchEngine();
  try {
    return normaliseUrl(url);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The clean-environment check, recorded in the session before anything is captured. */
async function environmentCheck(host: CliHost, session: SessionSummary, target: string | undefined, opts: CaptureOptions, tty: boolean, signal?: AbortSignal): Promise<{ verdict: string; eventSeq: number } | null> {
  if (!opts.envCheck) return null;
  if (session.state === 'sealed') throw sealed(session);
  if (tty) process.stderr.write('checking the environment…\n');
  const check = await host.call('web.checkEnvironment', { id: session.id, url: target, browserPath: opts.browser, publicIpUrl: opts.publicIp ? opts.publicIpUrl : null }, { signal });
  if (!opts.json) process.stderr.write((await cleanEnv()).formatEnvironmentCheck(checkReport(check)));
  return { verdict: check.verdict, eventSeq: check.recordedSeq! };
}

/** A list longer than one operation takes is captured in turns, one result list in order. */
async function captureInTurns(
  host: CliHost,
  sessionId: string,
  urls: string[],
  request: { concurrency: number; retries: number; timeoutSeconds: number; browserPath?: string; extraCaRoots: string[]; ignoreHttpsErrors: boolean },
  progress: (p: CaptureProgress) => void,
  signal: AbortSignal,
): Promise<BatchSummary> {
  // The contract (and zod with it) is loaded by the host by now; imported here, not at start-up.
  const { MAX_BATCH_URLS } = await import('../../shared/contract.js');
  const results: BatchUrlResult[] = [];
  for (let from = 0; from < urls.length; from += MAX_BATCH_URLS) {
    try {
      const turn = await host.call('web.capture', { id: sessionId, urls: urls.slice(from, from + MAX_BATCH_URLS), ...request }, { progress, signal });
      results.push(...turn.results);
    } catch (error) {
      if (!signal.aborted) throw error;
      // Cancelled: the later turns are recorded as not captured too (their signal is aborted
      // already, so each only records its web.capture.cancelled event), then the first error.
      for (let rest = from + MAX_BATCH_URLS; rest < urls.length; rest += MAX_BATCH_URLS) {
        await host.call('web.capture', { id: sessionId, urls: urls.slice(rest, rest + MAX_BATCH_URLS), ...request }, { signal }).catch(() => undefined);
      }
      throw error;
    }
  }
  const captured = results.filter((r) => r.ok).length;
  return { results, captured, failed: results.length - captured };
}

/** A URL's result as `capture --json` has always printed it: `error` is the failure's kind and message. */
function urlRecord(result: BatchUrlResult): object {
  return Object.fromEntries(Object.entries(result).filter(([key]) => key !== 'failure').map(([key, value]) => [key, key === 'error' ? result.failure : value]));
}

/** Interactive capture: runs until the user closes the browser or presses Ctrl-C. */
async function browse(host: CliHost, sessionId: string, start: string | undefined, opts: CaptureOptions, extraCaRoots: string[], timeoutSeconds: number, context: CliContext): Promise<void> {
  await host.call('web.browse.start', { id: sessionId, url: start, recordScreen: opts.record, browserPath: opts.browser, extraCaRoots, ignoreHttpsErrors: opts.ignoreHttpsErrors ?? false, timeoutSeconds });
  process.stderr.write('Browse to the pages to fix; each page is captured when it has loaded. Close the browser or press Ctrl-C to finish.\n');
  await new Promise<void>((resolveEnd) => {
    const finish = (): void => {
      clearInterval(poll);
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
      resolveEnd();
    };
    const interrupt = (): void => void host.call('web.browse.stop', { id: sessionId, reason: 'interrupted (Ctrl-C)' }).then(finish, finish);
    process.once('SIGINT', interrupt);
    process.once('SIGTERM', interrupt);
    // The user may close the browser: the lifecycle then ends the capture and the status is idle.
    const poll = setInterval(() => {
      void host.call('web.browse.status', { id: sessionId }).then((status) => {
        if (status.state === 'idle') finish();
      }, finish);
    }, 250);
  });
  const { captures } = await host.call('web.browse.status', { id: sessionId });
  context.out(opts.json ? `${JSON.stringify({ sessionId, captures })}\n` : `browsing ended: ${captures} page capture(s) in session ${sessionId}\n`);
}

function formatResults(batch: BatchSummary): string {
  return batch.results
    .map((r) => {
      if (r.ok) return `captured  ${r.url}${r.finalUrl && r.finalUrl !== r.url ? ` -> ${r.finalUrl}` : ''} (HTTP ${r.status}, event ${r.eventSeq})${r.partial ? ' partial: the page was still loading at the time limit' : ''}\n`;
      const kept = r.eventSeq === undefined ? '' : `; the page as served is kept (event ${r.eventSeq})`;
      return `FAILED    ${r.url}: ${r.failure?.kind}: ${r.failure?.message} (after ${r.attempts} attempt(s))${kept}\n`;
    })
    .join('');
}
