import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { BatchResult, CaptureProgress } from '../../core/capture/web/capture-urls.js';
import type { Proofline } from '../../core/proofline.js';
import { collect, UsageError, type CliContext } from '../cli-context.js';

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

/** `proofline capture`: fix web pages as evidence in a session. */
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
        if (process.platform === 'linux' && !process.env['DISPLAY']) throw new Error((await interactive()).NO_DISPLAY);
        await context.withStore(async (pl) => {
          const session = pl.sessions.get(id);
          await environmentCheck(pl, session.id, start, opts, context, tty);
          await browse(pl, session.id, start, opts, extraCaRoots, timeoutSeconds, context);
        });
        return;
      }
      const { result, check, sessionId } = await context.withStore(async (pl) => {
        const session = pl.sessions.get(id);
        if (session.state === 'sealed') throw new Error(`Session ${session.id} is sealed: start a new session to capture more pages.`);
        const checkSummary = await environmentCheck(pl, session.id, urls[0], opts, context, tty);
        const batch = await (await batchEngine()).captureUrls(pl, session.id, urls, {
          browserPath: opts.browser,
          concurrency,
          retries,
          navigationTimeoutMs: timeoutSeconds * 1000,
          extraCaRoots,
          ignoreHttpsErrors: opts.ignoreHttpsErrors ?? false,
          onProgress: progress,
        });
        return { result: batch, check: checkSummary, sessionId: session.id };
      });

      if (opts.json) {
        context.out(`${JSON.stringify({ sessionId, environmentCheck: check, ...result }, null, 2)}\n`);
      } else {
        context.out(formatResults(result));
      }
      const failed = result.results.filter((r) => !r.ok);
      if (failed.length > 0) {
        process.stderr.write(`proofline: ${failed.length} of ${result.results.length} URL(s) not captured: ${failed.map((r) => `${r.url} (${r.error?.kind ?? 'failed'})`).join(', ')}\n`);
        process.exitCode = 1;
      }
    });
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
async function environmentCheck(pl: Proofline, sessionId: string, target: string | undefined, opts: CaptureOptions, context: CliContext, tty: boolean): Promise<{ verdict: string; eventSeq: number } | null> {
  if (!opts.envCheck) return null;
  const session = pl.sessions.get(sessionId);
  if (session.state === 'sealed') throw new Error(`Session ${session.id} is sealed: start a new session to capture more pages.`);
  if (tty) process.stderr.write('checking the environment…\n');
  const report = await (await cleanEnv()).runEnvironmentCheck({
    targetUrl: target,
    tsaUrls: context.tsaUrls(),
    browserPath: opts.browser,
    publicIpUrl: opts.publicIp ? opts.publicIpUrl : null,
  });
  const event = await (await cleanEnv()).recordEnvironmentCheck(pl, sessionId, report);
  if (!opts.json) process.stderr.write((await cleanEnv()).formatEnvironmentCheck(report));
  return { verdict: report.verdict, eventSeq: event.body.seq };
}

/** Interactive capture: runs until the user closes the browser or presses Ctrl-C. */
async function browse(pl: Proofline, sessionId: string, start: string | undefined, opts: CaptureOptions, extraCaRoots: string[], timeoutSeconds: number, context: CliContext): Promise<void> {
  const browsing = await (await interactive()).startInteractiveCapture(pl, sessionId, {
    browserPath: opts.browser,
    startUrl: start,
    extraCaRoots,
    ignoreHttpsErrors: opts.ignoreHttpsErrors ?? false,
    navigationTimeoutMs: timeoutSeconds * 1000,
    recordScreen: opts.record,
    onNotice: (n) => {
      if (n.level !== 'info' || !opts.json) process.stderr.write(`${n.level === 'info' ? '' : `${n.level}: `}${n.message}${n.eventSeq === undefined ? '' : ` (event ${n.eventSeq})`}\n`);
    },
  });
  process.stderr.write('Browse to the pages to fix; each page is captured when it has loaded. Close the browser or press Ctrl-C to finish.\n');
  const interrupt = (): void => void browsing.stop('interrupted (Ctrl-C)');
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);
  try {
    await browsing.done;
  } finally {
    process.off('SIGINT', interrupt);
    process.off('SIGTERM', interrupt);
  }
  const captures = [...pl.events.iterate(sessionId)].filter((e) => e.body.type === 'web.capture').length;
  context.out(opts.json ? `${JSON.stringify({ sessionId, captures })}\n` : `browsing ended: ${captures} page capture(s) in session ${sessionId}\n`);
}

function formatResults(batch: BatchResult): string {
  return batch.results
    .map((r) => {
      if (r.ok) return `captured  ${r.url}${r.finalUrl && r.finalUrl !== r.url ? ` -> ${r.finalUrl}` : ''} (HTTP ${r.status}, event ${r.eventSeq})${r.partial ? ' partial: the page was still loading at the time limit' : ''}\n`;
      const kept = r.eventSeq === undefined ? '' : `; the page as served is kept (event ${r.eventSeq})`;
      return `FAILED    ${r.url}: ${r.error?.kind}: ${r.error?.message} (after ${r.attempts} attempt(s))${kept}\n`;
    })
    .join('');
}
