// What became of every URL of a batch capture, read from the chain alone: the recovery of a
// batch whose process died says it with it, and the verifier checks that the chain says it.
// A batch is `web.capture.batch.started` (its URLs, its process), the `web.capture` and
// `web.capture.failed` events that name it, and one end: `web.capture.batch.ended` (it ran to
// the end, or failed as a whole), `web.capture.cancelled`, or `web.capture.interrupted` (its
// process died; written by the next process to open the session).
import type { EventBody } from '../../shared/domain.js';

export const BATCH_STARTED = 'web.capture.batch.started';
export const BATCH_ENDS = ['web.capture.batch.ended', 'web.capture.cancelled', 'web.capture.interrupted'] as const;

export interface BatchAccount {
  readonly batch: string;
  readonly startSeq: number;
  /** The URLs asked for, as the capture events name them (normalised; a URL refused as invalid as given). */
  readonly urls: readonly string[];
  /** The process that ran it, as `batch.started` names it. */
  readonly process: { readonly pid: number; readonly start: string | null; readonly host: string } | undefined;
  /** Per URL, in the order asked: what the chain says became of it (undefined: nothing yet). */
  readonly outcomes: ('captured' | 'failed' | undefined)[];
  end?: { readonly seq: number; readonly type: string; readonly payload: EventBody['payload'] };
}

export interface BatchSummary {
  readonly captured: string[];
  readonly failed: string[];
  /** Asked for and never captured nor given up: never tried, or cut short. */
  readonly notCaptured: string[];
}

export function summariseBatch(account: BatchAccount): BatchSummary {
  const captured: string[] = [];
  const failed: string[] = [];
  const notCaptured: string[] = [];
  account.urls.forEach((url, i) => {
    const outcome = account.outcomes[i];
    (outcome === 'captured' ? captured : outcome === 'failed' ? failed : notCaptured).push(url);
  });
  return { captured, failed, notCaptured };
}

/** The batches of one session's chain, fed its events in order. */
export class BatchAccounting {
  readonly batches = new Map<string, BatchAccount>();
  readonly problems: { detail: string; seq: number }[] = [];

  observe(body: EventBody): void {
    const p = body.payload;
    const batch = p['batch'];
    if (typeof batch !== 'string') return;
    if (body.type === BATCH_STARTED) {
      if (this.batches.has(batch)) return void this.problems.push({ detail: `event ${body.seq} starts batch ${short(batch)} a second time`, seq: body.seq });
      const urls = Array.isArray(p['urls']) ? p['urls'].map(String) : [];
      const proc = p['process'] as Record<string, unknown> | undefined;
      const process = proc && typeof proc['pid'] === 'number' && typeof proc['host'] === 'string'
        ? { pid: proc['pid'], start: typeof proc['start'] === 'string' ? proc['start'] : null, host: proc['host'] }
        : undefined;
      this.batches.set(batch, { batch, startSeq: body.seq, urls, process, outcomes: urls.map(() => undefined) });
      return;
    }
    const isEnd = (BATCH_ENDS as readonly string[]).includes(body.type);
    if (!isEnd && body.type !== 'web.capture' && body.type !== 'web.capture.failed') return;
    const account = this.batches.get(batch);
    if (!account) return void this.problems.push({ detail: `event ${body.seq} (${body.type}) names batch ${short(batch)}, which was never started`, seq: body.seq });
    if (account.end) return void this.problems.push({ detail: `event ${body.seq} (${body.type}) comes after batch ${short(batch)} ended at event ${account.end.seq}`, seq: body.seq });
    if (isEnd) {
      account.end = { seq: body.seq, type: body.type, payload: p };
      return;
    }
    const url = String(p['url'] ?? '');
    if (body.type === 'web.capture') {
      // A page captured with an HTTP error status is kept as evidence, and is the URL's failure.
      const httpError = p['httpError'] !== null && p['httpError'] !== undefined;
      this.settle(account, url, httpError ? 'failed' : 'captured', body);
    } else if (p['willRetry'] !== true && p['captureEventSeq'] === undefined) {
      this.settle(account, url, 'failed', body);
    }
  }

  /** Batches with no end event. */
  open(): BatchAccount[] {
    return [...this.batches.values()].filter((b) => !b.end);
  }

  private settle(account: BatchAccount, url: string, outcome: 'captured' | 'failed', body: EventBody): void {
    const at = account.urls.findIndex((u, i) => u === url && account.outcomes[i] === undefined);
    if (at < 0) return void this.problems.push({ detail: `event ${body.seq} (${body.type}) settles ${url} in batch ${short(account.batch)}, which did not ask for it (or settled it already)`, seq: body.seq });
    account.outcomes[at] = outcome;
  }
}

/** The `web.batches` check: every batch ended, and its end says truly what it did not capture. */
export function judgeBatches(accounting: BatchAccounting): { status: 'pass' | 'fail' | 'skip'; detail: string; seqs: number[] } {
  const problems = [...accounting.problems];
  const all = [...accounting.batches.values()];
  if (all.length === 0 && problems.length === 0) return { status: 'skip', detail: 'no batch capture in this session', seqs: [] };
  const disclosed: string[] = [];
  for (const account of all) {
    const summary = summariseBatch(account);
    if (!account.end) {
      problems.push({ detail: `batch ${short(account.batch)} (started at event ${account.startSeq}) has no end: no web.capture.batch.ended, web.capture.cancelled or web.capture.interrupted event`, seq: account.startSeq });
      continue;
    }
    const said = account.end.payload['notCaptured'];
    const saidList = Array.isArray(said) ? said.map(String) : [];
    if (!sameMultiset(saidList, summary.notCaptured)) {
      problems.push({
        detail: `event ${account.end.seq} (${account.end.type}) says ${saidList.length} URL(s) of batch ${short(account.batch)} were not captured; the chain shows ${summary.notCaptured.length}`,
        seq: account.end.seq,
      });
      continue;
    }
    if (account.end.type !== 'web.capture.batch.ended' || account.end.payload['outcome'] !== 'finished') {
      const how = account.end.type === 'web.capture.interrupted' ? 'interrupted (its process ended)' : account.end.type === 'web.capture.cancelled' ? 'cancelled' : 'failed';
      disclosed.push(`${how} at event ${account.end.seq}: ${summary.captured.length} of ${account.urls.length} captured, ${summary.notCaptured.length} not captured, named there`);
    }
  }
  if (problems.length > 0) return { status: 'fail', detail: problems.map((p) => p.detail).join('; '), seqs: problems.map((p) => p.seq) };
  const urls = all.reduce((n, b) => n + b.urls.length, 0);
  return {
    status: 'pass',
    detail: `${all.length} batch capture(s) of ${urls} URL(s), every URL accounted for${disclosed.length > 0 ? `; disclosed: ${disclosed.join('; ')}` : ''}`,
    seqs: [],
  };
}

function sameMultiset(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const sa = [...a].sort();
  const sb = [...b].sort();
  return sa.every((x, i) => x === sb[i]);
}

const short = (id: string): string => id.slice(0, 8);
