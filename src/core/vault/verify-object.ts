// `proofline verify s3://BUCKET/KEY` and the vault.verify operation: the verifier of a file
// (verify-archive.ts), over the object read in place with ranged GETs (s3-byte-source.ts). Nothing
// is downloaded whole or written to disk; the report names the object as s3://BUCKET/KEY.
import { verifyArchive, type VerifyOptions } from '../archive/verify-archive.js';
import { unusable, type VerifyReport } from '../archive/verify-report.js';
import { throwIfCancelled } from '../errors.js';
import { openS3Source } from './s3-byte-source.js';
import type { VaultContext } from './vault-context.js';

/**
 * Verifies the archive at `key` in the vault's bucket. A key that is not there is an unusable
 * input (exit 2), as a missing file is; a store that cannot be reached or refuses the credentials
 * throws its vault.* error (there is no verdict), and so does an object replaced while it is read.
 */
export async function verifyVaultObject(vault: Pick<VaultContext, 'client' | 'location' | 'endpoint'>, key: string, options: VerifyOptions = {}): Promise<VerifyReport> {
  const url = `s3://${vault.location.bucket}/${key}`;
  throwIfCancelled(options.signal, `Verifying ${url} was cancelled before it began: there is no verdict.`, { path: url });
  let source;
  try {
    source = await openS3Source({ client: vault.client, bucket: vault.location.bucket, key, endpoint: vault.endpoint }, options.signal);
  } catch (error) {
    if ((error as { code?: string }).code === 'vault.not-found') return unusable(url, `cannot read ${url}: ${(error as Error).message}`);
    throw error;
  }
  try {
    return await verifyArchive(source, options);
  } finally {
    await source.close();
  }
}
