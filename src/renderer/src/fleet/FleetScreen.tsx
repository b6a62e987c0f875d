// The capture fleet's batch screen (issue 15): submit addresses to the queue and follow a batch as
// `proofline batch status` does. The host has no live push for the fleet (its state is in Redis,
// changed by workers on other machines), so while this screen is visible and the followed batch
// is unfinished it asks again every few seconds; a finished batch or a hidden window asks nothing.
import { useEffect, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../client';
import { describe, EmptyState, ErrorNotice, useInterval, useLoad } from '../components/ui';
import { formatTime } from '../i18n';
import { href } from '../router';
import { FleetCounts, FleetJobs, unfinished } from './FleetJobs';
import { FleetSubmitForm } from './FleetSubmitForm';
import '../archive.css';
import '../vault/vault.css';

const REFRESH_MS = 3000;

function useVisible(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      document.addEventListener('visibilitychange', onChange);
      return () => document.removeEventListener('visibilitychange', onChange);
    },
    () => document.visibilityState === 'visible',
  );
}

export function FleetScreen(): ReactNode {
  const { t } = useTranslation('vault');
  const settings = useLoad(() => api['settings.get']({}), []);
  const all = useLoad(() => api['fleet.status']({}), []);
  const [followed, setFollowed] = useState<string | null>(null);
  const one = useLoad(() => (followed ? api['fleet.status']({ submission: followed }) : Promise.resolve(null)), [followed]);
  const visible = useVisible();
  const current = one.value?.submissions.find((s) => s.submission === followed) ?? null;
  // The newest batch is followed when none is chosen.
  useEffect(() => {
    if (followed === null && all.value && all.value.submissions.length > 0) setFollowed(all.value.submissions[0]!.submission);
  }, [all.value, followed]);
  useInterval(
    () => {
      one.reload();
      all.reload();
    },
    REFRESH_MS,
    visible && current !== null && unfinished(current),
  );

  const head = (
    <header className="screen-head">
      <div>
        <h1>{t('fleet.title')}</h1>
        <p className="subtitle">{t('fleet.intro')}</p>
      </div>
      <div className="actions">
        <button
          type="button"
          onClick={() => {
            all.reload();
            one.reload();
          }}
        >
          {t('fleet.refresh')}
        </button>
      </div>
    </header>
  );
  if (all.error !== undefined && describe(all.error).code === 'fleet.no-queue') {
    return (
      <div className="screen fleet-screen">
        {head}
        <EmptyState title={t('fleet.noQueue')}>
          <p>{t('fleet.noQueueBody')}</p>
          <a href={href({ screen: 'settings' })}>{t('send.toSettings')}</a>
        </EmptyState>
      </div>
    );
  }
  const submissions = all.value?.submissions ?? [];
  return (
    <div className="screen fleet-screen">
      {head}
      {all.error !== undefined && <ErrorNotice error={all.error} onRetry={all.reload} />}
      <FleetSubmitForm
        defaultMatter={settings.value?.vault.matter ?? ''}
        onSubmitted={(s) => {
          setFollowed(s.submission);
          all.reload();
        }}
      />
      <section className="panel" aria-labelledby="fleet-batches">
        <h2 id="fleet-batches">{t('fleet.batches')}</h2>
        {submissions.length === 0 ? (
          <p className="muted">{all.loading ? t('common:loading') : t('fleet.noBatches')}</p>
        ) : (
          <ul className="fleet-batches">
            {submissions.map((s) => (
              <li key={s.submission} className={s.submission === followed ? 'active' : undefined}>
                <button type="button" className="fleet-batch" aria-pressed={s.submission === followed} onClick={() => setFollowed(s.submission)}>
                  <span className="mono">{s.submission}</span>
                  <span>{s.matter}</span>
                  <span className="muted small">{formatTime(s.submittedAt)}</span>
                </button>
                <FleetCounts submission={s} />
              </li>
            ))}
          </ul>
        )}
      </section>
      {current && unfinished(current) && <p className="muted small">{t('fleet.live')}</p>}
      {one.error !== undefined && <ErrorNotice error={one.error} onRetry={one.reload} />}
      {current && <FleetJobs submission={current} />}
    </div>
  );
}
