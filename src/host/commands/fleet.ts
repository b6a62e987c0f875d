import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { FleetStatus } from '../../shared/views.js';
import { collect, interruptible, UsageError, type CliContext } from '../cli-context.js';
import type { CliHost } from '../cli-host.js';

// BullMQ, ioredis and the S3 client load only when a fleet command runs.
const fleetCore = () =>
  Promise.all([import('../../core/fleet/job-ledger.js'), import('../../core/fleet/recover-sessions.js'), import('../../core/fleet/vault-pusher.js'), import('../../core/fleet/worker.js'), import('../../core/fleet/job-standing.js')]);

interface WorkerOptions {
  queue?: string;
  vault?: string;
  concurrency: string;
  lockSeconds: string;
  stalledSeconds: string;
  maxStalled: string;
  pushWaitSeconds: string;
  stopGraceSeconds: string;
  timeout: string;
  retries: string;
  browser?: string;
  ca: string[];
  ignoreHttpsErrors?: boolean;
  envCheck: boolean;
  publicIpUrl?: string;
  publicIp: boolean;
  ntp: string[];
  checkTimeout: string;
}

function number(name: string, value: string, min: number, whole = false): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || (whole && !Number.isInteger(n))) throw new UsageError(`${name} must be a ${whole ? 'whole ' : ''}number of at least ${min}, not '${value}'`);
  return n;
}

/** The queue of --queue, else $PROOFLINE_QUEUE, else the data folder's Settings; undefined: the operation says none is set. */
async function queueOf(context: CliContext, given: string | undefined): Promise<string | undefined> {
  if (given) return given;
  if (process.env['PROOFLINE_QUEUE']) return process.env['PROOFLINE_QUEUE'];
  const { SettingsStore } = await import('../settings-store.js');
  return new SettingsStore(context.dataDir()).get().queueUrl || undefined;
}

/**
 * `proofline worker`, `proofline batch submit|status`: the capture fleet (docs/FLEET.md). The
 * worker calls the same operations as the app (session.create, web.checkEnvironment,
 * web.capture, session.seal, session.export) through the in-process host.
 */
