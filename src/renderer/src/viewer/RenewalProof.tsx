// The archive's evidence record (RFC 4998) in the Time tab: each archive timestamp of the chain,
// who made it, until when its certificate holds, and until when the archive's time is attested;
// and the button that renews it (archive.renew with Settings' first TSA), then verifies again.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Progress, RenewalChain } from '../../../shared/views';
import { api, ApiError } from '../client';
import { href } from '../router';
import { Badge, CancelButton, CancelledNotice, ErrorNotice, isCancelled, ProgressBar } from '../components/ui';
import { formatBytes, formatTime } from '../i18n';
import { tsaName } from './TimeProof';

const TONE = { ok: 'pass', gap: 'warn', untrusted: 'warn', invalid: 'fail' } as const;

export function RenewalProof({
  chain,
  renew,
}: {
  readonly chain: RenewalChain | undefined;
  /** Offered only for an archive that verifies (exit 0 or 3): renewal refuses the others (renew.not-verified). */
  readonly renew?: { readonly archive: string; readonly onRenewed: () => void };
}): ReactNode {
  const { t } = useTranslation('archive');
  if (!chain) return renew ? <section className="panel renewal-proof" aria-label={t('time.renewal.title')}><h3>{t('time.renewal.title')}</h3><p className="muted">{t('time.renewal.none')}</p><RenewButton {...renew} first /></section> : null;
  return (
    <section className="panel renewal-proof" aria-label={t('time.renewal.title')} data-attested-until={chain.attestedUntil ?? ''}>
      <h3>{t('time.renewal.title')}</h3>
      <p className={chain.attestedUntil ? undefined : 'warn-text'}>
        {chain.attestedUntil ? t('time.renewal.until', { time: formatTime(chain.attestedUntil) }) : t('time.renewal.untilNone')}
      </p>
      <ol className="renewal-links">
        {chain.links.map((link) => (
          <li key={link.position} data-status={link.status}>
            <strong>{t('time.renewal.link', { position: link.position })}</strong> <Badge tone={TONE[link.status]}>{t(`time.renewal.status.${link.status}`)}</Badge>
            <div>{t('time.renewal.by', { time: formatTime(link.genTime), tsa: tsaName(link.tsa) })}</div>
            {link.until && <div className="muted small">{t('time.renewal.valid', { time: formatTime(link.until) })}</div>}
            {link.reason && <div className="muted small">{link.reason}</div>}
          </li>
        ))}
      </ol>
      {renew && <RenewButton {...renew} first={false} />}
    </section>
  );
}

/** archive.renew on the opened archive; on success the viewer verifies it again, which redraws the chain. */
function RenewButton({ archive, onRenewed, first }: { readonly archive: string; readonly onRenewed: () => void; readonly first: boolean }): ReactNode {
  const { t } = useTranslation('archive');
  const [busy, setBusy] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [progress, setProgress] = useState<Progress>();
  const [error, setError] = useState<unknown>();
  const controller = useRef<AbortController | null>(null);
  useEffect(() => () => controller.current?.abort(), []);

  const run = async (): Promise<void> => {
    const abort = (controller.current = new AbortController());
    setBusy(true);
    setCancelling(false);
    setProgress(undefined);
    setError(undefined);
    try {
      await api['archive.renew']({ archive }, { onProgress: setProgress, signal: abort.signal });
      onRenewed();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="renew-action" aria-live="polite">
      <div className="actions">
        <button type="button" className="primary" onClick={() => void run()} disabled={busy}>
          {first ? t('time.renewal.add') : t('time.renewal.renew')}
        </button>
        {busy && <CancelButton cancelling={cancelling} onCancel={() => { setCancelling(true); controller.current?.abort(); }} />}
      </div>
      {busy && (
        <ProgressBar
          done={progress?.done ?? 0}
          total={progress?.total ?? 0}
          label={progress && progress.total > 0 ? t('time.renewal.renewing', { done: formatBytes(progress.done), total: formatBytes(progress.total) }) : t('time.renewal.renewingStart')}
        />
      )}
      {!busy && !error && <p className="muted small">{t('time.renewal.explain')}</p>}
      {error !== undefined && (isCancelled(error) ? <CancelledNotice text={t('time.renewal.cancelled')} /> : noTsa(error) ? <NoTsaNotice /> : <ErrorNotice error={error} />)}
    </div>
  );
}

/** No TSA in Settings (tsa.none-configured): the generic text speaks of testing one; here, say what renewing needs. */
function noTsa(error: unknown): boolean {
  return error instanceof ApiError && error.code === 'tsa.none-configured';
}

function NoTsaNotice(): ReactNode {
  const { t } = useTranslation('archive');
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{t('time.renewal.noTsaTitle')}</p>
      <p className="notice-detail">
        {t('time.renewal.noTsa')} <a href={href({ screen: 'settings' })}>{t('time.renewal.openSettings')}</a>
      </p>
    </div>
  );
}
