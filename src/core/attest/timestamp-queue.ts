import type { Database } from '../store/database.js';
import type { EventLog } from '../store/event-log.js';
import { asProoflineError, type ErrorValue } from '../errors.js';
import { publicTsaUrl, withoutCredentials } from './tsa-names.js';
import { TsaError } from './tsa-error.js';

export interface TimestampRecord {
  readonly id: number;
  readonly sessionId: string;
  readonly subject: string;
  readonly digest: string;
  readonly tsaUrl: string;
  readonly requestedAt: string;
  readonly attempts: number;
  readonly state: 'pending' | 'obtained' | 'abandoned';
  readonly lastError: string | null;
  readonly response: Buffer | null;
  readonly genTime: string | null;
  readonly obtainedAt: string | null;
}

export interface DrainReport {
  readonly obtained: number;
  readonly failed: number;
  readonly pending: number;
  readonly errors: readonly string[];
  /** The same failures as values (kind, code, params), for hosts that say them in another language. */
  readonly problems: readonly ErrorValue[];
}

interface Row {
  id: number;
  session_id: string;
  subject: string;
  digest: string;
  tsa_url: string;
  requested_at: string;
  attempts: number;
  state: TimestampRecord['state'];
  last_error: string | null;
  response: Buffer | null;
  gen_time: string | null;
  obtained_at: string | null;
  next_attempt_at: string;
}

/** Retry spacing: 10 s, 20 s, 40 s … capped at 10 minutes; a TSA down for days is retried forever. */
export function nextDelayMs(attempts: number): number {
  return Math.min(10_000 * 2 ** Math.max(0, attempts - 1), 600_000);
}

/**
 * The queue of RFC 3161 requests. Nothing waits on it: a subject (checkpoint or seal) is
 * enqueued for every configured TSA, and `drain` asks those that are due. A TSA that is down
 * leaves its row pending; the first failure and the eventual success are both recorded as
 * events, so the delay is itself part of the evidence (DESIGN.md, integrity model).
 */
