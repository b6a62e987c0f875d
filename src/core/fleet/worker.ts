// A capture worker on the fleet's queue (docs/FLEET.md). BullMQ's stalled-job check is how a
// killed worker's job comes back: a job's lock lasts `lockMs` and is renewed every lockMs/2 while
// the worker lives; every `stalledMs` each live worker looks for active jobs whose lock expired
// and puts them back in the queue. A job is retried within about lockMs + stalledMs of its
// worker's death (15 s + 5 s by default), and given up after `maxStalled` such returns.
import type { Job, Worker } from 'bullmq';
import { QUEUE_NAME, QUEUE_PREFIX, type FleetJobData, type FleetJobResult } from './fleet-jobs.js';
import { publicQueueUrl, workerConnection } from './queue-connection.js';
import { runCaptureJob } from './run-job.js';
import type { WorkerDeps } from './worker-deps.js';

export interface WorkerSettings {
  readonly queueUrl: string;
  readonly concurrency: number;
  readonly lockMs: number;
  readonly stalledMs: number;
  readonly maxStalled: number;
}

export const WORKER_DEFAULTS = { concurrency: 1, lockMs: 15_000, stalledMs: 5_000, maxStalled: 2 } as const;

export interface RunningWorker {
  /** Takes no new job; waits up to `graceMs` for the jobs under way, then cancels them (each still sealed and pushed). */
  stop(graceMs: number): Promise<void>;
  /** Settles when the worker has closed. */
  readonly closed: Promise<void>;
}

export async function startWorker(settings: WorkerSettings, deps: WorkerDeps): Promise<RunningWorker> {
  const { Worker } = await import('bullmq');
  const worker: Worker<FleetJobData, FleetJobResult> = new Worker<FleetJobData, FleetJobResult>(
    QUEUE_NAME,
    async (job: Job<FleetJobData, FleetJobResult>, _token?: string, signal?: AbortSignal) => runCaptureJob(job, deps, signal ?? new AbortController().signal),
    {
      connection: workerConnection(settings.queueUrl),
      prefix: QUEUE_PREFIX,
      concurrency: settings.concurrency,
      lockDuration: settings.lockMs,
      stalledInterval: settings.stalledMs,
      maxStalledCount: settings.maxStalled,
    },
  );
  let lastError = '';
  // Redis away: ioredis reconnects on its own; say so once per different reason, never crash.
  worker.on('error', (error) => {
    const line = error.message.split('\n')[0] ?? '';
    if (line !== lastError) deps.log(`queue ${publicQueueUrl(settings.queueUrl)}: ${(lastError = line)} (waiting for it)`);
  });
  worker.on('ready', () => {
    if (lastError) deps.log(`queue ${publicQueueUrl(settings.queueUrl)}: connected again`);
    lastError = '';
  });
  worker.on('completed', (job, result) => deps.log(`completed ${job.data.url}: session ${result.sessionId}, ${result.archiveUrl || result.archiveKey}`));
  worker.on('failed', (job, error) => deps.log(`failed ${job?.data.url ?? '?'} (attempt ${job?.data.attempts.length ?? '?'}): ${error.message.split('\n')[0]}`));
  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  worker.on('closed', () => resolveClosed());
  return {
    closed,
    async stop(graceMs) {
      const closing = worker.close();
      const timer = setTimeout(() => worker.cancelAllJobs('the worker was stopped'), graceMs);
      try {
        await closing;
      } finally {
        clearTimeout(timer);
        resolveClosed();
      }
    },
  };
}
