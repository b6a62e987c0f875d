// Hands an archive the vault brought down (`vault.open`) to the archive viewer: the vault screen
// leaves it here and goes to #/archive; the viewer takes it once when it mounts and opens it as it
// opens any file, verifying it on this computer. Kept in memory only: a reload shows the viewer
// empty rather than reopening a file nobody asked for again.
import type { ArchiveHandle } from '../../../shared/views';
import { navigate } from '../router';

let pending: { readonly path: string; readonly name: string } | null = null;

export function openInViewer(handle: ArchiveHandle, name: string): void {
  pending = { path: handle.path, name };
  navigate({ screen: 'archive' });
}

/** The archive waiting to be opened, once. */
export function takePendingArchive(): { readonly path: string; readonly name: string } | null {
  const taken = pending;
  pending = null;
  return taken;
}
