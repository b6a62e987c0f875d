import { requestTimestamp } from '../../attest/tsa-client.js';
import { parseTimestampResponse } from '../../attest/tsa-response.js';
import { publicTsaUrl } from '../../attest/tsa-names.js';

/**
 * What datapackage-digest.json keeps beside `signedData` (a top-level member: the spec's
 * signedData may hold nothing it does not list, and ReplayWeb.page reads only path, hash and
 * signedData): an RFC 3161 TimeStampResp over SHA-256 of the decoded signature.
 */
export interface WaczSignatureTimestamp {
  readonly tsa: string;
  /** "sha256:" + hex of what the token's messageImprint must be (signatureImprint). */
  readonly imprint: string;
  /** Base64 DER TimeStampResp, exactly as the TSA sent it. */
  readonly response: string;
}

export type WaczTimestampOutcome =
  | { readonly ok: true; readonly timestamp: WaczSignatureTimestamp; readonly genTime: string | null }
  | { readonly ok: false; readonly reason: string };

/**
 * How long a capture waits for a TSA's answer about its WACZ, beyond the time the WACZ takes to
 * write (the request is sent before the WARC is zipped, so a TSA on the network costs nothing
 * extra). The checkpoints anchor the WACZ anyway within the anchoring interval; this token is
 * only what lets the WACZ show its time on its own, so it never holds a capture up for long.
 */
export const WACZ_TSA_WAIT_MS = 3_000;

/**
 * Asks every TSA at once and keeps the first token that answers for this digest; never rejects.
 * No TSA configured, none answering in time, or every one refusing: an outcome saying so, which
 * the capture records in its event.
 */
export async function timestampWaczSignature(tsaUrls: readonly string[], imprint: Buffer, waitMs = WACZ_TSA_WAIT_MS): Promise<WaczTimestampOutcome> {
  if (tsaUrls.length === 0) return { ok: false, reason: 'no TSA is configured' };
  const attempts = tsaUrls.map(async (url) => {
    const reply = await requestTimestamp(url, imprint, { timeoutMs: waitMs });
    const genTime = parseTimestampResponse(reply.response, url).genTime;
    return {
      ok: true as const,
      timestamp: { tsa: publicTsaUrl(url), imprint: `sha256:${imprint.toString('hex')}`, response: reply.response.toString('base64') },
      genTime: genTime ? genTime.toISOString() : null,
    };
  });
  try {
    return await Promise.any(attempts);
  } catch (error) {
    const reasons = error instanceof AggregateError ? error.errors.map((e: unknown) => (e as Error).message) : [(error as Error).message];
    return { ok: false, reason: reasons.join('; ') };
  }
}
