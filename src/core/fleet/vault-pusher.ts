// The worker's way to the vault (src/core/vault/vault.ts): a push that waits while the vault is
// unreachable (the archive stays in the worker's data folder meanwhile), and fails the attempt
// with the reason only after `waitMs` or on a refusal no wait will change.
import type { Proofline } from '../proofline.js';
import { asProoflineError } from '../errors.js';
import type { Settings } from '../../shared/contract.js';
import type { VaultPush } from '../../shared/views.js';
import type { FleetPush } from './worker-deps.js';

export interface VaultPusher {
  push(request: FleetPush): Promise<VaultPush>;
  /** The vault's address, for the worker's first line. */
  readonly url: string;
}

export async function openVaultPusher(pl: Proofline, settings: Settings['vault'], given: string, options: { waitMs: number; log: (line: string) => void }): Promise<VaultPusher> {
  const { openVault, pushToVault } = await import('../vault/vault.js');
  const { vaultUrlOf } = await import('../vault/vault-location.js');
  const vault = await openVault(settings, given);
  return {
    url: vaultUrlOf(vault.location),
    async push(request) {
      const until = Date.now() + options.waitMs;
      for (let attempt = 1; ; attempt++) {
        try {
          return await pushToVault(pl, vault, request);
        } catch (error) {
          const failure = asProoflineError(error);
          // Unreachable: wait and try again; a refusal (denied, no credentials, no Object Lock) is the job's failure.
          const waitable = failure.code === 'vault.unreachable' || (failure.kind === 'unavailable' && failure.code !== 'vault.denied' && failure.code !== 'vault.no-credentials');
          if (!waitable || Date.now() >= until || request.signal?.aborted) throw failure;
          const pause = Math.min(30_000, 1_000 * 2 ** Math.min(attempt, 5));
          options.log(`vault: ${failure.message.split('\n')[0]}; trying again in ${pause / 1000} s (the archive is kept here)`);
          await new Promise((resolve) => setTimeout(resolve, pause));
        }
      }
    },
  };
}
