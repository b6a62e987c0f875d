// "Test TSA": ask a time-stamping authority for a real RFC 3161 token over a random digest and
// judge it as the verifier would (signature, chain to the configured roots), so a person knows
// before recording whether their times will be proven. Nothing is stored: the digest is of no
// event, and the token is dropped once judged.

import { randomBytes } from 'node:crypto';
import type { TsaTestResult } from '../../shared/views.js';
import { requestTimestamp, TsaError, verifyTimestampResponse } from './tsa-client.js';
import { publicTsaUrl, withoutCredentials } from './tsa-names.js';

export interface TestTsaOptions {
  /** The configured trusted roots, DER (readTrustedRoots); empty: no token can be trusted. */
  readonly trustedRoots: readonly Uint8Array[];
  readonly signal?: AbortSignal;
  /** Give up on a TSA after this long (default 15 s: a person is waiting on the button). */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** One TSA, asked once; never throws for the TSA's failure, which comes back as `ok: false`. */
export async function testTsa(url: string, options: TestTsaOptions): Promise<TsaTestResult> {
  const shown = publicTsaUrl(url);
  const digest = randomBytes(32);
  const started = Date.now();
  try {
    const reply = await requestTimestamp(url, digest, { timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS, ...(options.signal && { signal: options.signal }) });
    const verdict = await verifyTimestampResponse(reply.response, { digest, nonce: reply.nonce, trustedRoots: options.trustedRoots });
    const elapsedMs = Date.now() - started;
    if (verdict.status === 'invalid') {
      const failed = verdict.checks.find((c) => !c.ok);
      const message = `TSA ${shown} sent a token that fails its own checks (${failed?.name ?? 'status'}: ${failed?.detail ?? 'unknown'}): use another TSA.`;
      return { url: shown, ok: false, elapsedMs, error: { reason: 'unusable', message } };
    }
    const chain = verdict.checks.find((c) => c.name === 'chain');
    return {
      url: shown,
      ok: true,
      elapsedMs,
      ...(verdict.genTime && { genTime: verdict.genTime.toISOString() }),
      ...(verdict.accuracyMs !== undefined && { accuracyMs: verdict.accuracyMs }),
      ...(verdict.tsaName && { tsaName: verdict.tsaName }),
      ...(verdict.signer && { signer: verdict.signer }),
      ...(verdict.algorithm && { algorithm: verdict.algorithm }),
      ...(verdict.policy && { policy: verdict.policy }),
      trusted: verdict.status === 'verified',
      ...(chain && !chain.ok && { trustProblem: { cause: chain.cause ?? 'path', detail: chain.detail } }),
    };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    if (!(error instanceof TsaError)) throw error;
    // The client's words are for the queue ("stays queued and will be retried"); a test queues
    // nothing, so the reason travels as a value and the window says it in its own words.
    const message = withoutCredentials(error.message, url).replace(/[:;] (the request stays queued and will be retried|the reply was discarded; the request stays queued)\.$/, '.');
    return { url: shown, ok: false, elapsedMs: Date.now() - started, error: { reason: error.reason, message } };
  }
}

/** Every URL at once: one slow TSA does not hold up the others' answers. */
export async function testTsas(urls: readonly string[], options: TestTsaOptions): Promise<TsaTestResult[]> {
  return Promise.all(urls.map((url) => testTsa(url, options)));
}
