// The verdict of an archive in plain words, every check with what it proved or where it failed,
// and the facts of the session the archive holds.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArchiveContents, CheckStatus, VerifyReport } from '../../../shared/views';
import { formatTime } from '../i18n';
import { Badge, ErrorNotice } from '../components/ui';
import { AlteredList } from './altered';
import { TechnicalDetail } from '../components/TechnicalDetail';
import { tsaName } from './TimeProof';
import { sealTimeOf, sealTsa, verdictSentences } from './verdict-text';

const VERDICTS = ['verified', 'tampered', 'unattested', 'unusable'] as const;
type KnownVerdict = (typeof VERDICTS)[number] | 'unknown';
const known = (verdict: string): KnownVerdict => ((VERDICTS as readonly string[]).includes(verdict) ? (verdict as KnownVerdict) : 'unknown');
const MAX_WHERE = 12;

export function VerdictBanner({ report }: { readonly report: VerifyReport }): ReactNode {
  const { t, i18n } = useTranslation('archive');
  const verdict = known(report.verdict);
  const failed = report.checks.filter((c) => c.status === 'fail');
  const warned = report.checks.filter((c) => c.status === 'warn');
  const problems = verdict === 'unattested' ? warned : failed;
  return (
    <section className={`verdict verdict-${verdict}`} aria-labelledby="verdict-title" data-verdict={verdict}>
      <div className="verdict-mark" aria-hidden="true" />
      <div className="verdict-body">
        <h2 id="verdict-title" className="verdict-title">
          {t(`verdict.${verdict}`)}
        </h2>
        <p className="verdict-meaning">{verdictSentences(report, verdict).map((key) => t(key)).join(i18n.language === 'zh' ? '' : ' ')}</p>
        {verdict === 'unusable' && failed[0] && <TechnicalDetail detail={failed[0].detail} hideInChinese={false} className="problem-detail" />}
        {verdict === 'tampered' && report.altered && <AlteredList items={report.altered} />}
        {verdict !== 'unusable' && problems.length > 0 && (
          <div className="verdict-problems">
            <h3>{t(verdict === 'unattested' ? 'missingWhere' : 'failingFiles')}</h3>
            <ul>
              {problems.map((check) => (
                <li key={check.id}>
                  <span className="problem-check">{t(`checks.names.${check.id}`, { defaultValue: check.title })}</span>
                  {check.where.length > 0 && <WhereList where={check.where} />}
                  <TechnicalDetail detail={check.detail} hideInChinese={false} className="problem-detail" />
                </li>
              ))}
            </ul>
          </div>
        )}
        {verdict === 'unusable' ? null : i18n.language === 'zh' ? (
          <details className="verdict-summary">
            <summary>{t('verifierSays')}</summary>
            <p className="mono">{report.summary}</p>
          </details>
        ) : (
          <p className="verdict-summary mono">{report.summary}</p>
        )}
      </div>
    </section>
  );
}

const TONE: Record<CheckStatus, string> = { pass: 'pass', warn: 'warn', fail: 'fail', skip: 'skip' };
const ORDER: Record<CheckStatus, number> = { fail: 0, warn: 1, pass: 2, skip: 3 };

