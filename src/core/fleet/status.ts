// `batch status` / fleet.status: each URL of a submission with its state, attempts, failure
// reason and result, computed from BullMQ's own job records and our per-submission keys.
import type { Job } from 'bullmq';
import { ProoflineError } from '../errors.js';
import type { FleetJob, FleetJobState, FleetStatus } from '../../shared/views.js';
import { submissionKeys, SUBMISSIONS_KEY, type FleetJobData, type FleetJobResult } from './fleet-jobs.js';
import { openQueue, redisOf, unreachable } from './queue-connection.js';

const STATES: readonly FleetJobState[] = ['waiting', 'active', 'completed', 'failed', 'delayed', 'unknown'];
/** Without a submission named, the latest ones are shown. */
const LATEST = 10;

export async function fleetStatus(queueUrl: string, submission?: string): Promise<FleetStatus> {
  const queue = await openQueue(queueUrl);
  try {
    const client = await redisOf(queue);
    const ids = submission !== undefined ? [submission] : (await client.zrange(SUBMISSIONS_KEY, -LATEST, -1)).reverse();
    const submissions = [];
    for (const id of ids) {
      const keys = submissionKeys(id);
      const meta = await client.hgetall(keys.meta);
      if (!meta['matter']) throw new ProoflineError('fleet.not-found', `The queue holds no submission ${id}: check the id (batch status lists the latest).`, { submission: id });
      const jobIds = await client.lrange(keys.jobs, 0, -1);
      const jobs: FleetJob[] = [];
      for (const jobId of jobIds) jobs.push(await jobView(await queue.getJob(jobId), jobId));
      const counts = Object.fromEntries(STATES.map((s) => [s, 0])) as Record<FleetJobState, number>;
      for (const job of jobs) counts[job.state] += 1;
      submissions.push({ submission: id, matter: meta['matter'], submittedAt: meta['submittedAt'] ?? '', counts, jobs });
    }
    return { submissions };
  } catch (error) {
    if (error instanceof ProoflineError) throw error;
    throw unreachable(queueUrl, error);
  } finally {
    await queue.close().catch(() => undefined);
  }
}

async function jobView(job: Job<FleetJobData, FleetJobResult> | undefined, jobId: string): Promise<FleetJob> {
  if (!job) return { url: `(job ${jobId} is gone from the queue)`, state: 'unknown', attempts: 0, failedReason: null, sessionId: null, device: null, archiveKey: null, interrupted: [] };
  const raw = await job.getState();
  const state: FleetJobState = raw === 'prioritized' || raw === 'waiting-children' ? 'waiting' : STATES.includes(raw as FleetJobState) ? (raw as FleetJobState) : 'unknown';
  const attempts = job.data.attempts ?? [];
  const result = state === 'completed' ? job.returnvalue : null;
  // The latest attempt answers while the job runs; the completing one once it is done.
  const current = result ? { sessionId: result.sessionId, device: result.device } : (attempts.at(-1) ?? null);
  return {
    url: job.data.url,
    state,
    attempts: Math.max(attempts.length, job.attemptsStarted ?? 0),
    failedReason: job.failedReason || null,
    sessionId: current?.sessionId ?? null,
    device: current?.device ?? null,
    archiveKey: result?.archiveKey ?? null,
    // Earlier attempts that did not finish (not those that failed): their sessions are recovered and pushed as interrupted.
    interrupted: attempts.filter((a) => a.sessionId !== null && a.sessionId !== current?.sessionId && !a.failed).map((a) => a.sessionId!),
  };
}
