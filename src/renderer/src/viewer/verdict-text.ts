// What the verdict may say, read off the checks the verifier actually reported, so that no
// sentence under it contradicts a check beside it (issue 12: "the seal time rests on the device's
// clock" was shown beside a passed seal timestamp check). Pure: the banner and the facts panel
// both ask here, and the words are the locale's (archive.meaning.*).
import type { TokenReasonKind } from '../../../shared/anchoring';
import type { VerifyReport } from '../../../shared/views';

/**
 * How the time of the seal stands: proven by a trusted TSA within the seal window; a token from
 * an authority not trusted here; no token at all; a token made only later; a token that does not
 * fit the archive; or no seal check in the report.
 */
export type SealTime = 'proven' | 'untrusted' | 'missing' | 'late' | 'failed' | 'unknown';

const isSealToken = (path: string): boolean => /(?:^|\/)seal(?:-\d+)?\.tsr$/.test(path);

export function sealTimeOf(report: VerifyReport): SealTime {
  const check = report.checks.find((c) => c.id === 'seal.timestamp');
  if (!check || check.status === 'skip') return 'unknown';
  if (check.status === 'pass') return 'proven';
  if (check.status === 'fail') return 'failed';
  const tokens = (report.anchoring?.tokens ?? []).filter((token) => isSealToken(token.path));
  if (tokens.some((token) => !token.trusted)) return 'untrusted';
  if (tokens.length === 0 && !report.anchoring) return /no seal token/.test(check.detail) ? 'missing' : 'untrusted';
  return tokens.length === 0 ? 'missing' : 'late';
}

/** Why the tokens are not counted here, the first reason a person can act on. */
export function untrustedReason(report: VerifyReport): TokenReasonKind | undefined {
  return (report.anchoring?.tokens ?? []).find((token) => !token.trusted && token.reasonKind)?.reasonKind;
}

/** The TSA named in the seal's token that proves the seal time, when one does. */
export function sealTsa(report: VerifyReport): string | null {
  return (report.anchoring?.tokens ?? []).find((token) => isSealToken(token.path) && token.trusted)?.tsa ?? null;
}

/**
 * The locale keys of the verdict's sentences, in order: what was found, how the seal time
 * stands, how the events' times stand, and what to do. Nothing of a tampered or unreadable
 * archive is relied on, so those say only what failed and what to do.
 */
export function verdictSentences(report: VerifyReport, verdict: string): string[] {
  if (verdict === 'tampered') return ['meaning.tamperedFound', 'meaning.advice.tampered'];
  if (verdict !== 'verified' && verdict !== 'unattested') return [`meaning.${verdict}`];
  const seal = sealTimeOf(report);
  const events = report.checks.find((c) => c.id === 'time.anchoring');
  const lateEvents = events?.status === 'warn' || (report.anchoring?.lateEvents ?? 0) > 0;
  const keys = [verdict === 'verified' ? 'meaning.intact' : 'meaning.intactSigned', `meaning.seal.${seal}`];
  if (events?.status === 'pass' && !lateEvents) keys.push('meaning.events.proven');
  else if (lateEvents) keys.push('meaning.events.late');
  if (verdict === 'verified') keys.push('meaning.advice.verified');
  else {
    const reason = untrustedReason(report);
    if (seal === 'untrusted' || reason) keys.push(reason === 'noRoots' || reason === undefined ? 'meaning.advice.trustRoot' : reason === 'notChained' ? 'meaning.advice.trustIssuer' : 'meaning.advice.askAgain');
    else if (seal === 'missing') keys.push('meaning.advice.askSealed');
    else if (seal === 'late' || lateEvents) keys.push('meaning.advice.late');
  }
  return keys;
}
