// "Before you start": what evidence made now would lack (no TSA, no display, no ffmpeg, no
// trusted roots), what that means and how to fix it. Shown on Home while anything is missing; a
// person may hide it, and then a small "setup incomplete" link stays (issue 11).
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo } from '../../../shared/views';
import { Badge } from '../components/ui';
import { TsaTest } from '../components/TsaTest';
import { href } from '../router';
import './readiness.css';

const HIDDEN_KEY = 'proofline.readiness.hidden';

type ItemId = 'tsa' | 'display' | 'ffmpeg' | 'roots';
interface Item {
  readonly id: ItemId;
  readonly ok: boolean;
  /** What is there, when it is. */
  readonly detail?: string;
  /** What is wrong, when more precise than the item's "missing" words. */
  readonly problem?: string;
}

function items(info: AppInfo, t: (key: string, options?: Record<string, unknown>) => string): Item[] {
  const { tsa, trustedRoots } = info.readiness;
  const { display, ffmpeg } = info.capabilities;
  const rootsOk = trustedRoots.certificates > 0 && trustedRoots.problem === undefined;
  const brokenFile = trustedRoots.problem?.params['file'];
  return [
    { id: 'tsa', ok: tsa.count > 0, ...(tsa.count > 0 && { detail: t('tsa.ok', { count: tsa.count, urls: tsa.urls.join(', ') }) }) },
    { id: 'display', ok: display.ok, ...(display.ok && { detail: display.detail }) },
    // ffmpeg's version line carries its copyright notice: the version and path say enough.
    { id: 'ffmpeg', ok: ffmpeg.ok, ...(ffmpeg.ok && { detail: ffmpeg.detail.replace(/ Copyright .*? (?=\()/, ' ') }) },
    {
      id: 'roots',
      ok: rootsOk,
      ...(rootsOk && { detail: t('roots.ok', { count: trustedRoots.certificates }) }),
      ...(brokenFile !== undefined && { problem: t('roots.broken', { file: String(brokenFile) }) }),
    },
  ];
}

/** How many of the check's items are missing (0: evidence made now lacks nothing it checks). */
export function missingCount(info: AppInfo): number {
  return items(info, (key) => key).filter((item) => !item.ok).length;
}

export function ReadinessPanel({ info, onTested }: { readonly info: AppInfo; readonly onTested?: () => void }): ReactNode {
  const { t } = useTranslation('readiness');
  const [hidden, setHidden] = useState(() => localStorage.getItem(HIDDEN_KEY) === '1');
  const list = items(info, t);
  const missing = list.filter((item) => !item.ok);
  if (missing.length === 0) return null;
  const hide = (value: boolean): void => {
    if (value) localStorage.setItem(HIDDEN_KEY, '1');
    else localStorage.removeItem(HIDDEN_KEY);
    setHidden(value);
  };
  if (hidden) {
    return (
      <p className="readiness-link">
        <button type="button" className="link" onClick={() => hide(false)}>
          {t('show', { count: missing.length })}
        </button>
      </p>
    );
  }
  return (
    <section className="panel readiness" aria-labelledby="readiness-title">
      <header className="readiness-head">
        <h2 id="readiness-title">{t('title')}</h2>
        <button type="button" className="link" onClick={() => hide(true)}>
          {t('hide')}
        </button>
      </header>
      <p className="readiness-intro">{t('intro')}</p>
      <ul className="readiness-items">
        {list.map((item) => (
          <li key={item.id} className={`readiness-item${item.ok ? '' : ' readiness-item-missing'}`} data-item={item.id}>
            <Badge tone={item.ok ? 'pass' : 'warn'}>{t(item.ok ? 'status.ok' : 'status.missing')}</Badge>
            <div className="readiness-body">
              <p className="readiness-label">{t(`${item.id}.label`)}</p>
              {item.ok ? (
                <p className="muted small readiness-detail">{item.detail}</p>
              ) : (
                <>
                  <p className="readiness-missing">{item.problem ?? t(`${item.id}.missing`)}</p>
                  <p className="readiness-means">{t(`${item.id}.means`)}</p>
                  <p className="small">
                    {t(`${item.id}.fix`)} <a href={href({ screen: 'settings' })}>{t('openSettings')}</a>
                  </p>
                </>
              )}
              {item.id === 'tsa' && item.ok && <TsaTest onTested={onTested} />}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
