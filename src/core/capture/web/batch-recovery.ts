import { BATCH_ENDS, BATCH_STARTED, BatchAccounting, summariseBatch } from '../../archive/batch-accounting.js';
import type { Proofline } from '../../proofline.js';
import { isRunning, ownIdentity, sameProcess } from '../../process/process-identity.js';
import { SessionLeases } from '../../store/session-lease.js';
import { SessionTable } from '../../store/sessions.js';

export interface BatchRecoveryReport {
  readonly sessionId: string;
  readonly batch: string;
  readonly requested: number;
  readonly captured: string[];
  readonly failed: string[];
  readonly notCaptured: string[];
  /** The `web.capture.interrupted` event's seq. */
  readonly eventSeq: number;
}

/**
 * Closes out the batch captures whose process died (a crash, kill -9, power loss): each gets a
 * `web.capture.interrupted` event naming which of its URLs were captured, which failed, and which
 * were never captured (not tried, or cut short), and its session is marked interrupted. A batch
 * whose process still runs (this one, or another with the session's lease) is left to it.
 */
export function recoverInterruptedBatches(pl: Proofline, options: { readonly leases?: SessionLeases; readonly sessionId?: string } = {}): BatchRecoveryReport[] {
  const leases = options.leases ?? new SessionLeases(pl.db);
  const reports: BatchRecoveryReport[] = [];
  for (const sessionId of sessionsWithOpenBatches(pl, options.sessionId)) {
    const lease = leases.tryTake(sessionId, 'recovering');
    if (!lease) continue; // a live process holds it: its batch runs there
    try {
      const accounting = new BatchAccounting();
      for (const event of pl.events.iterate(sessionId)) accounting.observe(event.body);
      const me = ownIdentity();
      for (const open of accounting.open()) {
        if (open.process && (sameProcess(open.process, me) || isRunning(open.process))) continue;
        const summary = summariseBatch(open);
        const appended = pl.db.transaction(() => {
          const event = pl.events.append(sessionId, {
            type: 'web.capture.interrupted',
            payload: {
              batch: open.batch,
              reason: 'the process capturing the batch ended before it finished (crash, kill or power loss); found when the session was next opened',
              requested: open.urls.length,
              captured: summary.captured.length,
              failed: summary.failed.length,
              capturedUrls: summary.captured,
              failedUrls: summary.failed,
              notCaptured: summary.notCaptured,
              ...(open.process ? { startedBy: { pid: open.process.pid, host: open.process.host } } : {}),
              detectedBy: process.pid,
            },
          });
          new SessionTable(pl.db).markRecovered(sessionId);
          return event;
        })();
        reports.push({ sessionId, batch: open.batch, requested: open.urls.length, ...summary, eventSeq: appended.body.seq });
      }
    } finally {
      lease.release();
    }
  }
  return reports;
}

/**
 * Sessions not sealed with a batch started and not ended, found from the start and end events
 * alone, read through the type index in the unsealed sessions only (issue 13: this scanned every
 * event at every start).
 */
function sessionsWithOpenBatches(pl: Proofline, sessionId?: string): string[] {
  const types = [BATCH_STARTED, ...BATCH_ENDS];
  const unsealed = new SessionTable(pl.db).openIds();
  return (sessionId === undefined ? unsealed : unsealed.filter((id) => id === sessionId)).filter((id) => {
    const batches = new Set<string>();
    for (const { body } of pl.events.ofTypes(id, types)) {
      const batch = body.payload['batch'];
      if (typeof batch !== 'string') continue;
      if (body.type === BATCH_STARTED) batches.add(batch);
      else batches.delete(batch);
    }
    return batches.size > 0;
  });
}

/** One line for a host to print. */
export function describeBatchRecovery(report: BatchRecoveryReport): string {
  return `closed out an interrupted batch capture of session ${report.sessionId}: ${report.captured.length} of ${report.requested} URL(s) captured, ${report.failed.length} failed, ${report.notCaptured.length} never captured (named in event ${report.eventSeq})`;
}
