import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionDetail } from '../../../shared/views';
import { formatTime } from '../i18n';
import { href } from '../router';
import { SealExport } from './SealExport';
import { Badge } from '../components/ui';

export function SessionHeader({ detail, onChanged, liveEventCount = 0 }: { readonly detail: SessionDetail; readonly onChanged: () => void; readonly liveEventCount?: number }): ReactNode {
  const { t } = useTranslation();
  const s = detail.session;
  return (
    <header className="screen-head">
      <div>
        <a className="back" href={href({ screen: 'home' })}>
          ← {t('nav.home')}
        </a>
        <h1>{s.title}</h1>
        <div className="subtitle">
          {s.state === 'sealed' && s.sealTimestamped === false ? (
            <span title={t('home:sealedNoTimestampHint')}>
              <Badge tone="warn">{t('home:sealedNoTimestamp')}</Badge>
            </span>
          ) : (
            <Badge tone={s.state}>{t(`state.${s.state}`)}</Badge>
          )}
          {s.interrupted && <Badge tone="recovered">{t('interrupted')}</Badge>}
          <span>{t(`kind.${s.kind}`)}</span>
          {s.creator && <span>{s.creator}</span>}
          <span>{formatTime(s.createdAt)}</span>
          <span>{t('events', { count: Math.max(s.eventCount, liveEventCount) })}</span>
          <span className="mono" title={s.id}>
            {s.id.slice(0, 8)}
          </span>
        </div>
      </div>
      <SealExport detail={detail} onChanged={onChanged} />
    </header>
  );
}
