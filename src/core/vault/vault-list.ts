// What the vault holds: its Object Lock default, the matters with their counts, each archive as
// the store reports it now (one HeadObject each, for its retention, legal hold and metadata; a
// few at a time), and the fleet's device certificates.
import type { VaultArchive, VaultListing } from '../../shared/views.js';
import { MATTERS, ask, vaultUrl, type VaultContext } from './vault-context.js';
import { listDevices } from './vault-devices.js';
import { objectLockOf } from './vault-init.js';
import { archiveView, matterOf, storedObject } from './vault-objects.js';
import { ProoflineError } from '../errors.js';

const HEADS_AT_ONCE = 8;

export async function describeArchive(vault: VaultContext, key: string): Promise<VaultArchive> {
  const object = await storedObject(vault, key);
  if (object === null) {
    throw new ProoflineError('vault.not-found', `s3://${vault.location.bucket}/${key} is not in the vault: list the vault (proofline vault list) for the archives it holds.`, { key, vault: vaultUrl(vault), bucket: vault.location.bucket });
  }
  return archiveView(vault, object);
}

async function archiveKeys(vault: VaultContext, matter?: string): Promise<string[]> {
  const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
  const prefix = `${vault.location.prefix}${MATTERS}${matter === undefined ? '' : `${matter}/`}`;
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await ask(vault, { action: 'listing' }, () => vault.client.send(new ListObjectsV2Command({ Bucket: vault.location.bucket, Prefix: prefix, ContinuationToken: token })));
    for (const object of page.Contents ?? []) if (object.Key && !object.Key.endsWith('/') && matterOf(vault, object.Key) !== null) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

export async function listVault(vault: VaultContext, matter?: string): Promise<VaultListing> {
  const lock = await ask(vault, { action: 'Object Lock check' }, () => objectLockOf(vault));
  const keys = await archiveKeys(vault, matter);
  const archives: VaultArchive[] = new Array(keys.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const index = next++;
      const object = await storedObject(vault, keys[index]!);
      if (object) archives[index] = archiveView(vault, object);
    }
  };
  await Promise.all(Array.from({ length: Math.min(HEADS_AT_ONCE, keys.length) }, worker));
  const present = archives.filter((a): a is VaultArchive => a !== undefined);
  const counts = new Map<string, number>();
  for (const archive of present) counts.set(archive.matter, (counts.get(archive.matter) ?? 0) + 1);
  return {
    vault: vaultUrl(vault),
    objectLock: { enabled: lock !== null, mode: lock?.mode ?? null, days: lock?.days ?? null },
    matters: [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([name, archives]) => ({ name, archives })),
    archives: present,
    devices: await listDevices(vault),
  };
}
