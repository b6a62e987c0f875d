// RFC 3161 time-stamping client: ask a TSA over HTTP (§3.4) for a token over a SHA-256 digest.
//
// This module is the entry point of the time-stamp code; the request, response, verification
// and PEM helpers live in their own tsa-*.ts files and are re-exported here.

import { buildTimestampRequest } from './tsa-request.js';
import { PKI_STATUS, parseTimestampResponse, type ParsedTimestamp } from './tsa-response.js';
import { TsaError } from './tsa-error.js';
import { unsignedBytes } from './tsa-names.js';

export { TsaError, type TsaErrorKind } from './tsa-error.js';
export { buildTimestampRequest, type TimestampRequest } from './tsa-request.js';
export { parseTimestampResponse, tokenFromResponse, type ParsedTimestamp } from './tsa-response.js';
export {
  verifyTimestampResponse,
  type TimestampCheck,
  type TimestampCheckName,
  type TimestampVerdict,
  type VerifyTimestampOptions,
} from './tsa-verify.js';
export { certificatesFromPem, certificatesPem } from './tsa-pem.js';

export interface RequestTimestampOptions {
  /** Give up after this long (default 30 s); the caller keeps the request queued. */
  readonly timeoutMs?: number;
  /** Cancels the request; the abort reason is rethrown as is, not as a TsaError. */
  readonly signal?: AbortSignal;
}

export interface TimestampReply {
  /** The TimeStampResp DER exactly as received: what the archive stores (e.g. seal.tsr). */
  readonly response: Buffer;
  /** The nonce sent; keep it to re-check the token later. */
  readonly nonce: Buffer;
}

const DEFAULT_TIMEOUT_MS = 30_000;
// A TimeStampResp is a few KB even with a full chain; anything far larger is not one.
const MAX_REPLY_BYTES = 1 << 20;
// RFC 3161 §3.4 names application/timestamp-reply; some older TSAs still send the draft's name.
const REPLY_TYPES = new Set(['application/timestamp-reply', 'application/timestamp-response']);
const RETRIED = 'the request stays queued and will be retried';

function networkCode(error: unknown): string {
  // undici reports "fetch failed" with the socket error (ECONNREFUSED, ENOTFOUND...) as cause.
  const cause = (error as { cause?: { code?: string; errors?: { code?: string }[]; message?: string } }).cause;
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message ?? (error as Error).message;
}

/**
 * Commercial TSAs take HTTP Basic credentials, given in the URL (https://user:secret@tsa/…).
 * fetch refuses a URL with credentials, so they travel as an Authorization header instead.
 */
function splitCredentials(url: string): { target: string; authorization?: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { target: url };
  }
  if (!parsed.username && !parsed.password) return { target: url };
  const user = decodeURIComponent(parsed.username);
  const password = decodeURIComponent(parsed.password);
  parsed.username = '';
  parsed.password = '';
  return { target: parsed.toString(), authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}

async function post(url: string, body: Buffer, options: RequestTimestampOptions): Promise<Response> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  try {
    const { target, authorization } = splitCredentials(url);
    return await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query', accept: 'application/timestamp-reply', ...(authorization && { authorization }) },
      body,
      signal,
    });
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) {
      throw new TsaError('unreachable', url, `TSA ${url} did not answer within ${timeoutMs / 1000} s: ${RETRIED}.`, { cause: error });
    }
    throw new TsaError('unreachable', url, `TSA ${url} is unreachable (${networkCode(error)}): ${RETRIED}.`, { cause: error });
  }
}

async function readReply(url: string, res: Response): Promise<Buffer> {
  if (!res.ok) {
    // 5xx and 429 are the TSA's trouble and pass; other 4xx mean the URL or request is wrong.
    const transient = res.status >= 500 || res.status === 429;
    const next = transient ? RETRIED : 'check the TSA URL in the settings';
    throw new TsaError('http', url, `TSA ${url} answered HTTP ${res.status} ${res.statusText}: ${next}.`);
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (!REPLY_TYPES.has(type)) {
    throw new TsaError('malformed', url, `TSA ${url} answered with Content-Type "${type || 'none'}" instead of application/timestamp-reply: check that the URL is an RFC 3161 time-stamp endpoint.`);
  }
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > MAX_REPLY_BYTES) {
    throw new TsaError('malformed', url, `TSA ${url} sent a ${declared}-byte reply; a time-stamp reply is a few KB, so this is not one.`);
  }
  try {
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > MAX_REPLY_BYTES) throw new TsaError('malformed', url, `TSA ${url} sent a ${body.length}-byte reply; a time-stamp reply is a few KB, so this is not one.`);
    return body;
  } catch (error) {
    if (error instanceof TsaError) throw error;
    throw new TsaError('unreachable', url, `TSA ${url} dropped the connection mid-reply (${networkCode(error)}): ${RETRIED}.`, { cause: error });
  }
}

/** RFC 3161 §2.4.2: the requester MUST check the token answers its own request. */
function checkAnswersRequest(url: string, parsed: ParsedTimestamp, digest: Uint8Array, nonce: Buffer): void {
  if (parsed.status > 1 || !parsed.token) {
    const status = PKI_STATUS[parsed.status] ?? `status ${parsed.status}`;
    throw new TsaError('rejected', url, `TSA ${url} refused the time-stamp (${status}${parsed.statusText ? `: ${parsed.statusText}` : ''}): check the TSA settings (policy, hash algorithm) or use another TSA.`);
  }
  if (parsed.imprintAlgorithm !== 'sha256' || !parsed.imprint?.equals(Buffer.from(digest))) {
    throw new TsaError('mismatch', url, `TSA ${url} time-stamped ${parsed.imprintAlgorithm}:${parsed.imprint?.toString('hex')} instead of the sha256 digest sent: the reply was discarded; the request stays queued.`);
  }
  if (!parsed.nonce?.equals(unsignedBytes(nonce))) {
    throw new TsaError('mismatch', url, `TSA ${url} answered with a different nonce than the one sent (a stale or replayed reply): the reply was discarded; the request stays queued.`);
  }
}

/**
 * POST a TimeStampReq over `digest` to `url` and return the TSA's reply, checked to be a granted
 * token for this digest and nonce. The signature and chain are not judged here: the caller keeps
 * the reply and verifyTimestampResponse() decides trust with the configured roots.
 */
export async function requestTimestamp(url: string, digest: Uint8Array, options: RequestTimestampOptions = {}): Promise<TimestampReply> {
  const request = buildTimestampRequest(digest);
  const res = await post(url, request.der, options);
  const response = await readReply(url, res);
  const parsed = parseTimestampResponse(response, url);
  checkAnswersRequest(url, parsed, digest, request.nonce);
  return { response, nonce: request.nonce };
}
