// The archive's evidence record (RFC 4998) in the Time tab: each archive timestamp of the chain,
// who made it, until when its certificate holds, and until when the archive's time is attested.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { RenewalChain } from '../../../shared/views';
import { Badge } from '../components/ui';
import { formatTime } from '../i18n';
import { tsaName } from './TimeProof';

const TONE = { ok: 'pass', gap: 'warn', untrusted: 'warn', invalid: 'fail' } as const;

export function RenewalProof({ chain }: { readonly chain: RenewalChain | undefined }): ReactNode {
  const { t } = useTranslation('archive');
  if (!chain) return null;
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
    </section>
  );
}
