// The Web pages tab: the pages the core's one view found in the archive's events, each shown by
// the same card as in a live web session, its files read from the archive.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { PageCard } from '../../web/PageCard';
import { EmptyState } from '../../components/ui';
import { archiveLinks, type ArchiveView } from '../archive-view';

export function PagesTab({ view }: { readonly view: ArchiveView }): ReactNode {
  const { t } = useTranslation('archive');
  const { pages } = view.contents;
  if (pages.length === 0) return <EmptyState title={t('pages.none')} />;
  const links = archiveLinks(view);
  return (
    <section className="panel" aria-label={t('pages.title')}>
      <div className="pages">
        {pages.map((page) => (
          <PageCard key={page.seq} page={page} links={links} />
        ))}
      </div>
    </section>
  );
}
