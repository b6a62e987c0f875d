// The Time tab: every range of events, the token that proves it and how long after recording,
// the tokens the verifier did not count (with why), and all tokens.
import type { ReactNode } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import type { AnchoringView, AnchorRangeView, AnchorToken } from '../../../../shared/views';
import { formatClock, formatTime } from '../../i18n';
import { Badge } from '../../components/ui';
import { useSignatureAlgorithm } from '../../components/signature-algorithm';
import { rangeState, tsaName, useDuration } from '../TimeProof';

const MAX_NOT_COUNTED = 50;

const sameDay = (a: string, b: string): boolean => new Date(a).toDateString() === new Date(b).toDateString();
/** The clock time when `iso` falls on the day of `ref`, else the date as well. */
const timeNear = (iso: string, ref: string): string => (sameDay(iso, ref) ? formatClock(iso) : formatTime(iso));

function utcOffset(): string {
  const minutes = -new Date().getTimezoneOffset();
  const sign = minutes < 0 ? '−' : '+';
  const h = Math.floor(Math.abs(minutes) / 60);
  const m = Math.abs(minutes) % 60;
  return `UTC${sign}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`;
}

/** The verifier's reason without the "<path> is not counted: " it starts with, so tokens refused alike group. */
const reasonDetail = (token: AnchorToken): string => (token.reason ?? '').replace(/^\S+ is not counted: /, '');

export function TimeTab({ anchoring }: { readonly anchoring: AnchoringView | undefined }): ReactNode {
  const { t } = useTranslation('archive');
  if (!anchoring) {
    return (
      <section className="panel">
        <p className="muted">{t('time.none')}</p>
      </section>
    );
  }
  const notCounted = anchoring.tokens.filter((token) => !token.trusted);
  return (
    <div className="stack">
      <section className="panel time-proof" aria-labelledby="time-title">
        <h3 id="time-title">{t('time.title')}</h3>
        <p className="time-intro muted">{t('time.intro')}</p>
        <dl className="params time-facts">
          <dt>{t('time.interval')}</dt>
          <dd>{t('time.intervalValue', { seconds: anchoring.anchorSeconds, tolerance: anchoring.toleranceSeconds })}</dd>
          <dt>{t('time.lastProven')}</dt>
          <dd className={anchoring.lastProven ? undefined : 'warn-text'}>{anchoring.lastProven ? formatTime(anchoring.lastProven) : t('time.lastProvenNone')}</dd>
          <dt>{t('time.tokens')}</dt>
          <dd className={anchoring.trustedTokens < anchoring.tokenCount ? 'warn-text' : undefined}>{t('time.tokensValue', { trusted: anchoring.trustedTokens, total: anchoring.tokenCount })}</dd>
          <dt>{t('time.zone')}</dt>
          <dd>{t('time.zoneValue', { zone: utcOffset() })}</dd>
        </dl>
        <h4>{t('time.ranges')}</h4>
        <ol className="anchor-ranges">
          {anchoring.ranges.map((range) => (
            <RangeRow key={range.from} range={range} anchoring={anchoring} />
          ))}
        </ol>
        {anchoring.rangeCount > anchoring.ranges.length && <p className="muted small">{t('time.moreRanges', { count: anchoring.rangeCount - anchoring.ranges.length })}</p>}
      </section>
      {notCounted.length > 0 && (
        <section className="panel" aria-labelledby="not-counted-title">
          <h3 id="not-counted-title">{t('time.notCounted')}</h3>
          <p className="muted small">{t('time.notCountedIntro')}</p>
          <ul className="not-counted">
            {groupByReason(notCounted).map((group) => (
              <NotCounted key={group.tokens[0]!.path} tokens={group.tokens} detail={group.detail} />
            ))}
          </ul>
        </section>
      )}
      <TokenTable anchoring={anchoring} />
    </div>
  );
}

