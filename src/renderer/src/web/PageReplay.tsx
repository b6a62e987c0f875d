// What an archived page offers beside its screenshot and DOM: the page replayed from its own
// WACZ by ReplayWeb.page, and its files (WACZ, HAR, MHTML, screenshot) to save.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArtifactRef } from '../../../shared/domain';
import type { CapturedPage } from '../../../shared/views';
import { formatBytes } from '../i18n';

/** Where an archive's page files are replayed and downloaded from; a live session has none. */
export interface PageArchiveLinks {
  /** The replay of a WACZ, opening `page` (its address), or undefined when it cannot be replayed. */
  readonly replay: (wacz: ArtifactRef, page: string) => string | undefined;
  /** The file as a download (Content-Disposition: attachment), or undefined when it is not in the archive. */
  readonly download: (artifact: ArtifactRef) => string | undefined;
}

export type PageFileKind = 'wacz' | 'har' | 'mhtml' | 'screenshot';
const KINDS: readonly PageFileKind[] = ['wacz', 'har', 'mhtml', 'screenshot'];

/** The capture's file of a kind, by the name the capture gave it (capture-page.ts, rendered-page.ts). */
export function pageFile(page: CapturedPage, kind: PageFileKind): ArtifactRef | null {
  if (kind === 'screenshot') return page.screenshot;
  return page.artifacts.find((a) => a.name.toLowerCase().endsWith(`.${kind}`)) ?? null;
}

export function PageDownloads({ page, links }: { readonly page: CapturedPage; readonly links: PageArchiveLinks }): ReactNode {
  const { t } = useTranslation('common');
  const files = KINDS.flatMap((kind) => {
    const artifact = pageFile(page, kind);
    const href = artifact && links.download(artifact);
    return artifact && href ? [{ kind, artifact, href }] : [];
  });
  if (files.length === 0) return null;
  return (
    <div className="page-downloads small" role="group" aria-label={t('page.downloads')}>
      <span className="muted">{t('page.downloads')}:</span>
      {files.map(({ kind, artifact, href }) => (
        <a key={kind} href={href} download={artifact.name} title={t('page.downloadTitle', { name: artifact.name, size: formatBytes(artifact.size) })}>
          {t(`page.download.${kind}`)}
        </a>
      ))}
    </div>
  );
}

export function ReplayFrame({ src, title }: { readonly src: string; readonly title: string }): ReactNode {
  const { t } = useTranslation('common');
  return (
    <figure className="page-frame page-replay">
      <figcaption className="small muted">{t('page.replayTitle')}</figcaption>
      {/*
        The replay runs the captured page's scripts (ReplayWeb.page needs them, and its service
        worker needs allow-same-origin). That is safe only because `src` is on the replay origin
        (src/host/replay-server.ts): another port and host name than the app's, serving nothing
        but this archive's WACZ under an unguessable token, with no API, cookie or secret. The
        sandbox still takes from it popups, top navigation, downloads and modals.
      */}
      <iframe sandbox="allow-scripts allow-same-origin allow-forms" src={src} title={title} referrerPolicy="no-referrer" />
      <p className="muted small">{t('page.replayNote')}</p>
    </figure>
  );
}
