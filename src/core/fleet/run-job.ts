// One capture job, start to end: record the attempt in the job (before anything is captured, so
// the next attempt knows of this one), a web session of this worker's device, the disclosure of
// earlier attempts, the clean-environment check, the capture, the seal, the export, the push.
import { existsSync } from 'node:fs';
import { ProoflineError } from '../errors.js';
import type { BatchUrlResult } from '../../shared/views.js';
import type { AttemptRecord, FleetJobData, FleetJobResult } from './fleet-jobs.js';
import { describeFleetSession, disclosureNote, fleetTitle } from './disclosure.js';
import type { LedgerEntry } from './job-ledger.js';
import { JobTimings } from './job-timings.js';
import type { WorkerDeps } from './worker-deps.js';

/** The parts of a BullMQ job the runner uses. */
export interface RunnableJob {
  readonly id?: string;
  readonly data: FleetJobData;
  updateData(data: FleetJobData): Promise<void>;
}

export async function runCaptureJob(job: RunnableJob, deps: WorkerDeps, signal: AbortSignal): Promise<FleetJobResult> {
  const jobId = job.id!;
  const t = new JobTimings();
  // An earlier attempt on this device sealed the page but did not reach the vault: push that
  // archive now instead of capturing the page again.
  deps.busy.add(jobId);
  try {
    const owed = deps.ledger.owed().find((e) => e.jobId === jobId && e.state !== 'capturing' && e.captured === true);
    if (owed) {
      deps.log(`job ${jobId}: pushing the archive of attempt ${owed.attempt} (session ${owed.sessionId}), sealed before`);
      return report(await deliver(owed, 'sealed', deps, signal, t), t);
    }
    return await capture(job, deps, signal, t);
  } finally {
    deps.busy.delete(jobId);
  }
}

async function capture(job: RunnableJob, deps: WorkerDeps, signal: AbortSignal, t: JobTimings): Promise<FleetJobResult> {
  const jobId = job.id!;
  const data = job.data;

  const attempt = data.attempts.length + 1;
  const record: AttemptRecord = { attempt, device: deps.device, sessionId: null, worker: deps.worker, startedAt: new Date().toISOString() };
  await t.time('queue', () => job.updateData({ ...data, attempts: [...data.attempts, record] }));
  const session = await t.time('session', () => deps.call('session.create', { kind: 'web', title: fleetTitle(data.url), description: describeFleetSession(jobId, data, attempt, deps.device) }));
  const started: AttemptRecord = { ...record, sessionId: session.id };
  await t.time('queue', () => job.updateData({ ...data, attempts: [...data.attempts, started] }));
  let entry: LedgerEntry = deps.ledger.write({ sessionId: session.id, jobId, submission: data.submission, matter: data.matter, url: data.url, attempt, state: 'capturing' });
  deps.log(`job ${jobId}: attempt ${attempt}, ${data.url} into session ${session.id}`);

  let page: BatchUrlResult | undefined;
  try {
    if (data.attempts.length > 0) await t.time('session', () => deps.call('session.note', { id: session.id, text: disclosureNote(jobId, data, attempt, data.attempts) }));
    const c = deps.capture;
    let environment: string | null = null;
    if (c.envCheck) {
      const check = await t.time('check', () => deps.call('web.checkEnvironment', { id: session.id, url: data.url, browserPath: c.browserPath, publicIpUrl: c.publicIpUrl, ntpServers: [...c.ntpServers], timeoutMs: c.checkTimeoutMs }, { signal }));
      environment = check.verdict;
    }
    const batch = await t.time('capture', () => deps.call('web.capture', { id: session.id, urls: [data.url], concurrency: 1, retries: c.retries, timeoutSeconds: c.timeoutSeconds, browserPath: c.browserPath, extraCaRoots: [...c.extraCaRoots], ignoreHttpsErrors: c.ignoreHttpsErrors }, { signal }));
    page = batch.results[0];
    entry = deps.ledger.update(entry, { captured: page?.ok === true, environment, status: page?.status ?? null });
  } catch (error) {
    // Stopped or failed before the page was captured: what the session holds is still evidence.
    const kept = await deliver(entry, 'interrupted', deps).then(
      (done) => `its session ${session.id} is in the vault as interrupted at ${done.archiveKey}`,
      (pushError: unknown) => `its session ${session.id} is kept in the worker's data folder until the vault takes it (${(pushError as Error).message.split('\n')[0]})`,
    );
    deps.log(`job ${jobId}: attempt ${attempt} ended early; ${kept}`);
    if (signal.aborted) throw new ProoflineError('fleet.failed', `The worker ${deps.worker} was stopped during attempt ${attempt}; ${kept}. The job is tried again.`, { reason: 'the worker was stopped' }, { cause: error });
    throw error;
  }
  const delivered = await deliver(entry, 'sealed', deps, signal, t);
  if (!page?.ok) {
    const reason = page?.failure ? `${page.failure.kind}: ${page.failure.message}` : 'the page was not captured';
    // The next attempt and `batch status` tell this failed attempt from one that never finished.
    await t.time('queue', () => job.updateData({ ...data, attempts: [...data.attempts, { ...started, failed: { reason, archiveKey: delivered.archiveKey ?? null } }] }));
    throw new ProoflineError('fleet.failed', `${data.url} was not captured (${reason}); the attempt's session ${session.id} is in the vault at ${delivered.archiveKey}.`, { reason });
  }
  return report(delivered, t);
}

/** Seals (if need be), exports and pushes a ledger entry's session, recording each step. */
export async function deliver(start: LedgerEntry, outcome: 'sealed' | 'interrupted', deps: WorkerDeps, signal?: AbortSignal, t = new JobTimings()): Promise<LedgerEntry> {
  let entry = start;
  if (entry.state === 'capturing') {
    const session = await deps.call('session.get', { id: entry.sessionId });
    if (session.session.state !== 'sealed') await t.time('seal', () => deps.call('session.seal', { id: entry.sessionId }));
    entry = deps.ledger.update(entry, { state: 'sealed' });
  }
  if (entry.state === 'sealed') {
    const out = deps.ledger.archivePathOf(entry.sessionId);
    // An export is linked into place only when complete (write-bag.ts): a file there is whole.
    if (!existsSync(out)) await t.time('export', () => deps.call('session.export', { id: entry.sessionId, out }));
    entry = deps.ledger.update(entry, { state: 'exported', archivePath: out });
  }
  if (entry.state === 'exported') {
    const push = await t.time('push', () => deps.push({ archivePath: entry.archivePath!, matter: entry.matter, sessionId: entry.sessionId, outcome, job: { submission: entry.submission, url: entry.url, attempt: entry.attempt }, signal }));
    entry = deps.ledger.update(entry, { state: 'pushed', archiveKey: push.key, archiveUrl: push.url, archiveSha256: push.archiveSha256, device: push.device ?? deps.device });
  }
  return entry;
}

function report(entry: LedgerEntry, t: JobTimings): FleetJobResult {
  return {
    sessionId: entry.sessionId,
    device: entry.device ?? '',
    attempt: entry.attempt,
    archiveKey: entry.archiveKey!,
    archiveUrl: entry.archiveUrl ?? '',
    archiveSha256: entry.archiveSha256 ?? '',
    captured: entry.captured === true,
    status: entry.status ?? null,
    environment: entry.environment ?? null,
    timings: t.get(),
  };
}
