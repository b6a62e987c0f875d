// How far a live session is proven to exist by trusted timestamps, asked again whenever the host
// pushes that the session moved (an event, a checkpoint, a token, a TSA that failed again):
// up to which event, since when the rest waits, what the TSAs owe and the last error one gave.
// With no TSA configured it says so, and never calls anything "timestamped".
import { useCallback, useEffect, useState, type ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { AnchoringStatus } from '../../../shared/domain';
import { api, FALLBACK_POLL_MS } from '../client';
import { formatClock } from '../i18n';
import { href } from '../router';
import { useInterval, useReconnected, useThrottled } from '../components/ui';
import { useSessionPulse } from './useSessionPulse';

/** A busy session pushes a change at every look of the host: the status is asked at most this often. */
const MIN_INTERVAL_MS = 1000;

/**
 * `refresh` changes whenever the screen reloads the session (a seal ends with one): the panel asks
 * again then, since a reload can come mid-seal, before the seal's own tokens are in.
 */
export function AnchoringPanel({ sessionId, open, refresh }: { readonly sessionId: string; readonly open: boolean; readonly refresh?: unknown }): ReactNode {
  const { t } = useTranslation();
  const [status, setStatus] = useState<AnchoringStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const poll = useCallback(() => {
    api['session.anchoring']({ id: sessionId }).then(
      (next) => {
        setStatus(next);
        setError(null);
      },
      (caught: unknown) => setError(caught instanceof Error ? caught.message : String(caught)),
    );
  }, [sessionId]);
  useEffect(poll, [poll, open, refresh]);
  useReconnected(poll);
  const pulse = useSessionPulse(sessionId);
  const pushed = useThrottled(poll, MIN_INTERVAL_MS);
  useEffect(() => {
    if (pulse) pushed();
  }, [pulse, pushed]);
  // In case a push was missed. Sealed, it still changes while a seal timestamp is owed (the host retries it).
  useInterval(poll, FALLBACK_POLL_MS, open || (status?.pending ?? 0) > 0);
  // The wait is counted here between answers, so it never looks frozen.
  const [now, setNow] = useState(Date.now());
  const waitingSince = open && status?.unprovenSince ? Date.parse(status.unprovenSince) : null;
  useInterval(() => setNow(Date.now()), 1000, waitingSince !== null);

  const seconds = (s: number): string => (s < 120 ? t('anchoring.seconds', { n: s }) : t('anchoring.minutes', { n: Math.round(s / 60) }));
  if (!status) {
    return (
      <section className="panel anchoring" aria-label={t('anchoring.title')}>
        <h3>{t('anchoring.title')}</h3>
        <p className="muted small">{error ?? t('loading')}</p>
      </section>
    );
  }
  // A sealed session fully proven needs no word about today's Settings.
  const noTsa = status.tsaUrls.length === 0 && (open || status.provenEvents < status.events);
  const wait = waitingSince !== null ? Math.max(0, Math.round((now - waitingSince) / 1000)) : 0;
  const overdue = waitingSince !== null && wait > status.anchorSeconds;
  const longest = status.largestGapSeconds !== null && status.largestGapSeconds > 0;
  const covered = status.events > 0 && status.provenEvents === status.events;
  return (
    <section className={`panel anchoring${noTsa ? ' anchoring-no-tsa' : ''}`} aria-labelledby={`anchoring-title-${sessionId}`} data-proven={status.provenEvents} data-events={status.events}>
      <div className="panel-head">
        <h3 id={`anchoring-title-${sessionId}`}>{t('anchoring.title')}</h3>
        <span className="muted small" data-testid="anchoring-counts">
          {t('anchoring.counts', { proven: status.provenEvents, events: status.events })}
        </span>
      </div>
      {noTsa && (
        <div className="notice notice-warn anchoring-notice">
          <p className="notice-title" data-testid="anchoring-no-tsa">
            {t('anchoring.noTsa')}
          </p>
          <p className="small">{t('anchoring.noTsaBody')}</p>
          <a href={href({ screen: 'settings' })} className="small">
            {t('anchoring.addTsa')}
          </a>
        </div>
      )}
      {(!noTsa || status.provenEvents > 0) && (
        <p className="anchoring-line" role="status">
          {status.provenEvents > 0 && status.lastProvenAt ? (
            <Trans t={t} i18nKey="anchoring.upTo" values={{ seq: status.provenEvents - 1, time: formatClock(status.lastProvenAt) }} components={{ upto: <strong data-testid="anchoring-upto" /> }} />
          ) : (
            <strong data-testid="anchoring-upto">{t('anchoring.noneYet')}</strong>
          )}
        </p>
      )}
      {status.unprovenSince && !noTsa && (
        <p className={`anchoring-line small${overdue || !open ? ' warn-text' : ''}`} data-testid="anchoring-waiting" data-from={status.provenEvents}>
          {open ? (
            <Trans t={t} i18nKey="anchoring.waiting" values={{ seq: status.provenEvents, time: formatClock(status.unprovenSince), wait: seconds(wait) }} components={{ from: <span /> }} />
          ) : (
            <Trans t={t} i18nKey="anchoring.notProven" values={{ seq: status.provenEvents }} components={{ from: <span /> }} />
          )}
        </p>
      )}
      {/* Once every event is proven, a request still queued for an earlier checkpoint is no alarm. */}
      {status.pending > 0 && <p className={`anchoring-line small ${covered ? 'muted' : 'warn-text'}`}>{t(covered ? 'anchoring.pendingCovered' : 'anchoring.pending', { count: status.pending })}</p>}
      {status.lastError && <p className={`anchoring-line small anchoring-error ${covered ? 'muted' : 'warn-text'}`}>{t('anchoring.lastError', { error: status.lastError })}</p>}
      {!noTsa && (open || longest) && (
        <p className="muted small anchoring-foot">
          {/* Only while events can still come: a sealed session gets none. */}
          {open && <span className="anchoring-interval">{t('anchoring.interval', { count: status.tsaUrls.length, seconds: status.anchorSeconds })}</span>}
          {open && longest && ' '}
          {longest && t('anchoring.longest', { wait: seconds(status.largestGapSeconds!) })}
        </p>
      )}
      {error && <p className="muted small">{error}</p>}
    </section>
  );
}
