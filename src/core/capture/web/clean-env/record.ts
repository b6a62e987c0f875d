import type { StoredEvent } from '../../../../shared/domain.js';
import type { Proofline } from '../../../proofline.js';
import type { EnvironmentCheckReport } from './types.js';
import { SessionSealedError } from '../../../session-guard.js';

export const ENVIRONMENT_CHECK_EVENT = 'web.environment-check';
export const ENVIRONMENT_CHECK_FILE = 'environment-check.json';

/**
 * Stores the full report as an artifact (environment-check.json, by its SHA-256) and appends a
 * `web.environment-check` event that summarises it, so the verdict is in the hash chain and the
 * detail is in the archive.
 */
export async function recordEnvironmentCheck(pl: Proofline, sessionId: string, report: EnvironmentCheckReport): Promise<StoredEvent> {
  const session = pl.sessions.get(sessionId);
  if (session.state === 'sealed') {
    throw new SessionSealedError(session.id, session.sealedAt, `Session ${session.id} was sealed at ${session.sealedAt}: record the environment check into an open session.`);
  }
  const bytes = Buffer.from(`${JSON.stringify(report, null, 2)}\n`, 'utf8');
  const blob = await pl.blobs.putBytes(bytes);
  const event = pl.events.append(session.id, {
    type: ENVIRONMENT_CHECK_EVENT,
    payload: {
      target: report.target,
      checkedAt: report.checkedAt,
      verdict: report.verdict,
      counts: { ...report.counts },
      findings: report.findings.map((f) => ({ id: f.id, status: f.status, title: f.title })),
      sm3: blob.sm3,
    },
    artifacts: [{ sha256: blob.sha256, size: blob.size, name: ENVIRONMENT_CHECK_FILE, mime: 'application/json' }],
  });
  await pl.sessions.checkpointIfDue(session.id);
  return event;
}
