// The team vault's operations (contract.ts, `vault.*`; docs/FLEET.md), for every host.
import type { OperationHandlers } from '../shared/contract.js';
import type { HostDeps } from './operations.js';
import { OperationFailure } from './operation-failure.js';

type VaultHandlers = Pick<OperationHandlers, 'vault.push' | 'vault.pushes' | 'vault.list' | 'vault.verify' | 'vault.open' | 'vault.hold'>;

/** What the vault's handlers need of the host beyond its deps: the viewer's open archives. */
export interface VaultHostParts {
  /** The file behind an `archive.open` handle (throws archive.closed). */
  archiveOf(handle: string): string;
  /** Registers a file as an opened archive, as `archive.open` does. */
  openArchive(path: string): Promise<import('../shared/views.js').ArchiveHandle>;
}

export function vaultHandlers(_deps: HostDeps, _parts: VaultHostParts): VaultHandlers {
  const notYet = (): never => {
    throw new OperationFailure('vault.failed', 'The team vault is not built yet.', { reason: 'not built yet' });
  };
  return {
    'vault.push': async () => notYet(),
    'vault.pushes': async () => notYet(),
    'vault.list': async () => notYet(),
    'vault.verify': async () => notYet(),
    'vault.open': async () => notYet(),
    'vault.hold': async () => notYet(),
  };
}
