// What the vault holds: its Object Lock default, the matters with their counts, each archive as
// the store reports it now (one HeadObject each, for its retention, legal hold and metadata; a
// few at a time) with what else its key holds (versions written over it, delete markers hiding
// it), and the fleet's device certificates.
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

/** A key's versions and delete markers, newest first as S3 lists them. */
interface KeyHistory {
  versions: string[];
  deleteMarkers: number;
  /** The newest entry is a delete marker. */
  hidden: boolean;
}

/**
 * Every archive key with its history (ListObjectVersions, not ListObjectsV2: a delete marker,
 * which Object Lock allows anyone who may write to add, hides a key from ListObjectsV2 although
 * its locked versions remain; the vault must still list it).
 */
async function archiveHistories(vault: VaultContext, matter?: string): Promise<Map<string, KeyHistory>> {
  const { ListObjectVersionsCommand } = await import('@aws-sdk/client-s3');
  const prefix = `${vault.location.prefix}${MATTERS}${matter === undefined ? '' : `${matter}/`}`;
  const histories = new Map<string, KeyHistory>();
  const entry = (key: string): KeyHistory => {
    let history = histories.get(key);
    if (!history) histories.set(key, (history = { versions: [], deleteMarkers: 0, hidden: false }));
    return history;
  };
  const wanted = (key: string | undefined): key is string => key !== undefined && !key.endsWith('/') && matterOf(vault, key) !== null;
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page = await ask(vault, { action: 'listing' }, () =>
      vault.client.send(new ListObjectVersionsCommand({ Bucket: vault.location.bucket, Prefix: prefix, KeyMarker: keyMarker, VersionIdMarker: versionMarker })),
    );
    for (const version of page.Versions ?? []) if (wanted(version.Key)) entry(version.Key).versions.push(version.VersionId ?? 'null');
    for (const marker of page.DeleteMarkers ?? []) {
      if (!wanted(marker.Key)) continue;
      const history = entry(marker.Key);
      history.deleteMarkers += 1;
      if (marker.IsLatest) history.hidden = true;
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker);
  for (const [key, history] of histories) if (history.versions.length === 0) histories.delete(key);
  return histories;
}

export async function listVault(vault: VaultContext, matter?: string): Promise<VaultListing> {
  const lock = await ask(vault, { action: 'Object Lock check' }, () => objectLockOf(vault));
  const histories = await archiveHistories(vault, matter);
  const keys = [...histories.keys()].sort();
  const archives: VaultArchive[] = new Array(keys.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < keys.length) {
      const index = next++;
      const key = keys[index]!;
      const { versions, deleteMarkers, hidden } = histories.get(key)!;
      // Hidden by a delete marker: the newest archive version under it (S3 lists newest first).
      const object = await storedObject(vault, key, hidden ? versions[0] : undefined);
      if (object) archives[index] = { ...archiveView(vault, object), history: { versions: versions.length, deleteMarkers, hidden } };
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
