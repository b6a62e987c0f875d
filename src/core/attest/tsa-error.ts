import { ProoflineError } from '../errors.js';

// Every failure of the time-stamp path is one of these, so callers can decide by `reason`
// (queue and retry, tell the user to fix a URL, or mark a token as unusable) without
// parsing messages, and the message itself tells a person what happened and what happens next.

export type TsaErrorKind =
  /** No HTTP answer at all: refused, reset, DNS, timeout. Transient: retry later. */
  | 'unreachable'
  /** An HTTP answer that is not 200 application/timestamp-reply (RFC 3161 §3.4). */
  | 'http'
  /** A well-formed TimeStampResp whose PKIStatus is not granted (RFC 3161 §2.4.2). */
  | 'rejected'
  /** Bytes that are not a DER TimeStampResp / TimeStampToken. */
  | 'malformed'
  /** A granted token that answers a different request (imprint or nonce, RFC 3161 §2.4.2). */
  | 'mismatch'
  /** A granted token over our request that fails its own checks (signature, signer certificate). */
  | 'unusable';

export class TsaError extends ProoflineError {
  override readonly name = 'TsaError';

  constructor(
    readonly reason: TsaErrorKind,
    /** The TSA URL, or where the bytes came from (e.g. an archive path); undefined if unknown. */
    readonly url: string | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`tsa.${reason}`, message, { url: url ?? '' }, options);
  }
}
