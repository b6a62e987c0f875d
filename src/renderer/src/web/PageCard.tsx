// A captured web page, in a live web session and in an opened archive alike: its screenshot, its
// addresses and status, its files, and its DOM only in a sandboxed frame with scripts off; from an
// archive also its replay from its own WACZ and its files to download (PageReplay.tsx).
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { CapturedPage } from '../../../shared/views';
import { formatTime } from '../i18n';
import { ArtifactList, type FileLinks } from './ArtifactList';
import { Badge } from '../components/ui';
import { PageDownloads, pageFile, ReplayFrame, type PageArchiveLinks } from './PageReplay';

export function PageCard({ page, links, archive }: { readonly page: CapturedPage; readonly links: FileLinks; readonly archive?: PageArchiveLinks }): ReactNode {
  const { t } = useTranslation('common');
  const [showDom, setShowDom] = useState(false);
  const [showReplay, setShowReplay] = useState(false);
  const wacz = pageFile(page, 'wacz');
  const replay = archive && wacz ? archive.replay(wacz, page.finalUrl) : undefined;
  const shot = page.screenshot && links.url(page.screenshot);
  const dom = page.dom && links.url(page.dom);
  const heading = page.title || page.finalUrl;
  return (
    <article className="page-card" aria-label={page.finalUrl}>
      {shot ? (
        <a href={shot} target="_blank" rel="noopener noreferrer" className="page-shot">
          <img src={shot} alt={heading} loading="lazy" />
        </a>
      ) : (
        <p className="page-shot muted small">{t('page.noScreenshot')}</p>
      )}
      <div className="page-info">
        <div className="finding-title">{heading}</div>
        <div className="mono small">{page.finalUrl}</div>
        {page.finalUrl !== page.url && <div className="mono small muted">← {page.url}</div>}
        <div className="session-meta">
          {page.status !== null && <Badge tone={page.status < 400 ? 'pass' : 'fail'}>{t('page.status', { status: page.status })}</Badge>}
          <span>{formatTime(page.time)}</span>
          <span>#{page.seq}</span>
        </div>
        <details>
          <summary className="small">
            {t('page.files')} ({page.artifacts.length})
          </summary>
          <ArtifactList artifacts={page.artifacts} links={links} />
        </details>
        {dom && (
          <button type="button" className="small" onClick={() => setShowDom((v) => !v)} aria-expanded={showDom}>
            {showDom ? t('page.hide') : t('page.show')}
          </button>
        )}
        {replay && (
          <button type="button" className="small" onClick={() => setShowReplay((v) => !v)} aria-expanded={showReplay}>
            {showReplay ? t('page.replayHide') : t('page.replay')}
          </button>
        )}
        {archive && <PageDownloads page={page} links={archive} />}
      </div>
      {showDom && dom && (
        <figure className="page-frame">
          <figcaption className="small muted">{t('page.dom')}</figcaption>
          {/* sandbox="": no scripts, no same-origin, no forms, no navigation of the app. */}
          <iframe sandbox="" src={dom} title={heading} referrerPolicy="no-referrer" />
          <p className="muted small">{t('page.domNote')}</p>
        </figure>
      )}
      {showReplay && replay && <ReplayFrame src={replay} title={heading} />}
    </article>
  );
}