/** `stopped`: what to say instead of "Verifying…" when the verification ended without a report (cancelled, failed). */
export function ChecksPanel({ report, stopped }: { readonly report: VerifyReport | undefined; readonly stopped?: string }): ReactNode {
  const { t, i18n } = useTranslation('archive');
  if (!report) {
    return (
      <section className="panel">
        <h3>{t('checks.title')}</h3>
        <p className="muted">{stopped ?? t('verifyingStart')}</p>
      </section>
    );
  }
  const counts = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of report.checks) counts[check.status]++;
  const sorted = [...report.checks].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  return (
    <section className="panel" aria-labelledby="checks-title">
      <div className="panel-head">
        <h3 id="checks-title">{t('checks.title')}</h3>
        <span className="muted small">{t('checks.counts', counts)}</span>
      </div>
      <ul className="findings arc-checks">
        {sorted.map((check) => (
          <li key={check.id} className={`finding arc-check arc-check-${check.status}`} data-check={check.id}>
            <Badge tone={TONE[check.status]}>{t(`checks.status.${check.status}`)}</Badge>
            <div>
              <div className="finding-title">{t(`checks.names.${check.id}`, { defaultValue: check.title })}</div>
              {check.status === 'pass' && <div className="check-proves">{t(`checks.proves.${check.id}`, { defaultValue: '' })}</div>}
              {check.status === 'skip' && i18n.language === 'zh' && <div className="check-proves muted">{t('checks.skipped')}</div>}
              {check.where.length > 0 && check.status !== 'pass' && (
                <div className="check-where">
                  <span className="muted small">{t('checks.where')}:</span>
                  <WhereList where={check.where} />
                </div>
              )}
              <TechnicalDetail detail={check.detail} hideInChinese={check.status === 'pass' || check.status === 'skip'} />
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

export function FactsPanel({ contents, report, contentsError }: { readonly contents: ArchiveContents | undefined; readonly report: VerifyReport | undefined; readonly contentsError: unknown }): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
  const doc = contents?.session ?? null;
  const str = (key: string): string => {
    const value = doc?.[key];
    return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  };
  const title = str('title') || report?.session?.title || '';
  const kind = str('kind') || report?.session?.kind || '';
  return (
    <section className="panel facts" aria-labelledby="facts-title">
      <h3 id="facts-title">{t('facts.title')}</h3>
      {contentsError !== undefined && <ErrorNotice error={contentsError} />}
      {!doc && !report?.session && contentsError === undefined && <p className="muted">{contents ? t('facts.none') : t('common:loading')}</p>}
      {(doc || report?.session) && (
        <dl className="params facts-list">
          <dt>{t('facts.titleField')}</dt>
          <dd className="fact-title">{title}</dd>
          <dt>{t('facts.kind')}</dt>
          <dd>{kind ? t(`common:kind.${kind}`, { defaultValue: kind }) : '—'}</dd>
          {str('creator') && (
            <>
              <dt>{t('facts.creator')}</dt>
              <dd>{str('creator')}</dd>
            </>
          )}
          {str('description') && (
            <>
              <dt>{t('facts.description')}</dt>
              <dd>{str('description')}</dd>
            </>
          )}
          <dt>{t('facts.created')}</dt>
          <dd>{formatTime(str('createdAt') || null)}</dd>
          <dt>{t('facts.sealed')}</dt>
          <dd>
            {formatTime(str('sealedAt') || report?.session?.sealedAt || null)}
            {report && report.verdict !== 'tampered' && report.verdict !== 'unusable' && <SealProof report={report} />}
          </dd>
          <dt>{t('facts.events')}</dt>
          <dd>{str('eventCount') || (contents ? String(contents.events.length) : '—')}</dd>
          {doc?.['interrupted'] === true && (
            <>
              <dt>{t('facts.interrupted')}</dt>
              <dd className="warn-text">{t('facts.interruptedYes')}</dd>
            </>
          )}
          <dt>{t('facts.id')}</dt>
          <dd className="mono">{str('id') || report?.session?.id}</dd>
          {str('device') && (
            <>
              <dt>{t('facts.device')}</dt>
              <dd className="mono">{str('device')}</dd>
            </>
          )}
        </dl>
      )}
      {contents?.truncated && <p className="notice notice-warn small">{t('facts.truncated')}</p>}
    </section>
  );
}

/** Under the seal time: proven by the TSA when the seal's timestamp check passed, else the device's clock. */
function SealProof({ report }: { readonly report: VerifyReport }): ReactNode {
  const { t } = useTranslation('archive');
  const seal = sealTimeOf(report);
  return (
    <div className={`small seal-proof seal-proof-${seal === 'proven' ? 'ok' : 'warn'}`} data-seal-time={seal}>
      {seal === 'proven' ? t('facts.sealProven', { tsa: tsaName(sealTsa(report)) }) : t('facts.sealClock')}
    </div>
  );
}

/** The files or events a failed check names, the first few of them, then how many more. */
function WhereList({ where }: { readonly where: readonly string[] }): ReactNode {
  const { t } = useTranslation('archive');
  return (
    <ul className="where-list">
      {where.slice(0, MAX_WHERE).map((place) => (
        <li key={place} className="where mono">
          {place}
        </li>
      ))}
      {where.length > MAX_WHERE && <li className="muted">{t('failingMore', { count: where.length - MAX_WHERE })}</li>}
    </ul>
  );
}