export class TimestampQueue {
  constructor(
    private readonly db: Database,
    private readonly events: EventLog,
    private readonly tsaUrls: () => readonly string[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  enqueue(sessionId: string, subject: string, digestHex: string): number {
    const at = this.now().toISOString();
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO timestamp_requests
         (session_id, subject, digest, tsa_url, requested_at, next_attempt_at, state)
       VALUES (?, ?, ?, ?, ?, ?, 'pending')`,
    );
    let added = 0;
    for (const url of this.tsaUrls()) added += insert.run(sessionId, subject, digestHex, url, at, at).changes;
    return added;
  }

  /**
   * Asks every due request once. `force` ignores the backoff (used at seal and by the CLI).
   * Pending requests are first extended to every TSA configured now, and only those are asked:
   * a TSA that is gone for good is replaced by configuring another, never waited on forever.
   */
  async drain(options: { sessionId?: string; force?: boolean; timeoutMs?: number } = {}): Promise<DrainReport> {
    const nowIso = this.now().toISOString();
    const urls = [...this.tsaUrls()];
    this.retarget(urls, options.sessionId ?? null, nowIso);
    const rows = (this.db
      .prepare(
        `SELECT * FROM timestamp_requests WHERE state = 'pending'
           AND (? IS NULL OR session_id = ?) AND (? = 1 OR next_attempt_at <= ?)
         ORDER BY id`,
      )
      .all(options.sessionId ?? null, options.sessionId ?? null, options.force ? 1 : 0, nowIso) as Row[])
      .filter((row) => urls.includes(row.tsa_url));
    let obtained = 0;
    const errors: string[] = [];
    const problems: ErrorValue[] = [];
    // Different TSAs are asked in parallel; one slow TSA must not hold up the others.
    await Promise.all(
      rows.map(async (row) => {
        try {
          await this.attempt(row, options.timeoutMs ?? 10_000);
          obtained += 1;
        } catch (error) {
          const problem = asProoflineError(error);
          // Shown on screen and in logs: no TSA credentials (publicTsaUrl).
          errors.push(withoutCredentials(problem.message, row.tsa_url));
          const value = problem.toValue();
          problems.push(JSON.parse(withoutCredentials(JSON.stringify(value), row.tsa_url)) as ErrorValue);
          this.recordFailure(row, (error as Error).message);
        }
      }),
    );
    return { obtained, failed: errors.length, pending: this.pendingCount(options.sessionId), errors, problems };
  }

  /**
   * Requests still waiting for a token from a TSA configured now (all pending ones when none is
   * configured): what `seal` and the app report as "pending".
   */
  pendingCount(sessionId?: string): number {
    const urls = this.tsaUrls();
    const rows = this.db
      .prepare(`SELECT tsa_url FROM timestamp_requests WHERE state = 'pending' AND (? IS NULL OR session_id = ?)`)
      .all(sessionId ?? null, sessionId ?? null) as { tsa_url: string }[];
    return urls.length === 0 ? rows.length : rows.filter((r) => urls.includes(r.tsa_url)).length;
  }

  /** Every subject still pending is asked of every TSA configured now, not only the first tried. */
  private retarget(urls: readonly string[], sessionId: string | null, at: string): void {
    if (urls.length === 0) return;
    const insert = this.db.prepare(
      `INSERT OR IGNORE INTO timestamp_requests (session_id, subject, digest, tsa_url, requested_at, next_attempt_at, state)
       SELECT DISTINCT session_id, subject, digest, ?, ?, ?, 'pending' FROM timestamp_requests
        WHERE state = 'pending' AND (? IS NULL OR session_id = ?)`,
    );
    this.db.transaction(() => {
      for (const url of urls) insert.run(url, at, at, sessionId, sessionId);
    })();
  }

  private async attempt(row: Row, timeoutMs: number): Promise<void> {
    const digest = Buffer.from(row.digest, 'hex');
    // The TSA client and verifier bring PKI.js (0.1–0.35 s to load): only a process that asks a
    // TSA loads them, not one that opens the store to export or read a session.
    const [{ requestTimestamp }, { verifyTimestampResponse }] = await Promise.all([import('./tsa-client.js'), import('./tsa-verify.js')]);
    const { response, nonce } = await requestTimestamp(row.tsa_url, digest, { timeoutMs });
    // Trust is judged by whoever verifies the archive; here we only refuse a reply that is
    // not a granted token over our digest and nonce, signed by the certificate it carries.
    const verdict = await verifyTimestampResponse(response, { digest, nonce, trustedRoots: [] });
    if (verdict.status === 'invalid') {
      const failed = verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
      throw new TsaError('unusable', row.tsa_url, `TSA ${row.tsa_url} answered with an unusable token (${failed.join('; ')})`);
    }
    const obtainedAt = this.now().toISOString();
    const genTime = verdict.genTime?.toISOString() ?? null;
    this.db.transaction(() => {
      this.db
        .prepare(
          `UPDATE timestamp_requests SET state = 'obtained', response = ?, gen_time = ?, obtained_at = ?,
             attempts = attempts + 1, last_error = NULL WHERE id = ? AND state = 'pending'`,
        )
        .run(response, genTime, obtainedAt, row.id);
      // A token on the first try needs no event: it carries its own time, and an event for it
      // would itself need anchoring (a checkpoint a minute forever). A late one is disclosed.
      if (row.attempts === 0) return;
      this.recordEvent(row, 'timestamp.obtained', {
        subject: row.subject,
        tsa: publicTsaUrl(row.tsa_url),
        requestedAt: row.requested_at,
        obtainedAt,
        genTime,
        attempts: row.attempts + 1,
        delaySeconds: Math.round((Date.parse(obtainedAt) - Date.parse(row.requested_at)) / 1000),
      });
    })();
  }

  private recordFailure(row: Row, message: string): void {
    const attempts = row.attempts + 1;
    const next = new Date(this.now().getTime() + nextDelayMs(attempts)).toISOString();
    this.db.transaction(() => {
      this.db
        .prepare('UPDATE timestamp_requests SET attempts = ?, last_error = ?, next_attempt_at = ? WHERE id = ?')
        .run(attempts, withoutCredentials(message, row.tsa_url), next, row.id);
      // Only the first failure becomes an event: the chain says "this was late", not every retry.
      if (attempts === 1) {
        this.recordEvent(row, 'timestamp.deferred', { subject: row.subject, tsa: publicTsaUrl(row.tsa_url), error: withoutCredentials(message, row.tsa_url), willRetry: true });
      }
    })();
  }

  private recordEvent(row: Row, type: string, payload: Record<string, string | number | boolean | null>): void {
    const state = this.db.prepare('SELECT state FROM sessions WHERE id = ?').get(row.session_id) as { state: string } | undefined;
    if (state && state.state !== 'sealed') this.events.append(row.session_id, { type, payload });
  }

  /** After seal the bag is fixed: checkpoint requests still pending can no longer enter it. */
  abandonPendingCheckpoints(sessionId: string): number {
    return this.db
      .prepare(`UPDATE timestamp_requests SET state = 'abandoned' WHERE session_id = ? AND state = 'pending' AND subject != 'seal'`)
      .run(sessionId).changes;
  }

  list(sessionId: string, subject?: string): TimestampRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM timestamp_requests WHERE session_id = ? AND (? IS NULL OR subject = ?) ORDER BY id')
      .all(sessionId, subject ?? null, subject ?? null) as Row[];
    return rows.map((r) => ({
      id: r.id,
      sessionId: r.session_id,
      subject: r.subject,
      digest: r.digest,
      tsaUrl: r.tsa_url,
      requestedAt: r.requested_at,
      attempts: r.attempts,
      state: r.state,
      lastError: r.last_error,
      response: r.response,
      genTime: r.gen_time,
      obtainedAt: r.obtained_at,
    }));
  }
}
