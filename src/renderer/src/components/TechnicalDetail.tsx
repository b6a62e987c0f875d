// A sentence the core or a tool wrote in English (a verifier's detail, a probe's finding, a
// recording's end reason it does not know): shown as is in English; in Chinese the translated
// words stand alone and the English is one click away, under "技术细节（英文）", so nothing
// English shows in the Chinese UI unless the reader asks for it.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

export function TechnicalDetail({ detail, hideInChinese = false, className = 'finding-detail' }: { readonly detail: string; readonly hideInChinese?: boolean; readonly className?: string }): ReactNode {
  const { t, i18n } = useTranslation('archive');
  if (!detail) return null;
  if (i18n.language !== 'zh') return <div className={className}>{detail}</div>;
  if (hideInChinese) return null;
  return (
    <details className={`${className} technical`}>
      <summary>{t('checks.technical')}</summary>
      <span className="mono">{detail}</span>
    </details>
  );
}
