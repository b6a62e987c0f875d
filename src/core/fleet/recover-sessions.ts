// The fleet sessions of a worker's own data folder that were not delivered: at the worker's
// start, those a killed process left (unsealed, or sealed but not in the vault), and every minute
// those whose push failed. Each is sealed, exported and pushed under its matter with its job.
// Nothing a worker captured is lost, and no page is in the vault twice as the answer to a job.
import type { LedgerEntry } from './job-ledger.js';
import { deliver } from './run-job.js';
import type { WorkerDeps } from './worker-deps.js';

/**
 * What the queue says of the job a ledger entry answered: `completed` by another attempt,
 * `open` (waiting, active, delayed: its retry may come here and push this archive instead of
 * capturing again), or `closed` (failed, or gone from the queue).
 */
export type JobStanding = 'completed' | 'open' | 'closed';

export interface RecoveryOptions {
  /** The capture lifecycle's recovery (`web.capture.interrupted` for a batch whose process died); only at start. */
  readonly recoverInterrupted?: () => Promise<string[]>;
  readonly jobStanding: (jobId: string) => Promise<JobStanding>;
  /** Jobs this process is working on now: their sessions are never touched. */
  readonly busy: ReadonlySet<string>;
}

export async function recoverFleetSessions(deps: WorkerDeps, options: RecoveryOptions): Promise<LedgerEntry[]> {
  if (options.recoverInterrupted) for (const line of await options.recoverInterrupted()) deps.log(`recovery: ${line}`);
  const recovered: LedgerEntry[] = [];
  for (const entry of deps.ledger.owed()) {
    if (options.busy.has(entry.jobId)) continue;
    // Only at start may an unfinished capture be taken for a dead one (this process has none yet).
    if (entry.state === 'capturing' && !options.recoverInterrupted) continue;
    try {
      let outcome: 'sealed' | 'interrupted';
      if (entry.state === 'capturing') {
        outcome = 'interrupted';
        const { session } = await deps.call('session.get', { id: entry.sessionId });
        if (session.state !== 'sealed') {
          await deps.call('session.note', {
            id: entry.sessionId,
            text: `Capture fleet: recovered at the start of worker ${deps.worker} (device ${deps.device}). The worker process running attempt ${entry.attempt} of job ${entry.jobId} (${entry.url}) stopped before this session was sealed; it is sealed now and pushed to the vault as interrupted. The job itself is retried by the queue.`,
          });
        }
      } else if (entry.captured) {
        // A whole capture that missed the vault. While its job is open, the job's retry here
        // delivers it as the job's answer; once another attempt has answered, it is pushed as
        // interrupted (it did not complete the job), so the vault holds one answer per URL.
        const standing = await options.jobStanding(entry.jobId);
        if (standing === 'open') continue;
        outcome = standing === 'completed' ? 'interrupted' : 'sealed';
      } else {
        outcome = 'sealed'; // a failed capture, sealed: evidence of the attempt, as its job said
      }
      const done = await deliver(entry, outcome, deps);
      deps.log(`recovery: session ${entry.sessionId} (attempt ${entry.attempt} of job ${entry.jobId}) pushed as ${outcome} to ${done.archiveKey}`);
      recovered.push(done);
    } catch (error) {
      // Another live process may own it (session.owned), or the vault is away: tried again later.
      deps.log(`recovery: session ${entry.sessionId} not recovered yet: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return recovered;
}
