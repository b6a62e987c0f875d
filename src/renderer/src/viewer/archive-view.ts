// What every tab of the archive viewer is given: the open archive's handle and what the host read
// from it (`archive.contents`: events, the gallery and pages built by the core's one view, paths).
import type { ArtifactRef, JsonValue } from '../../../shared/domain';
import type { ArchiveContents } from '../../../shared/views';
import { mediaUrl } from '../client';
import type { FileLinks } from '../web/ArtifactList';
import type { PageArchiveLinks } from '../web/PageReplay';

export interface ArchiveView {
  readonly handle: string;
  readonly contents: ArchiveContents;
}

/** The path inside the archive of a recorded file, by its SHA-256. */
export const pathOf = (view: ArchiveView, artifact: { readonly sha256: string }): string | undefined => view.contents.artifactPaths[artifact.sha256];

/** The address of an archive entry for the window (proofline-media: or /media/). */
export const entryUrl = (view: ArchiveView, path: string): string => mediaUrl.archive(view.handle, path);

/** Files of the archive, opened from it and listed by their path inside it. */
export function archiveLinks(view: ArchiveView): FileLinks {
  return {
    url: (artifact: ArtifactRef) => {
      const path = pathOf(view, artifact);
      return path === undefined ? undefined : entryUrl(view, path);
    },
    where: (artifact: ArtifactRef) => pathOf(view, artifact),
  };
}

/**
 * A captured page's WACZ replayed, and its files downloaded: the host answers `as=replay` with a
 * redirect to its replay origin (src/host/replay-server.ts) and `download=` as an attachment.
 */
export function archivePageLinks(view: ArchiveView): PageArchiveLinks {
  return {
    replay: (wacz, page) => {
      const path = pathOf(view, wacz);
      return path === undefined ? undefined : `${entryUrl(view, path)}?as=replay&page=${encodeURIComponent(page)}`;
    },
    download: (artifact) => {
      const path = pathOf(view, artifact);
      return path === undefined ? undefined : `${entryUrl(view, path)}?download=${encodeURIComponent(artifact.name)}`;
    },
  };
}

export const str = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
export const obj = (v: JsonValue | undefined): { [key: string]: JsonValue } => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
