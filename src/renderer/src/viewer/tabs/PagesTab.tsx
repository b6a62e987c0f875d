// The Web pages tab: the pages the core's one view found in the archive's events, each shown by
// the same card as in a live web session, its files read from the archive.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { PageCard } from '../../web/PageCard';
import { Badge, EmptyState } from '../../components/ui';
import { archiveLinks, archivePageLinks, type ArchiveView } from '../archive-view';

export function PagesTab({ view, altered = new Set() }: { readonly view: ArchiveView; readonly altered?: ReadonlySet<string> }): ReactNode {
  const { t } = useTranslation('archive');
  const { pages } = view.contents;
  if (pages.length === 0) return <EmptyState title={t('pages.none')} />;
  const links = archiveLinks(view);
  const pageLinks = archivePageLinks(view);
  return (
    <section className="panel" aria-label={t('pages.title')}>
      <div className="pages">
        {pages.map((page) => {
          const changed = page.artifacts.filter((a) => altered.has(a.sha256)).map((a) => a.name);
          return (
            <div key={page.seq} className={changed.length > 0 ? 'page-altered' : undefined}>
              {changed.length > 0 && (
                <p className="altered-warning" role="alert">
                  <Badge tone="tampered">{t('altered.badge')}</Badge> {t('altered.pageWarning', { names: changed.join(', ') })}
                </p>
              )}
              <PageCard page={page} links={links} archive={pageLinks} />
            </div>
          );
        })}
      </div>
    </section>
  );
}
