// A legal hold on an archive (S3 API, PutObjectLegalHold): while on, the store refuses to delete
// the version whatever its retention; it has no end date and is lifted only by someone allowed
// to (s3:PutObjectLegalHold). A matter under litigation keeps its archives past their retention.
import type { VaultArchive } from '../../shared/views.js';
import { ask, type VaultContext } from './vault-context.js';
import { describeArchive } from './vault-list.js';

export async function setLegalHold(vault: VaultContext, key: string, on: boolean): Promise<VaultArchive> {
  // Not found is said as vault.not-found, before the store is asked to hold nothing.
  await describeArchive(vault, key);
  const { PutObjectLegalHoldCommand } = await import('@aws-sdk/client-s3');
  await ask(vault, { action: `set the legal hold ${on ? 'on' : 'off'}`, key, lockGuarded: true }, () =>
    vault.client.send(new PutObjectLegalHoldCommand({ Bucket: vault.location.bucket, Key: key, LegalHold: { Status: on ? 'ON' : 'OFF' } })),
  );
  return describeArchive(vault, key);
}
