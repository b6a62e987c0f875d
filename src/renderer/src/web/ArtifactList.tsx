// The files an event recorded: name, size, where each is kept, and a link to open it (served with
// a sandbox header by the media resolver, so an HTML file runs nothing even in a tab of its own).
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArtifactRef } from '../../../shared/domain';
import { formatBytes } from '../i18n';

export interface FileLinks {
  /** The address the window loads a file from (a session's blob, an archive's entry); undefined when it has none. */
  readonly url: (artifact: ArtifactRef) => string | undefined;
  /** Where the file is kept, when that says more than its SHA-256 (the path inside an archive). */
  readonly where?: (artifact: ArtifactRef) => string | undefined;
}

export function ArtifactList({ artifacts, links }: { readonly artifacts: readonly ArtifactRef[]; readonly links: FileLinks }): ReactNode {
  const { t } = useTranslation('common');
  return (
    <ul className="artifact-list">
      {artifacts.map((artifact) => {
        const url = links.url(artifact);
        return (
          <li key={artifact.sha256 + artifact.name}>
            <span className="artifact-name">{artifact.name}</span>
            <span className="muted small">{formatBytes(artifact.size)}</span>
            <span className="mono small where" title={artifact.sha256}>
              {links.where?.(artifact) ?? artifact.sha256}
            </span>
            {url && (
              <a href={url} target="_blank" rel="noopener noreferrer" className="small">
                {t('openFile')}
              </a>
            )}
          </li>
        );
      })}
    </ul>
  );
}
