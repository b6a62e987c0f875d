// The capture fleet's queue, as every part of it names it (docs/FLEET.md): one BullMQ queue of
// capture jobs, one job per URL of a submission, and the data each job carries between attempts.
import { createHash, randomBytes } from 'node:crypto';
import type { PhaseTimes } from './job-timings.js';

/** The BullMQ queue every worker takes capture jobs from. */
export const QUEUE_NAME = 'proofline-capture';
/** BullMQ's default key prefix; our own keys live beside its keys under the queue's. */
export const QUEUE_PREFIX = 'bull';

/** One attempt at a job, written into the job BEFORE it captures, so the next attempt knows it. */
export interface AttemptRecord {
  readonly attempt: number;
  /** The key id of the worker's device. */
  readonly device: string;
  /** The session it captures into; null for the instant before the session exists. */
  readonly sessionId: string | null;
  /** host:pid of the worker process. */
  readonly worker: string;
  readonly startedAt: string;
  /** Set when the attempt ended without completing the job but reached its end (the page failed): its session is in the vault. */
  readonly failed?: { readonly reason: string; readonly archiveKey: string | null };
}

export interface FleetJobData {
  readonly submission: string;
  readonly matter: string;
  /** The URL as normalised (https:// added to a bare host name). */
  readonly url: string;
  readonly attempts: readonly AttemptRecord[];
}

/** What a completed job returns (BullMQ keeps it as the job's returnvalue). */
export interface FleetJobResult {
  readonly sessionId: string;
  readonly device: string;
  readonly attempt: number;
  readonly archiveKey: string;
  readonly archiveUrl: string;
  readonly archiveSha256: string;
  /** Whether the page was captured, its HTTP status, and the clean-environment check's verdict. */
  readonly captured: boolean;
  readonly status: number | null;
  readonly environment: string | null;
  /** Milliseconds per phase of the attempt that completed (job-timings.ts). */
  readonly timings?: PhaseTimes;
}

/** The defaults a submission's jobs get: a capture that fails may pass later (a site down). */
export const DEFAULT_ATTEMPTS = 3;
export const DEFAULT_BACKOFF_MS = 5_000;

/**
 * A URL's job id within a submission: the same URL (once normalised) gives the same id, so BullMQ
 * adds it once however often it is listed or submitted again under the same submission id.
 * BullMQ refuses ':' in custom ids; a SHA-256 prefix keeps ids short whatever the URL's length.
 */
export function jobIdFor(submission: string, normalisedUrl: string): string {
  return `${submission}-${createHash('sha256').update(normalisedUrl).digest('hex').slice(0, 24)}`;
}

/** A new submission id: the UTC date and time (so ids sort by when they were made) and a random tail. */
export function newSubmissionId(now: Date = new Date()): string {
  return `${now.toISOString().replace(/[-:]/g, '').slice(0, 13)}-${randomBytes(3).toString('hex')}`.toLowerCase();
}

/** A submission id as given (--submission): letters, digits, dots, dashes and underscores, no ':'. */
export const SUBMISSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Our keys beside BullMQ's: a hash per submission, its job ids in order, and every submission by time. */
export const submissionKeys = (submission: string): { meta: string; jobs: string } => ({
  meta: `${QUEUE_PREFIX}:${QUEUE_NAME}:proofline:submission:${submission}`,
  jobs: `${QUEUE_PREFIX}:${QUEUE_NAME}:proofline:submission:${submission}:jobs`,
});
export const SUBMISSIONS_KEY = `${QUEUE_PREFIX}:${QUEUE_NAME}:proofline:submissions`;
