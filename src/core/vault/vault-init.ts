// `proofline vault init`: a bucket with Object Lock and a default retention. Object Lock can only
// be enabled when a bucket is created (S3 API, CreateBucket's x-amz-bucket-object-lock-enabled;
// Ceph 16 and MinIO refuse to add it later), so a bucket made without it is refused, never used.
import { ProoflineError } from '../errors.js';
import { ask, vaultUrl, type VaultContext } from './vault-context.js';
import { s3ErrorName } from './vault-errors.js';

export interface VaultInitResult {
  readonly vault: string;
  readonly bucket: string;
  /** The bucket was made now (else it was there, with Object Lock). */
  readonly created: boolean;
  /** The bucket's default retention now, and what it was before (null: none). */
  readonly mode: 'COMPLIANCE' | 'GOVERNANCE';
  readonly days: number;
  readonly before: { readonly mode: 'COMPLIANCE' | 'GOVERNANCE'; readonly days: number } | null;
}

/**
 * The retention a push gives an archive: the days asked for (Settings, --retention-days) in the
 * mode asked for, or with 0 days the bucket's own default rule, mode included. A pushed archive
 * is never kept longer than someone chose: COMPLIANCE cannot be shortened, even by the owner.
 */
export async function retentionOf(vault: VaultContext): Promise<{ readonly days: number; readonly mode: 'COMPLIANCE' | 'GOVERNANCE' }> {
  if (vault.retentionDays > 0) return { days: vault.retentionDays, mode: vault.mode };
  const lock = await ask(vault, { action: 'Object Lock check' }, () => objectLockOf(vault));
  if (lock === null) {
    throw new ProoflineError('vault.no-object-lock', `The bucket ${vault.location.bucket} has no Object Lock, so it cannot keep archives from being deleted: it is refused as a vault. Object Lock can only be enabled when a bucket is created: make a new one with proofline vault init.`, { bucket: vault.location.bucket });
  }
  if (lock.days === null || lock.mode === null) {
    throw new ProoflineError('vault.no-retention', `The bucket ${vault.location.bucket} has no default retention and none was given: set one with proofline vault init s3://${vault.location.bucket} --retention-days N, or give --retention-days (or a retention in Settings).`, { bucket: vault.location.bucket });
  }
  return { days: lock.days, mode: lock.mode };
}

/** The bucket's Object Lock: null when the bucket has none; its default retention in days (years counted as 365). */
export async function objectLockOf(vault: VaultContext): Promise<{ mode: 'COMPLIANCE' | 'GOVERNANCE' | null; days: number | null } | null> {
  const { GetObjectLockConfigurationCommand } = await import('@aws-sdk/client-s3');
  try {
    const answer = await vault.client.send(new GetObjectLockConfigurationCommand({ Bucket: vault.location.bucket }));
    const config = answer.ObjectLockConfiguration;
    if (config?.ObjectLockEnabled !== 'Enabled') return null;
    const retention = config.Rule?.DefaultRetention;
    const days = retention?.Days ?? (retention?.Years !== undefined ? retention.Years * 365 : null);
    return { mode: (retention?.Mode as 'COMPLIANCE' | 'GOVERNANCE' | undefined) ?? null, days };
  } catch (error) {
    // S3's answer for a bucket made without Object Lock.
    if (s3ErrorName(error).name === 'ObjectLockConfigurationNotFoundError') return null;
    throw error;
  }
}

export async function initVault(vault: VaultContext, options: { retentionDays: number; mode: 'COMPLIANCE' | 'GOVERNANCE' }): Promise<VaultInitResult> {
  const { CreateBucketCommand, HeadBucketCommand, PutObjectLockConfigurationCommand } = await import('@aws-sdk/client-s3');
  const bucket = vault.location.bucket;
  const exists = await ask(vault, { action: 'bucket check' }, async () => {
    try {
      await vault.client.send(new HeadBucketCommand({ Bucket: bucket }));
      return true;
    } catch (error) {
      const { name, status } = s3ErrorName(error);
      if (name === 'NotFound' || name === 'NoSuchBucket' || status === 404) return false;
      throw error;
    }
  });
  if (!exists) {
    await ask(vault, { action: 'bucket creation' }, () => vault.client.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true })));
  }
  const before = await ask(vault, { action: 'Object Lock check' }, () => objectLockOf(vault));
  if (before === null) {
    throw new ProoflineError(
      'vault.no-object-lock',
      `The bucket ${bucket} at ${vault.endpoint} has no Object Lock, so nothing would stop an archive in it from being deleted or replaced: it is refused as a vault. Object Lock can only be enabled when a bucket is created: make a new one with proofline vault init s3://NEW-BUCKET --retention-days N.`,
      { bucket, vault: vaultUrl(vault) },
    );
  }
  const rule = { DefaultRetention: { Mode: options.mode, Days: options.retentionDays } };
  await ask(vault, { action: 'set the default retention', lockGuarded: true }, () =>
    vault.client.send(new PutObjectLockConfigurationCommand({ Bucket: bucket, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: rule } })),
  );
  return {
    vault: vaultUrl(vault),
    bucket,
    created: !exists,
    mode: options.mode,
    days: options.retentionDays,
    before: before.mode !== null && before.days !== null ? { mode: before.mode, days: before.days } : null,
  };
}
