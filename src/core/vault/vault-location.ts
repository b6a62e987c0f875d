// Where the team vault is (docs/FLEET.md): s3://BUCKET[/PREFIX], from the CLI's --vault,
// $PROOFLINE_VAULT or Settings, in that order. An archive in it is s3://BUCKET/KEY.
import { ProoflineError } from '../errors.js';

export interface VaultLocation {
  readonly bucket: string;
  /** '' or a prefix ending in '/'. */
  readonly prefix: string;
}

export interface ObjectLocation {
  readonly bucket: string;
  readonly key: string;
}

/** S3's bucket naming rules (3–63 characters, lower case, digits, dots, dashes). */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function isS3Url(text: string): boolean {
  return /^s3:\/\//i.test(text);
}

/** s3://BUCKET[/PREFIX] → bucket and prefix ('' or ending in '/'). */
export function parseVaultUrl(url: string): VaultLocation {
  const { bucket, rest } = split(url);
  const prefix = rest.replace(/^\/+|\/+$/g, '');
  return { bucket, prefix: prefix === '' ? '' : `${prefix}/` };
}

/** s3://BUCKET/KEY → bucket and key (the key must be there). */
export function parseObjectUrl(url: string): ObjectLocation {
  const { bucket, rest } = split(url);
  const key = rest.replace(/^\/+/, '');
  if (key === '' || key.endsWith('/')) {
    throw new ProoflineError('input.invalid', `${url} names a bucket or a folder, not an archive: give s3://BUCKET/KEY.`);
  }
  return { bucket, key };
}

export function vaultUrlOf(location: VaultLocation): string {
  return `s3://${location.bucket}/${location.prefix}`.replace(/\/$/, '');
}

export function objectUrlOf(location: ObjectLocation): string {
  return `s3://${location.bucket}/${location.key}`;
}

/** The vault to use: the one given, else $PROOFLINE_VAULT, else Settings'; vault.not-configured if none. */
export function resolveVault(given: string | undefined, settingsUrl: string, env: NodeJS.ProcessEnv = process.env): VaultLocation {
  const url = given || env.PROOFLINE_VAULT || settingsUrl;
  if (!url) {
    throw new ProoflineError('vault.not-configured', 'No team vault is set: give --vault s3://BUCKET[/PREFIX], set PROOFLINE_VAULT, or set one in Settings.');
  }
  return parseVaultUrl(url);
}

function split(url: string): { bucket: string; rest: string } {
  const match = /^s3:\/\/([^/]+)(\/.*)?$/i.exec(url.trim());
  if (!match || !BUCKET.test(match[1]!)) {
    throw new ProoflineError('input.invalid', `${url} is not an s3://BUCKET[/PREFIX] address (bucket names are 3–63 lower-case letters, digits, dots and dashes).`);
  }
  return { bucket: match[1]!, rest: match[2] ?? '' };
}
