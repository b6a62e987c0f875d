// One archive object of the vault: its key, and what the store says of it now (HeadObject:
// version, size, Object Lock mode and retain-until date, legal hold, and the metadata the push
// wrote, vault-context.ts's layout).
import type { VaultArchive } from '../../shared/views.js';
import { DEVICES, MATTERS, ask, type VaultContext } from './vault-context.js';
import { isMissingObject } from './vault-errors.js';

export interface StoredObject {
  readonly key: string;
  readonly versionId: string | null;
  readonly bytes: number;
  readonly lastModified: string | null;
  readonly sha256: string | null;
  readonly mode: 'COMPLIANCE' | 'GOVERNANCE' | null;
  readonly retainUntil: string | null;
  readonly legalHold: boolean;
  readonly metadata: Readonly<Record<string, string>>;
}

export function archiveKey(vault: VaultContext, matter: string, folder: string, name: string): string {
  return `${vault.location.prefix}${MATTERS}${matter}/${folder}/${name}`;
}

export function deviceKey(vault: VaultContext, keyId: string): string {
  return `${vault.location.prefix}${DEVICES}${keyId}.pem`;
}

/** The matter of an archive's key (PREFIX/matters/<matter>/…), or null for a key outside the layout. */
export function matterOf(vault: VaultContext, key: string): string | null {
  const rest = key.startsWith(`${vault.location.prefix}${MATTERS}`) ? key.slice(vault.location.prefix.length + MATTERS.length) : null;
  const slash = rest?.indexOf('/') ?? -1;
  return rest && slash > 0 ? rest.slice(0, slash) : null;
}

export function retainUntilOf(days: number, now: Date = new Date()): Date {
  return new Date(now.getTime() + days * 86_400_000);
}

/** HeadObject of the key's current version (or of `versionId`); null when there is none. */
export async function storedObject(vault: VaultContext, key: string, versionId?: string): Promise<StoredObject | null> {
  const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
  return ask(vault, { action: 'look-up', key }, async () => {
    try {
      const head = await vault.client.send(new HeadObjectCommand({ Bucket: vault.location.bucket, Key: key, ...(versionId && { VersionId: versionId }) }));
      const metadata = head.Metadata ?? {};
      return {
        key,
        versionId: head.VersionId ?? null,
        bytes: head.ContentLength ?? 0,
        lastModified: head.LastModified?.toISOString() ?? null,
        sha256: metadata['sha256'] ?? null,
        mode: (head.ObjectLockMode as StoredObject['mode'] | undefined) ?? null,
        retainUntil: head.ObjectLockRetainUntilDate?.toISOString() ?? null,
        legalHold: head.ObjectLockLegalHoldStatus === 'ON',
        metadata,
      };
    } catch (error) {
      if (isMissingObject(error)) return null;
      throw error;
    }
  });
}

function decoded(value: string | undefined): string | null {
  if (value === undefined) return null;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** The listing's view of an archive object. */
export function archiveView(vault: VaultContext, object: StoredObject): VaultArchive {
  const m = object.metadata;
  const outcome = m['outcome'] === 'sealed' || m['outcome'] === 'interrupted' ? m['outcome'] : null;
  const attempt = Number(m['job-attempt']);
  return {
    url: `s3://${vault.location.bucket}/${object.key}`,
    key: object.key,
    matter: matterOf(vault, object.key) ?? '',
    sessionId: m['session'] ?? null,
    title: decoded(m['title']),
    bytes: object.bytes,
    lastModified: object.lastModified,
    versionId: object.versionId,
    archiveSha256: object.sha256,
    mode: object.mode,
    retainUntil: object.retainUntil,
    legalHold: object.legalHold,
    outcome,
    device: m['device'] ?? null,
    job: m['job-submission'] && m['job-url'] && Number.isInteger(attempt) ? { submission: m['job-submission'], url: decoded(m['job-url'])!, attempt } : null,
  };
}
