// The RFC 3161 time-stamp on a C2PA claim signature (C2PA 2.1 §14.5.2, `sigTst2`): asked of every
// configured TSA at once, the first token wins. A TSA that is down, slow or refuses never stops a
// publication: the outcome says why there is no token, and the image is published without one.
import { createHash } from 'node:crypto';
import { requestTimestamp } from '../attest/tsa-client.js';
import { publicTsaUrl } from '../attest/tsa-names.js';
import { parseTimestampResponse, tokenFromResponse } from '../attest/tsa-response.js';

/** How long publishing waits for a TSA: the image is published without a token after this. */
export const C2PA_TSA_WAIT_MS = 10_000;

export type C2paTimeStamp =
  | { readonly ok: true; readonly tsa: string; readonly genTime: string; readonly token: Buffer }
  | { readonly ok: false; readonly reason: string };

export async function timeStampC2paSignature(tsaUrls: readonly string[], covered: Buffer, waitMs = C2PA_TSA_WAIT_MS): Promise<C2paTimeStamp> {
  if (tsaUrls.length === 0) return { ok: false, reason: 'no TSA is configured' };
  const digest = createHash('sha256').update(covered).digest();
  const attempts = tsaUrls.map(async (url) => {
    const reply = await requestTimestamp(url, digest, { timeoutMs: waitMs });
    const token = tokenFromResponse(reply.response, url);
    const genTime = parseTimestampResponse(reply.response, url).genTime;
    if (!genTime) throw new Error(`TSA ${publicTsaUrl(url)} sent a token without a time`);
    return { ok: true as const, tsa: publicTsaUrl(url), genTime: genTime.toISOString(), token };
  });
  try {
    return await Promise.any(attempts);
  } catch (error) {
    const reasons = error instanceof AggregateError ? error.errors.map((e: unknown) => (e as Error).message) : [(error as Error).message];
    return { ok: false, reason: reasons.join('; ') };
  }
}
