// What the queue says of a job, for the recovery of a capture that missed the vault
// (recover-sessions.ts): answered by another attempt, still open, or closed.
import type { Queue } from 'bullmq';
import { QUEUE_NAME, QUEUE_PREFIX } from './fleet-jobs.js';
import { commandConnection } from './queue-connection.js';
import type { JobStanding } from './recover-sessions.js';

export interface StandingReader {
  standing(jobId: string): Promise<JobStanding>;
  close(): Promise<void>;
}

export async function openStandingReader(queueUrl: string): Promise<StandingReader> {
  const { Queue } = await import('bullmq');
  // Fails fast while Redis is away: the recovery then tries again at its next round.
  const queue: Queue = new Queue(QUEUE_NAME, { connection: commandConnection(queueUrl), prefix: QUEUE_PREFIX });
  queue.on('error', () => undefined);
  return {
    async standing(jobId) {
      const job = await queue.getJob(jobId);
      if (!job) return 'closed';
      const state = await job.getState();
      return state === 'completed' ? 'completed' : state === 'failed' || state === 'unknown' ? 'closed' : 'open';
    },
    close: () => queue.close(),
  };
}
