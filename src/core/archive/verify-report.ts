/** The verifier's answer: named checks, a verdict and the exit code the CLI returns (DESIGN.md). */
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
  | 'time.anchoring';

export interface VerifyCheck {
  readonly id: CheckId;
  readonly status: CheckStatus;
  /** One sentence: what was proved, or what failed. */
  readonly detail: string;
  /** The files or events at fault (empty when the check passed). */
  readonly where: readonly string[];
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
}

/** One RFC 3161 token in the archive, as the verifier judged it. */
export interface TokenSummary {
  /** Archive path, e.g. proofline/timestamps/000003-tsa1.tsr or proofline/seal.tsr. */
  readonly path: string;
  /** How many events (from #0) it proves existed: its checkpoint's tree size, or all for the seal. */
  readonly covers: number;
  readonly genTime: string | null;
  /** The accuracy the TSA states (± seconds); the token proves existence by genTime + accuracy. */
  readonly accuracySeconds?: number;
  readonly tsa: string | null;
  readonly serial: string | null;
  readonly policy: string | null;
  /** Counted for proven-by times: sound, over what it should cover, from a TSA trusted here. */
  readonly trusted: boolean;
  /** Why it is not counted, when it is not. */
  readonly reason?: string;
}

/** Consecutive events proven by the same token (or by none). */
export interface AnchorRange {
  readonly from: number;
  readonly to: number;
  /** Recorded (device) times of the first and last event of the range. */
  readonly firstTime: string;
  readonly lastTime: string;
  /** genTime of the earliest trusted token covering the range; null: no trusted token does. */
  readonly provenBy: string | null;
  /** The token that proves it, and its TSA's name. */
  readonly token: string | null;
  readonly tsa: string | null;
  /** Largest provenBy − recorded time in the range, in seconds (null when not proven). */
  readonly lagSeconds: number | null;
  /**
   * Not attested in time: proven later than the anchoring interval plus the tolerance allow, not
   * proven at all, or recorded later than it was proven (the device's clock ran ahead).
   */
  readonly late: boolean;
  /** Recorded more than the tolerance after the token that proves it existed. */
  readonly ahead?: boolean;
  /** The anchoring interval in force at the range's first event. */
  readonly allowedSeconds?: number;
}

export interface EventAnchor {
  readonly seq: number;
  readonly time: string;
  readonly provenBy: string | null;
  readonly lagSeconds: number | null;
}

export interface AnchoringReport {
  /** Seconds the session allowed between an event and its checkpoint (declared in its events). */
  readonly anchorSeconds: number;
  /** Added for TSA latency and clock differences. */
  readonly toleranceSeconds: number;
  /** How long after sealedAt a seal token may be dated and still attest the seal. */
  readonly sealWindowSeconds: number;
  readonly tokens: readonly TokenSummary[];
  readonly ranges: readonly AnchorRange[];
  /** Latest provenBy over all events, if every event is proven. */
  readonly lastProven: string | null;
  /** Events not proven in time: ranges that are late or not proven at all. */
  readonly late: readonly AnchorRange[];
  /** Per event, in order (the --json output carries it). */
  readonly events: readonly EventAnchor[];
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
  'time.anchoring': 'Every event proven to exist soon after it was recorded',
};

export function conclude(archive: string, checks: readonly VerifyCheck[], session?: VerifyReport['session'], anchoring?: AnchoringReport): VerifyReport {
  const failed = checks.filter((c) => c.status === 'fail');
  const warned = checks.filter((c) => c.status === 'warn');
  const base = { archive, session, checks, ...(anchoring && { anchoring }) };
  if (failed.length > 0) {
    const first = failed[0]!;
    return { ...base, verdict: 'tampered', exitCode: 1, summary: `NOT VERIFIED: ${failed.length} check(s) failed. First: ${CHECK_TITLES[first.id]}: ${first.detail}` };
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
