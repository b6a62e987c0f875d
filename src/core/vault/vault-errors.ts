// What the S3 store said, as the vault.* codes a person can act on (src/shared/errors.ts). The
// messages name the vault, bucket or key and what to do; they never carry a credential (the
// SDK's own messages name no secret, and the access key id is never quoted back).
import { ProoflineError } from '../errors.js';

export interface VaultErrorContext {
  /** s3://BUCKET[/PREFIX] or s3://BUCKET/KEY: what was being done to. */
  readonly vault: string;
  readonly endpoint: string;
  readonly bucket: string;
  readonly key?: string;
  /** What was asked, in words: "upload", "list", "delete a version"… */
  readonly action: string;
  /** An AccessDenied here is Object Lock refusing (a delete, a shortened retention), not bad credentials. */
  readonly lockGuarded?: boolean;
}

interface SdkError {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly Code?: string;
  readonly $metadata?: { readonly httpStatusCode?: number };
  readonly cause?: unknown;
  readonly errors?: readonly unknown[];
}

const CONNECTION = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EPIPE)$/;

/** The network error code under an SDK error (Node nests them: cause, AggregateError.errors). */
function networkCode(error: unknown, depth = 0): string | undefined {
  if (depth > 4 || typeof error !== 'object' || error === null) return undefined;
  const e = error as SdkError;
  if (e.code && CONNECTION.test(e.code)) return e.code;
  if (e.name === 'TimeoutError' || e.name === 'RequestTimeout') return 'ETIMEDOUT';
  for (const inner of [e.cause, ...(e.errors ?? [])]) {
    const found = networkCode(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** The store's error name ('NoSuchKey', 'AccessDenied', …) and HTTP status. */
export function s3ErrorName(error: unknown): { name: string; status: number | undefined } {
  const e = (error ?? {}) as SdkError;
  return { name: e.Code ?? e.name ?? '', status: e.$metadata?.httpStatusCode };
}

/** A not-found answer of HeadObject (no body: name 'NotFound') or GetObject ('NoSuchKey'). */
export function isMissingObject(error: unknown): boolean {
  const { name, status } = s3ErrorName(error);
  return name === 'NoSuchKey' || name === 'NotFound' || (status === 404 && name !== 'NoSuchBucket');
}

/** A store's message with any credential of the environment taken out (some echo the access key id). */
export function scrub(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) {
    const value = env[name];
    if (value && value.length >= 4) out = out.split(value).join('[credential]');
  }
  return out;
}

export function vaultError(error: unknown, context: VaultErrorContext): ProoflineError {
  if (error instanceof ProoflineError) return error;
  const { name, status } = s3ErrorName(error);
  const where = { vault: context.vault, bucket: context.bucket, endpoint: context.endpoint };
  const first = scrub(((error as SdkError | undefined)?.message ?? String(error)).split('\n')[0]!);
  if (name === 'AbortError') return new ProoflineError('operation.cancelled', `The ${context.action} at ${context.vault} was cancelled: nothing was recorded.`, where, { cause: error });
  if (name === 'CredentialsProviderError' || /Could not load credentials|credential/i.test(name)) {
    return new ProoflineError('vault.no-credentials', `No credentials for the team vault ${context.vault}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile of ~/.aws (Settings' vault profile or AWS_PROFILE).`, where, { cause: error });
  }
  const network = networkCode(error);
  if (network) {
    const reason = `${network} at ${context.endpoint}`;
    return new ProoflineError('vault.unreachable', `The team vault ${context.vault} cannot be reached (${reason}) during the ${context.action}: check the endpoint (Settings' vault endpoint or AWS_ENDPOINT_URL_S3) and the network; nothing here was changed, try again later.`, { ...where, reason }, { cause: error });
  }
  if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || name === 'InvalidToken' || name === 'ExpiredToken') {
    const reason = name === 'InvalidAccessKeyId' ? 'the access key is not known to the store' : name === 'SignatureDoesNotMatch' ? 'the secret key does not match the access key' : 'the session token is not valid';
    return new ProoflineError('vault.denied', `The team vault ${context.vault} refused the credentials (${name}: ${reason}): check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the profile.`, { ...where, reason }, { cause: error });
  }
  if (name === 'NoSuchBucket') {
    return new ProoflineError('vault.bucket-missing', `The bucket ${context.bucket} does not exist at ${context.endpoint}: create it with proofline vault init s3://${context.bucket} --retention-days N.`, where, { cause: error });
  }
  if (context.key !== undefined && (name === 'NoSuchKey' || name === 'NoSuchVersion' || name === 'NotFound' || status === 404)) {
    return new ProoflineError('vault.not-found', `s3://${context.bucket}/${context.key} is not in the vault: list the vault (proofline vault list) for the archives it holds.`, { ...where, key: context.key }, { cause: error });
  }
  if (name === 'AccessDenied' || status === 403) {
    if (context.lockGuarded) {
      const reason = `${context.action} on ${context.key ? `s3://${context.bucket}/${context.key}` : context.bucket}: ${name || `HTTP ${status}`}`;
      return new ProoflineError('vault.refused', `The team vault refused to ${reason}. Object Lock lets a retention be extended, never shortened or removed (COMPLIANCE: by no one; GOVERNANCE: only with the bypass permission); a legal hold needs s3:PutObjectLegalHold. Ask whoever runs the store.`, { ...where, reason, ...(context.key && { key: context.key }) }, { cause: error });
    }
    const reason = `${name || 'HTTP 403'} on the ${context.action}`;
    return new ProoflineError('vault.denied', `The team vault ${context.vault} denied the ${context.action} (${name || 'HTTP 403'}): these credentials lack the permission; ask whoever runs the store.`, { ...where, reason }, { cause: error });
  }
  const reason = `${name || 'error'}${status ? ` (HTTP ${status})` : ''}: ${first}`;
  return new ProoflineError('vault.failed', `The ${context.action} at the team vault ${context.vault} failed: ${reason}.`, { ...where, reason }, { cause: error });
}
