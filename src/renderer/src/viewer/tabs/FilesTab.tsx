// The Files tab: every file the session's events recorded, with its event and its path inside
// the archive.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes } from '../../i18n';
import { EmptyState } from '../../components/ui';
import { entryUrl, pathOf, type ArchiveView } from '../archive-view';

export function FilesTab({ view }: { readonly view: ArchiveView }): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
  const rows = view.contents.events.flatMap((event) => event.artifacts.map((artifact) => ({ event, artifact })));
  if (rows.length === 0) return <EmptyState title={t('files.none')} />;
  return (
    <section className="panel">
      <h3>{t('files.title')}</h3>
      <table className="files-table">
        <thead>
          <tr>
            <th>{t('files.name')}</th>
            <th>{t('size')}</th>
            <th>{t('files.event')}</th>
            <th>{t('files.path')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ event, artifact }) => {
            const path = pathOf(view, artifact);
            return (
              <tr key={`${event.seq}-${artifact.sha256}-${artifact.name}`}>
                <td>
                  {path ? (
                    <a href={entryUrl(view, path)} target="_blank" rel="noopener noreferrer">
                      {artifact.name}
                    </a>
                  ) : (
                    artifact.name
                  )}
                </td>
                <td className="nowrap">{formatBytes(artifact.size)}</td>
                <td className="nowrap">
                  #{event.seq} {t(`common:eventType.${event.type}`, { defaultValue: event.type })}
                </td>
                <td className="mono small">{path ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
