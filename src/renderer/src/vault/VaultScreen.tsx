// The team vault (issue 15): its matters with their counts, the archives in them as the store
// reports them now (outcome, device, retention, legal hold), a verdict for each verified straight
// from the bucket, Open to bring one down into the viewer, and the fleet's device certificates so
// a lawyer can tell which machine captured what.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { VaultArchive } from '../../../shared/views';
import { api } from '../client';
import { describe, EmptyState, ErrorNotice, ProgressBar, useLoad } from '../components/ui';
import { formatBytes } from '../i18n';
import { href } from '../router';
import { openInViewer } from './open-in-viewer';
import { useVaultVerdicts } from './use-vault-verdicts';
import { VaultArchiveRow } from './VaultArchiveRow';
import { VaultDevices } from './VaultDevices';
import '../archive.css';
import './vault.css';

export function VaultScreen(): ReactNode {
  const { t } = useTranslation('vault');
  const listing = useLoad(() => api['vault.list']({}), []);
  const [matter, setMatter] = useState<string | null>(null);
  // Archives whose legal hold changed since the listing was read: the store's answer replaces them.
  const [updated, setUpdated] = useState<Readonly<Record<string, VaultArchive>>>({});
  const [opening, setOpening] = useState<{ key: string; done: number; total: number } | null>(null);
  const [openError, setOpenError] = useState<unknown>(undefined);
  const { verdicts, verify } = useVaultVerdicts();

  const open = async (archive: VaultArchive): Promise<void> => {
    setOpenError(undefined);
    setOpening({ key: archive.key, done: 0, total: archive.bytes });
    try {
      const handle = await api['vault.open']({ key: archive.key }, { onProgress: (p) => setOpening({ key: archive.key, done: p.done, total: p.total }) });
      openInViewer(handle, archive.key.split('/').at(-1) ?? archive.key);
    } catch (error) {
      setOpenError(error);
    } finally {
      setOpening(null);
    }
  };

  const head = (
    <header className="screen-head">
      <div>
        <h1>{t('screen.title')}</h1>
        <p className="subtitle">{t('screen.intro')}</p>
      </div>
      <div className="actions">
        <button type="button" onClick={() => listing.reload()} disabled={listing.loading}>
          {t('screen.refresh')}
        </button>
      </div>
    </header>
  );
  if (!listing.value) {
    const notConfigured = listing.error !== undefined && describe(listing.error).code === 'vault.not-configured';
    return (
      <div className="screen vault-screen">
        {head}
        {listing.error === undefined && <p className="muted">{t('common:loading')}</p>}
        {notConfigured && (
          <EmptyState title={t('screen.notConfigured')}>
            <p>{t('screen.notConfiguredBody')}</p>
            <a href={href({ screen: 'settings' })}>{t('send.toSettings')}</a>
          </EmptyState>
        )}
        {listing.error !== undefined && !notConfigured && <ErrorNotice error={listing.error} onRetry={listing.reload} />}
      </div>
    );
  }

  const { vault, objectLock, matters, devices } = listing.value;
  const archives = listing.value.archives.map((a) => updated[a.key] ?? a);
  const shown = matter === null ? archives : archives.filter((a) => a.matter === matter);
  return (
    <div className="screen vault-screen">
      {head}
      <p className="vault-where">
        <span className="mono">{vault}</span>
        <span className={objectLock.enabled ? 'muted' : 'warn-text'} data-testid="vault-lock">
          {objectLock.enabled ? (objectLock.mode && objectLock.days ? t('screen.lock', { mode: t(`mode.${objectLock.mode}`), count: objectLock.days }) : t('screen.lockNoDefault')) : t('screen.noLock')}
        </span>
      </p>
      {listing.error !== undefined && <ErrorNotice error={listing.error} onRetry={listing.reload} />}

      <div className="vault-matters" role="group" aria-label={t('screen.matters')}>
        <button type="button" className={`chip${matter === null ? ' active' : ''}`} aria-pressed={matter === null} onClick={() => setMatter(null)}>
          {t('screen.allMatters')} <span className="tab-count">{archives.length}</span>
        </button>
        {matters.map((m) => (
          <button key={m.name} type="button" className={`chip${matter === m.name ? ' active' : ''}`} aria-pressed={matter === m.name} data-matter={m.name} onClick={() => setMatter(m.name)}>
            {m.name} <span className="tab-count">{m.archives}</span>
          </button>
        ))}
      </div>

      {opening && (
        <section className="panel progress-row" aria-live="polite">
          <ProgressBar done={opening.done} total={opening.total} label={t('screen.opening', { done: formatBytes(opening.done), total: formatBytes(opening.total) })} />
        </section>
      )}
      {openError !== undefined && <ErrorNotice error={openError} />}

      <section className="panel" aria-labelledby="vault-archives">
        <div className="panel-head">
          <h2 id="vault-archives">{t('screen.archives')}</h2>
          <button type="button" onClick={() => verify(shown.map((a) => a.key))} disabled={shown.length === 0}>
            {t('screen.verifyAll')}
          </button>
        </div>
        {shown.length === 0 ? (
          <EmptyState title={t('screen.none')}>
            <p>{t('screen.noneBody')}</p>
          </EmptyState>
        ) : (
          <div className="vault-table-scroll">
            <table className="vault-table">
              <thead>
                <tr>
                  {(['archive', 'outcome', 'device', 'retention', 'hold', 'verdict', 'actions'] as const).map((c) => (
                    <th key={c} scope="col">
                      {t(`screen.columns.${c}`)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {shown.map((archive) => (
                  <VaultArchiveRow
                    key={archive.key}
                    archive={archive}
                    verdict={verdicts[archive.key]}
                    onVerify={() => verify([archive.key])}
                    onOpen={() => void open(archive)}
                    opening={opening !== null}
                    onHeld={(next) => setUpdated((all) => ({ ...all, [next.key]: next }))}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <VaultDevices devices={devices} />
    </div>
  );
}