function RangeRow({ range, anchoring }: { readonly range: AnchorRangeView; readonly anchoring: AnchoringView }): ReactNode {
  const { t } = useTranslation('archive');
  const duration = useDuration();
  const state = rangeState(range);
  const one = range.from === range.to ? 'One' : '';
  const recorded = range.firstTime === range.lastTime || formatClock(range.firstTime) === formatClock(range.lastTime) ? formatClock(range.firstTime) : `${formatClock(range.firstTime)}–${timeNear(range.lastTime, range.firstTime)}`;
  return (
    <li className={`anchor-range anchor-${state}`} data-late={String(range.late)} data-from={range.from} data-to={range.to}>
      <Badge tone={state === 'ok' ? 'pass' : 'warn'}>{t(`time.status.${state}`)}</Badge>
      <div className="anchor-range-body">
        <div className="range-events">{range.from === range.to ? t('time.eventSingle', { from: range.from }) : t('time.eventRange', { from: range.from, to: range.to })}</div>
        <div className="range-times">
          <span>{t('time.recorded', { time: recorded })}</span>
          <span className="range-sep" aria-hidden="true">
            ·
          </span>
          <span title={range.tsa ?? undefined}>{range.provenBy ? t('time.provenBy', { time: timeNear(range.provenBy, range.lastTime), tsa: tsaName(range.tsa) }) : t(`time.notProvenBy${one}`)}</span>
        </div>
        <div className="range-lag">
          {state === 'none' ? (
            t(`time.noneDetail${one}`)
          ) : (
            <Trans
              t={t}
              i18nKey={`time.${state === 'late' ? 'lagLate' : 'lagOk'}${one}`}
              values={{ lag: duration(range.lagSeconds ?? 0), interval: anchoring.anchorSeconds, tolerance: anchoring.toleranceSeconds }}
              components={{ lag: <strong className="range-lag-value" /> }}
            />
          )}
        </div>
      </div>
    </li>
  );
}

/** Tokens refused for the same reason, said once (often every token of one untrusted TSA). */
function groupByReason(tokens: readonly AnchorToken[]): { tokens: AnchorToken[]; detail: string }[] {
  const groups = new Map<string, AnchorToken[]>();
  for (const token of tokens) {
    const detail = reasonDetail(token);
    groups.set(detail, [...(groups.get(detail) ?? []), token]);
  }
  return [...groups].map(([detail, grouped]) => ({ detail, tokens: grouped }));
}

function NotCounted({ tokens, detail }: { readonly tokens: readonly AnchorToken[]; readonly detail: string }): ReactNode {
  const { t, i18n } = useTranslation('archive');
  // The verifier's own classification (src/core/archive/verify-archive.ts), not its English words.
  const kind = tokens[0]!.reasonKind ?? 'other';
  return (
    <li className="not-counted-token" data-reason={kind}>
      <ul className="where-list">
        {tokens.slice(0, MAX_NOT_COUNTED).map((token) => (
          <li key={token.path} className="mono where">
            {token.path}
          </li>
        ))}
        {tokens.length > MAX_NOT_COUNTED && <li className="muted small">{t('failingMore', { count: tokens.length - MAX_NOT_COUNTED })}</li>}
      </ul>
      <span className="token-reason">{t(`time.reason.${kind}`)}</span>
      {detail &&
        (i18n.language === 'zh' ? (
          <details className="problem-detail technical">
            <summary>{t('checks.technical')}</summary>
            <span className="mono">{detail}</span>
          </details>
        ) : (
          <span className="problem-detail">{detail}</span>
        ))}
    </li>
  );
}

function TokenTable({ anchoring }: { readonly anchoring: AnchoringView }): ReactNode {
  const { t } = useTranslation('archive');
  const algorithmName = useSignatureAlgorithm();
  if (anchoring.tokens.length === 0) return null;
  const covers = (token: AnchorToken): string =>
    token.path === 'proofline/seal.tsr' ? t('time.coversSeal') : token.covers <= 1 ? t('time.coversFirst') : t('time.coversRange', { last: token.covers - 1 });
  return (
    <section className="panel">
      <details className="all-tokens">
        <summary>{t('time.allTokens', { count: anchoring.tokenCount })}</summary>
        <table className="files-table">
          <thead>
            <tr>
              <th>{t('time.tokenFile')}</th>
              <th>{t('time.tokenTime')}</th>
              <th>{t('time.tokenTsa')}</th>
              <th>{t('time.tokenCovers')}</th>
              <th>{t('time.tokenCounted')}</th>
            </tr>
          </thead>
          <tbody>
            {anchoring.tokens.map((token) => (
              <tr key={token.path}>
                <td className="mono small">{token.path}</td>
                <td className="nowrap">{formatTime(token.genTime)}</td>
                <td title={token.tsa ?? undefined}>
                  {tsaName(token.tsa)}
                  {token.algorithm && <span className="token-algorithm muted small">{algorithmName(token.algorithm)}</span>}
                </td>
                <td>{covers(token)}</td>
                <td className={token.trusted ? undefined : 'warn-text'}>{token.trusted ? t('time.yes') : t('time.no')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </section>
  );
}