export function registerFleetCommands(program: Command, context: CliContext): void {
  program
    .command('worker')
    .description('take capture jobs from the fleet\'s queue: each URL is captured into a session of this data folder (its own device key), checked, sealed, exported and pushed to the vault; runs until Ctrl-C or SIGTERM')
    .option('--queue <url>', 'redis://HOST:PORT (default: $PROOFLINE_QUEUE, then Settings)')
    .option('--vault <url>', 's3://BUCKET[/PREFIX] (default: $PROOFLINE_VAULT, then Settings)')
    .option('--concurrency <n>', 'jobs captured at once', '1')
    .option('--lock-seconds <s>', 'a job\'s lock, renewed while this worker lives; a killed worker\'s job is retried about this long plus --stalled-seconds after it died', '15')
    .option('--stalled-seconds <s>', 'how often this worker looks for jobs of dead workers', '5')
    .option('--max-stalled <n>', 'times a job may come back from a dead worker before it is failed', '2')
    .option('--push-wait-seconds <s>', 'how long to wait for an unreachable vault before failing the attempt (the archive is kept and pushed later)', '600')
    .option('--stop-grace-seconds <s>', 'on Ctrl-C or SIGTERM, how long the jobs under way may finish before they are cancelled (their sessions still sealed and pushed)', '60')
    .option('--timeout <seconds>', 'navigation time limit per page', '30')
    .option('--retries <n>', 'further tries of a page within one attempt', '1')
    .option('--browser <path>', 'Chrome, Edge or Chromium to use')
    .option('--ca <pem>', 'extra trusted root for the pages (PEM); repeat for several', collect, [])
    .option('--ignore-https-errors', 'capture pages whose certificate is not trusted (recorded with each capture)')
    .option('--no-env-check', 'skip the clean-environment check before each capture')
    .option('--public-ip-url <url>', 'service the environment check asks for the public address')
    .option('--no-public-ip', 'do not ask any service for the public address')
    .option('--ntp <host>', 'SNTP server the environment check compares the clock with; repeat for several', collect, [])
    .option('--check-timeout <ms>', 'time limit of each environment probe', '5000')
    .action(async (opts: WorkerOptions) => {
      const concurrency = number('--concurrency', opts.concurrency, 1, true);
      const lockMs = number('--lock-seconds', opts.lockSeconds, 2) * 1000;
      const stalledMs = number('--stalled-seconds', opts.stalledSeconds, 1) * 1000;
      const maxStalled = number('--max-stalled', opts.maxStalled, 0, true);
      const pushWaitMs = number('--push-wait-seconds', opts.pushWaitSeconds, 0) * 1000;
      const graceMs = number('--stop-grace-seconds', opts.stopGraceSeconds, 0) * 1000;
      const extraCaRoots = opts.ca.map((file) => {
        try {
          return readFileSync(file, 'utf8');
        } catch (error) {
          throw new UsageError(`cannot read CA root ${file}: ${(error as Error).message}`);
        }
      });
      const capture = {
        timeoutSeconds: number('--timeout', opts.timeout, 0.1),
        retries: number('--retries', opts.retries, 0, true),
        browserPath: opts.browser,
        extraCaRoots,
        ignoreHttpsErrors: opts.ignoreHttpsErrors ?? false,
        envCheck: opts.envCheck,
        publicIpUrl: opts.publicIp ? opts.publicIpUrl : null,
        ntpServers: opts.ntp,
        checkTimeoutMs: number('--check-timeout', opts.checkTimeout, 1),
      };
      const log = (line: string): void => void process.stderr.write(`${new Date().toISOString()} ${line}\n`);
      const [{ JobLedger }, { recoverFleetSessions }, { openVaultPusher }, { startWorker }, { openStandingReader }] = await fleetCore();
      const { resolveQueueUrl, publicQueueUrl } = await import('../../core/fleet/queue-connection.js');
      const { SettingsStore } = await import('../settings-store.js');
      const saved = new SettingsStore(context.dataDir()).get();
      const queueUrl = resolveQueueUrl(opts.queue, saved.queueUrl);
      await interruptible((signal) =>
        context.withHost(
          async (host) => {
            const device = (await host.pl.device()).keyId;
            const worker = `${hostname()}:${process.pid}`;
            const pusher = await openVaultPusher(host.pl, saved.vault, opts.vault ?? '', { waitMs: pushWaitMs, log });
            const deps = { call: host.call, ledger: new JobLedger(context.dataDir()), device, worker, push: pusher.push, capture, log, busy: new Set<string>() };
            const reader = await openStandingReader(queueUrl);
            const recovery = { jobStanding: reader.standing, busy: deps.busy };
            log(`worker ${worker}, device ${device}: recovering what a stopped worker left in ${context.dataDir()}`);
            await recoverFleetSessions(deps, { ...recovery, recoverInterrupted: () => recoverLines(host) });
            if (signal.aborted) return void (await reader.close());
            const running = await startWorker({ queueUrl, concurrency, lockMs, stalledMs, maxStalled }, deps);
            // Every minute: captures whose push failed, once their job is answered or closed.
            let sweeping = false;
            const sweep = setInterval(() => {
              if (sweeping) return;
              sweeping = true;
              void recoverFleetSessions(deps, recovery).finally(() => (sweeping = false));
            }, 60_000);
            log(`worker ${worker}, device ${device}: taking jobs from ${publicQueueUrl(queueUrl)} into ${pusher.url} (concurrency ${concurrency})`);
            await new Promise<void>((done) => {
              signal.addEventListener('abort', () => done(), { once: true });
              void running.closed.then(done);
            });
            log(`worker ${worker}: stopping; jobs under way may finish for ${graceMs / 1000} s`);
            clearInterval(sweep);
            await running.stop(graceMs);
            await reader.close().catch(() => undefined);
          },
          { timers: true },
        ),
      );
    });

  const batch = program.command('batch').description('submit URLs to the capture fleet and follow them');
  batch
    .command('submit')
    .description('queue URLs for the fleet\'s workers, one job per URL (a URL given twice is queued once); prints the submission id')
    .argument('[urls...]', 'pages to capture')
    .requiredOption('--matter <name>', 'the matter the archives go under in the vault')
    .option('--file <list>', 'read URLs from a file, one a line (# comments and blank lines skipped)')
    .option('--queue <url>', 'redis://HOST:PORT (default: $PROOFLINE_QUEUE, then Settings)')
    .option('--submission <id>', 'add to an earlier submission: URLs it holds are not queued again')
    .option('--attempts <n>', 'attempts per URL before it is failed (default 3)')
    .option('--backoff <seconds>', 'wait before the second attempt, doubling after (default 5)')
    .option('--json', 'print the result as JSON')
    .action(async (args: string[], opts: { matter: string; file?: string; queue?: string; submission?: string; attempts?: string; backoff?: string; json?: boolean }) => {
      const urls = [...args];
      if (opts.file) {
        const { readUrlList } = await import('../../core/capture/web/capture-urls.js');
        try {
          urls.push(...(await readUrlList(resolve(opts.file))));
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      }
      if (urls.length === 0) throw new UsageError('give at least one URL, or --file LIST');
      const queue = await queueOf(context, opts.queue);
      const result = await context.withHost((host) =>
        host.call('fleet.submit', {
          urls,
          matter: opts.matter,
          queue,
          submission: opts.submission,
          attempts: opts.attempts === undefined ? undefined : number('--attempts', opts.attempts, 1, true),
          backoffSeconds: opts.backoff === undefined ? undefined : number('--backoff', opts.backoff, 0.001),
        }),
      );
      if (opts.json) context.out(`${JSON.stringify(result)}\n`);
      else {
        context.out(`${result.submission}\n`);
        process.stderr.write(`submission ${result.submission} (matter ${result.matter}): ${result.queued} URL(s) queued${result.duplicates > 0 ? `, ${result.duplicates} already queued or given twice` : ''}\n`);
      }
    });
  batch
    .command('status')
    .description('each URL of a submission (default: the latest ten submissions) with its state, attempts, failure reason, session, device and vault key')
    .argument('[submission]', 'a submission id')
    .option('--queue <url>', 'redis://HOST:PORT (default: $PROOFLINE_QUEUE, then Settings)')
    .option('--json', 'print the status as JSON')
    .option('--watch', 'print again every --interval seconds until no job waits or runs')
    .option('--interval <seconds>', 'with --watch', '2')
    .action(async (submission: string | undefined, opts: { queue?: string; json?: boolean; watch?: boolean; interval: string }) => {
      const queue = await queueOf(context, opts.queue);
      const intervalMs = number('--interval', opts.interval, 0.1) * 1000;
      await context.withHost(async (host) => {
        for (;;) {
          const status = await host.call('fleet.status', { submission, queue });
          context.out(opts.json ? `${JSON.stringify(status)}\n` : formatStatus(status));
          const open = status.submissions.some((s) => s.counts.waiting + s.counts.active + s.counts.delayed > 0);
          if (!opts.watch || !open) return;
          await new Promise((r) => setTimeout(r, intervalMs));
        }
      });
    });
}

/** The lifecycle's recovery, its lines kept for the worker's log (cli-host prints them too). */
async function recoverLines(host: CliHost): Promise<string[]> {
  await host.recover();
  return [];
}

export function formatStatus(status: FleetStatus): string {
  return status.submissions
    .map((s) => {
      const counts = Object.entries(s.counts).filter(([, n]) => n > 0).map(([state, n]) => `${n} ${state}`).join(', ');
      const jobs = s.jobs.map((j) => {
        const facts = [
          `attempts ${j.attempts}`,
          j.sessionId && `session ${j.sessionId}`,
          j.device && `device ${j.device.slice(0, 16)}`,
          j.archiveKey && `vault ${j.archiveKey}`,
          j.interrupted.length > 0 && `interrupted earlier: ${j.interrupted.join(', ')}`,
          j.failedReason && `reason: ${j.failedReason}`,
        ].filter(Boolean);
        return `  ${j.state.padEnd(9)} ${j.url}  (${facts.join('; ')})\n`;
      });
      return `submission ${s.submission} (matter ${s.matter}, submitted ${s.submittedAt}): ${counts || 'no jobs'}\n${jobs.join('')}`;
    })
    .join('');
}
