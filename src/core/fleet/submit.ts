// `batch submit` / fleet.submit: one BullMQ job per URL, its id made from the submission and the
// normalised URL (fleet-jobs.ts), so a URL is queued once per submission however often it is given.
import { ProoflineError } from '../errors.js';
import type { FleetSubmission } from '../../shared/views.js';
import { normaliseUrl } from '../capture/web/capture-urls.js';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, jobIdFor, newSubmissionId, SUBMISSION_ID, submissionKeys, SUBMISSIONS_KEY, type FleetJobData } from './fleet-jobs.js';
import { openQueue, redisOf, unreachable } from './queue-connection.js';

export interface SubmitRequest {
  readonly queueUrl: string;
  readonly matter: string;
  readonly urls: readonly string[];
  /** Submit again under an earlier id: URLs it already holds are not queued twice. */
  readonly submission?: string;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly now?: Date;
}

export async function submitUrls(request: SubmitRequest): Promise<FleetSubmission> {
  const submission = request.submission ?? newSubmissionId(request.now);
  if (!SUBMISSION_ID.test(submission)) throw new ProoflineError('input.invalid', `'${submission}' cannot be a submission id: use letters, digits, dots, dashes and underscores (at most 64).`);
  // Every URL is read before anything is queued: one bad line refuses the list, naming it.
  const urls = new Map<string, string>();
  for (const raw of request.urls) {
    const url = normaliseUrl(raw);
    if (!urls.has(url)) urls.set(url, jobIdFor(submission, url));
  }
  const queue = await openQueue(request.queueUrl);
  try {
    const keys = submissionKeys(submission);
    const client = await redisOf(queue);
    const known = new Set(await client.lrange(keys.jobs, 0, -1));
    const fresh = [...urls].filter(([, jobId]) => !known.has(jobId));
    const earlier = await client.hget(keys.meta, 'matter');
    if (earlier !== null && earlier !== request.matter) {
      throw new ProoflineError('input.invalid', `Submission ${submission} is for matter ${earlier}, not ${request.matter}: give that matter, or a new submission.`, { submission });
    }
    const submittedAt = (request.now ?? new Date()).toISOString();
    // The submission's record first: a job a worker takes can always be traced to its submission.
    await client.hsetnx(keys.meta, 'submittedAt', submittedAt);
    await client.hsetnx(keys.meta, 'matter', request.matter);
    await client.zadd(SUBMISSIONS_KEY, 'NX', Date.parse(submittedAt), submission);
    if (fresh.length > 0) await client.rpush(keys.jobs, ...fresh.map(([, jobId]) => jobId));
    const opts = {
      attempts: request.attempts ?? DEFAULT_ATTEMPTS,
      backoff: { type: 'exponential', delay: request.backoffMs ?? DEFAULT_BACKOFF_MS },
      // Kept: `batch status` reads each job's result, reasons and attempts from BullMQ's own record.
      removeOnComplete: false,
      removeOnFail: false,
    };
    for (let from = 0; from < fresh.length; from += 500) {
      const chunk = fresh.slice(from, from + 500);
      // addBulk with an existing jobId leaves that job as it is (BullMQ's idempotent ids).
      await queue.addBulk(chunk.map(([url, jobId]) => ({ name: 'capture', data: { submission, matter: request.matter, url, attempts: [] } satisfies FleetJobData, opts: { ...opts, jobId } })));
    }
    return { submission, matter: request.matter, queued: fresh.length, duplicates: request.urls.length - fresh.length };
  } catch (error) {
    if (error instanceof ProoflineError) throw error;
    throw unreachable(request.queueUrl, error);
  } finally {
    await queue.close().catch(() => undefined);
  }
}
