/** The verifier's answer: named checks, a verdict and the exit code the CLI returns (DESIGN.md). */
import { describeAltered, type AlteredItem } from '../../shared/altered.js';
import type { AnchoringReport } from '../../shared/anchoring.js';
import type { RenewalChain } from '../../shared/views.js';

export type { AnchoringReport, AnchorRange, EventAnchor, TokenSummary } from '../../shared/anchoring.js';
export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export type CheckId =
  | 'archive.readable'
  | 'bag.structure'
  | 'bag.payload-oxum'
  | 'bag.payload-manifest'
  | 'bag.sm3-manifest'
  | 'bag.tag-manifest'
  | 'bag.completeness'
  | 'events.chain'
  | 'events.artifacts'
  | 'session.metadata'
  | 'device.identity'
  | 'checkpoints.signatures'
  | 'checkpoints.coverage'
  | 'timestamps.checkpoints'
  | 'seal.signature'
  | 'seal.timestamp'
  | 'recording.continuity'
  | 'web.batches'
  | 'web.wacz-signature'
  | 'time.anchoring'
  | 'time.renewal';

export interface VerifyCheck {
  readonly id: CheckId;
  readonly status: CheckStatus;
  /** One sentence: what was proved, or what failed. */
  readonly detail: string;
  /** The files or events at fault (empty when the check passed). */
  readonly where: readonly string[];
  /** time.renewal only: the evidence record's chain (verify-evidence-record.ts). */
  readonly renewal?: RenewalChain;
}

export type Verdict = 'verified' | 'tampered' | 'unattested' | 'unusable';

export interface VerifyReport {
  readonly archive: string;
  readonly verdict: Verdict;
  /** 0 verified; 1 tampered or invalid; 2 unusable input; 3 intact but not fully attested. */
  readonly exitCode: 0 | 1 | 2 | 3;
  readonly summary: string;
  readonly session?: { readonly id: string; readonly kind: string; readonly title: string; readonly createdAt: string; readonly sealedAt: string; readonly events: number };
  readonly checks: readonly VerifyCheck[];
  /** When each event was proven to exist (absent when the chain could not be read). */
  readonly anchoring?: AnchoringReport;
  /** What the failing checks name, as the session recorded it (an image by its name and mark, a segment by its span). */
  readonly altered?: readonly AlteredItem[];
}

export interface VerifyProgress {
  readonly kind: 'verify';
  readonly done: number;
  readonly total: number;
  readonly file: string;
}

export const CHECK_TITLES: Readonly<Record<CheckId, string>> = {
  'archive.readable': 'Archive is a safe, readable ZIP',
  'bag.structure': 'BagIt 1.0 structure',
  'bag.payload-oxum': 'Payload-Oxum (byte and file count)',
  'bag.payload-manifest': 'Payload SHA-256 manifest',
  'bag.sm3-manifest': 'Payload SM3 manifest',
  'bag.tag-manifest': 'Tag manifest',
  'bag.completeness': 'No missing or extra files',
  'events.chain': 'Event hash chain',
  'events.artifacts': 'Every artifact an event names is present',
  'session.metadata': 'Session description matches its events',
  'device.identity': 'Device certificate matches the session',
  'checkpoints.signatures': 'Checkpoint signatures',
  'checkpoints.coverage': 'Checkpoints cover the chain',
  'timestamps.checkpoints': 'Checkpoint timestamps (RFC 3161)',
  'seal.signature': 'Seal signature',
  'seal.timestamp': 'Seal timestamp (RFC 3161)',
  'recording.continuity': 'Screen recording is continuous (gaps disclosed)',
  'web.batches': 'Every URL of every batch capture accounted for',
  'web.wacz-signature': 'Web archives (WACZ) signed by this device and intact',
  'time.anchoring': 'Every event proven to exist soon after it was recorded',
  'time.renewal': 'Timestamps renewed before their certificates expire (RFC 4998 evidence record)',
};

export function conclude(archive: string, checks: readonly VerifyCheck[], session?: VerifyReport['session'], anchoring?: AnchoringReport, altered: readonly AlteredItem[] = []): VerifyReport {
  const failed = checks.filter((c) => c.status === 'fail');
  const warned = checks.filter((c) => c.status === 'warn');
  const base = { archive, session, checks, ...(anchoring && { anchoring }), ...(altered.length > 0 && { altered }) };
  if (failed.length > 0) {
    const first = failed[0]!;
    // Named as the session recorded them, the items a person can look for first.
    const named = [...altered].sort((a, b) => Number(a.kind === 'record') - Number(b.kind === 'record'));
    const what = named.length > 0 ? ` Altered: ${named.slice(0, 3).map(describeAltered).join('; ')}${named.length > 3 ? `; and ${named.length - 3} more` : ''}.` : '';
    return { ...base, verdict: 'tampered', exitCode: 1, summary: `NOT VERIFIED: ${failed.length} check(s) failed.${what} First: ${CHECK_TITLES[first.id]}: ${first.detail}` };
  }
  const time = warned.find((c) => c.id === 'time.anchoring');
  if (time) {
    const others = warned.filter((c) => c !== time).map((c) => CHECK_TITLES[c.id]);
    return {
      ...base,
      verdict: 'unattested',
      exitCode: 3,
      summary: `INTACT, TIME NOT FULLY ATTESTED: every file and the chain check out, but ${time.detail}${others.length > 0 ? ` Also not attested: ${others.join('; ')}.` : ''}`,
    };
  }
  if (warned.length > 0) {
    return {
      ...base,
      verdict: 'unattested',
      exitCode: 3,
      summary: `INTACT, NOT FULLY ATTESTED: every file and the chain check out, but not: ${warned.map((c) => CHECK_TITLES[c.id]).join('; ')} (see WARN above).`,
    };
  }
  return { ...base, verdict: 'verified', exitCode: 0, summary: 'VERIFIED: every file, the event chain, the signatures and the timestamps check out, and every event was proven to exist within its anchoring interval.' };
}

export function unusable(archive: string, detail: string): VerifyReport {
  return {
    archive,
    verdict: 'unusable',
    exitCode: 2,
    summary: `UNUSABLE: ${detail}`,
    checks: [{ id: 'archive.readable', status: 'fail', detail, where: [archive] }],
  };
}
