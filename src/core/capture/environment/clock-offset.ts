import { createHash, randomBytes } from 'node:crypto';
import { parseTimestampResponse, requestTimestamp } from '../../attest/tsa-client.js';

/** How far this machine's clock is from a time-stamping authority's, measured once. */
export type ClockOffset =
  | {
      readonly checked: true;
      readonly source: 'tsa';
      readonly url: string;
      /** Local time minus the TSA's genTime at the midpoint of the round trip; positive: we are ahead. */
      readonly offsetMs: number;
      readonly roundTripMs: number;
      readonly localTime: string;
      readonly tsaTime: string;
      /** genTime usually has whole-second resolution: the offset is only good to about this much. */
      readonly resolutionMs: number;
    }
  | { readonly checked: false; readonly source: 'tsa'; readonly reason: string };

export interface ClockOffsetOptions {
  readonly timeoutMs?: number;
  readonly now?: () => Date;
}

/**
 * Asks each TSA in turn for a token over random bytes and compares its genTime with the local
 * clock. Never throws: an unreachable TSA gives `checked: false` with the reason.
 */
export async function measureClockOffset(tsaUrls: readonly string[], options: ClockOffsetOptions = {}): Promise<ClockOffset> {
  const now = options.now ?? (() => new Date());
  if (tsaUrls.length === 0) return { checked: false, source: 'tsa', reason: 'no time-stamping authority is configured' };
  const reasons: string[] = [];
  for (const url of tsaUrls) {
    try {
      const digest = createHash('sha256').update(randomBytes(32)).digest();
      const sent = now().getTime();
      const reply = await requestTimestamp(url, digest, { timeoutMs: options.timeoutMs ?? 10_000 });
      const received = now().getTime();
      const parsed = parseTimestampResponse(reply.response, url);
      if (!parsed.genTime) throw new Error('the reply carries no genTime');
      const midpoint = (sent + received) / 2;
      const millisecondsGiven = parsed.genTime.getUTCMilliseconds() !== 0;
      return {
        checked: true,
        source: 'tsa',
        url,
        offsetMs: Math.round(midpoint - parsed.genTime.getTime()),
        roundTripMs: received - sent,
        localTime: new Date(midpoint).toISOString(),
        tsaTime: parsed.genTime.toISOString(),
        resolutionMs: (millisecondsGiven ? 1 : 1000) + Math.ceil((received - sent) / 2),
      };
    } catch (error) {
      reasons.push(`${url}: ${(error as Error).message}`);
    }
  }
  return { checked: false, source: 'tsa', reason: reasons.join('; ') };
}
