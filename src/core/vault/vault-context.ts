// The vault's context (vault.ts re-exports it): where the vault is, the client, and one way to
// ask the store. The team vault (docs/FLEET.md) is an S3 bucket with Object Lock where sealed
// archives are kept so that no one, the account owner included, can delete them or shorten
// their retention.
//
// Layout in the bucket (PREFIX is the vault URL's path, '' or ending in '/'):
//   PREFIX/matters/<matter>/<session id>/<archive file name>   one archive per object, Object Lock'd;
//       metadata (x-amz-meta-*): session, title (percent-encoded UTF-8), sha256, outcome
//       (sealed|interrupted), device (key id), job-submission / job-url / job-attempt when a
//       fleet worker pushed it. Never a credential.
//   PREFIX/devices/<device key id>.pem   each capturing machine's device certificate, locked too.
// The session id in the key keeps two machines' archives of the same file name apart.
import type { S3Client } from '@aws-sdk/client-s3';
import type { Settings } from '../../shared/contract.js';
import { ProoflineError } from '../errors.js';
import { addContentMd5 } from './content-md5.js';
import { createS3Client, endpointOf } from './s3-client.js';
import { isS3Url, parseObjectUrl, resolveVault, vaultUrlOf, type VaultLocation } from './vault-location.js';
import { vaultError, type VaultErrorContext } from './vault-errors.js';

export interface VaultContext {
  readonly client: S3Client;
  readonly location: VaultLocation;
  /** Days each pushed archive is kept; 0: the bucket's default retention (retentionOf, vault-init.ts). */
  readonly retentionDays: number;
  readonly mode: 'COMPLIANCE' | 'GOVERNANCE';
  /** For messages, never credentials. */
  readonly endpoint: string;
}

/** given: --vault / the operation's `vault`; else $PROOFLINE_VAULT; else Settings' vault.url. Checks nothing over the network. */
export async function openVault(settings: Settings['vault'], given?: string, env: NodeJS.ProcessEnv = process.env): Promise<VaultContext> {
  const location = resolveVault(given, settings.url, env);
  const options = { endpoint: settings.endpoint, region: settings.region, profile: settings.profile };
  return {
    client: addContentMd5(await createS3Client(options, env)),
    location,
    retentionDays: settings.retentionDays,
    mode: settings.mode,
    endpoint: endpointOf(options, env),
  };
}

export const MATTERS = 'matters/';
export const DEVICES = 'devices/';

export function vaultUrl(vault: VaultContext): string {
  return vaultUrlOf(vault.location);
}

/** The key of an archive named by its key in the bucket or by s3://BUCKET/KEY (which must be this vault's bucket). */
export function keyOf(vault: VaultContext, given: string): string {
  if (!isS3Url(given)) return given.replace(/^\/+/, '');
  const object = parseObjectUrl(given);
  if (object.bucket !== vault.location.bucket) {
    throw new ProoflineError('input.invalid', `${given} is in bucket ${object.bucket}, not in the vault's bucket ${vault.location.bucket}: give --vault s3://${object.bucket}.`, { key: given });
  }
  return object.key;
}

/** A vault for s3://BUCKET/KEY on its own (pull, hold, verify of an address): the bucket from the address. */
export function vaultForObject(vault: VaultContext, url: string): { vault: VaultContext; key: string } {
  const object = parseObjectUrl(url);
  const here = object.bucket === vault.location.bucket ? vault : { ...vault, location: { bucket: object.bucket, prefix: '' } };
  return { vault: here, key: object.key };
}

/** Runs one request, its failure said as a vault.* error naming the vault, bucket and key. */
export async function ask<T>(vault: VaultContext, context: Pick<VaultErrorContext, 'action' | 'key' | 'lockGuarded'>, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw vaultError(error, { ...context, vault: context.key ? `s3://${vault.location.bucket}/${context.key}` : vaultUrl(vault), bucket: vault.location.bucket, endpoint: vault.endpoint });
  }
}

