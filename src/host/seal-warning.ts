import type { SealResult } from '../core/session-service.js';

/** What a seal did not get, said plainly (the CLI prints the same). */
export function sealWarning(result: SealResult, tsaCount: number, firstError: string | undefined): string | undefined {
  if (tsaCount === 0) return 'No time-stamping authority is configured: the session is signed by this device only, and nothing proves when it was recorded. Add a TSA in Settings and seal again to timestamp the seal.';
  const missing: string[] = [];
  if (result.sealCheckpointTokens === 0) missing.push('no TSA timestamped the final checkpoint before the archive was fixed, so its last events are proven only by a seal timestamp');
  if (result.sealTokens === 0) missing.push('the seal has no timestamp yet');
  if (missing.length === 0) return undefined;
  return `${missing.join('; ')} (${firstError ?? 'the TSA was not reached'}). Seal again when a TSA can be reached; a seal timestamp obtained later proves only that the archive existed by then.`;
}
