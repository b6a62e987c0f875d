// A new batch for the fleet: addresses one a line and the matter they are captured for, queued
// with `fleet.submit` (the same as `proofline batch submit`).
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { FleetSubmission } from '../../../shared/views';
import { api } from '../client';
import { ErrorNotice, useAction } from '../components/ui';

export function FleetSubmitForm({ defaultMatter, onSubmitted }: { readonly defaultMatter: string; readonly onSubmitted: (submission: FleetSubmission) => void }): ReactNode {
  const { t } = useTranslation('vault');
  const [urls, setUrls] = useState('');
  const [matter, setMatter] = useState(defaultMatter);
  const [done, setDone] = useState<FleetSubmission | null>(null);
  useEffect(() => setMatter((m) => m || defaultMatter), [defaultMatter]);
  const list = urls
    .split(/\r?\n/)
    .map((u) => u.trim())
    .filter(Boolean);
  const submit = useAction(async () => {
    setDone(null);
    const result = await api['fleet.submit']({ urls: list, matter: matter.trim() });
    setDone(result);
    setUrls('');
    onSubmitted(result);
  });
  return (
    <section className="panel" aria-labelledby="fleet-submit">
      <h2 id="fleet-submit">{t('fleet.submitTitle')}</h2>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit.run();
        }}
      >
        <div className="field">
          <label htmlFor="fleet-urls">{t('fleet.urls')}</label>
          <textarea id="fleet-urls" className="mono-input" rows={6} value={urls} onChange={(e) => setUrls(e.target.value)} spellCheck={false} placeholder="https://example.com/page" />
          <p className="hint">{t('fleet.urlsHint')}</p>
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="fleet-matter">{t('fleet.matter')}</label>
            <input id="fleet-matter" type="text" value={matter} onChange={(e) => setMatter(e.target.value)} spellCheck={false} autoComplete="off" />
          </div>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={submit.busy || list.length === 0 || matter.trim() === ''}>
            {t('fleet.submit')}
          </button>
          <span className="muted small">{list.length > 0 ? list.length : ''}</span>
        </div>
      </form>
      {done && (
        <div className="notice notice-ok" role="status">
          <p>{t('fleet.submitted', { submission: done.submission, queued: done.queued })}</p>
          {done.duplicates > 0 && <p>{t('fleet.duplicates', { count: done.duplicates })}</p>}
        </div>
      )}
      {submit.error !== undefined && <ErrorNotice error={submit.error} />}
    </section>
  );
}
