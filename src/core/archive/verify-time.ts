// When each event was proven to exist (DESIGN.md, "time is proven, not claimed").
//
// An event's recorded `time` is the device's word. A trusted RFC 3161 token over a checkpoint
// proves that the first `treeSize` events existed at the token's genTime; seal.tsr proves the
// same of every event. So an event's proven-by time is the earliest trusted token over anything
// that covers it. Whoever holds the device key can rewrite whatever was not yet proven, so an
// event proven much later than it claims to have happened is not attested in time: it is named.

import { lazyList } from './lazy-list.js';
import type { AnchorRange, AnchoringReport, TokenSummary } from './verify-report.js';

/** TSA latency, a bounded wait for a token, and the difference between the two clocks. */
export const TOLERANCE_SECONDS = 60;
/** The interval assumed for an archive whose events do not declare one. */
export const DEFAULT_ANCHOR_SECONDS = 60;
/** No session may declare more (Settings and --anchor-seconds stop here too). */
export const MAX_ANCHOR_SECONDS = 3600;

/** The anchoring interval a session declared, from this event on (session.created, anchoring.changed). */
export interface AnchorDeclaration {
  readonly fromSeq: number;
  readonly anchorSeconds: number;
}

/** Reads a declaration from an event, if it makes one. */
export function declarationOf(seq: number, type: string, payload: { readonly [key: string]: unknown }): AnchorDeclaration | undefined {
  const value = type === 'session.created' ? (payload['anchoring'] as { anchorSeconds?: unknown } | undefined)?.anchorSeconds : type === 'anchoring.changed' ? payload['anchorSeconds'] : undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  return { fromSeq: seq, anchorSeconds: Math.min(value, MAX_ANCHOR_SECONDS) };
}

export interface TimeInput {
  /**
   * Recorded time of each event, in ms since the epoch (NaN when unreadable), by seq. A
   * Float64Array does: 8 bytes an event, where a million boxed numbers cost several times that.
   */
  readonly times: ArrayLike<number>;
  readonly declarations: readonly AnchorDeclaration[];
  /** Every token in the archive; only trusted ones prove anything. */
  readonly tokens: readonly TokenSummary[];
}

export function judgeAnchoring(input: TimeInput): AnchoringReport {
  const { times } = input;
  const n = times.length;
  const declarations = [...input.declarations].sort((a, b) => a.fromSeq - b.fromSeq);

  // Event i is proven by the earliest trusted token covering more than i events.
  const proofs = input.tokens
    .filter((t) => t.trusted && t.genTime !== null)
    // The latest time the TSA vouches for: genTime plus the accuracy it states (RFC 3161 §2.4.2).
    .map((t) => ({ token: t, covers: Math.min(t.covers, n), at: Date.parse(t.genTime!) + (t.accuracySeconds ?? 0) * 1000 }))
    .filter((p) => p.covers > 0 && Number.isFinite(p.at))
    .sort((a, b) => a.covers - b.covers || a.at - b.at);
  const best: (typeof proofs)[number][] = [];
  for (let i = proofs.length - 1; i >= 0; i--) {
    const later = best[i + 1];
    best[i] = later && later.at < proofs[i]!.at ? later : proofs[i]!;
  }
  const proofOf = (seq: number): (typeof proofs)[number] | undefined => {
    let lo = 0;
    let hi = proofs.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (proofs[mid]!.covers <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo < proofs.length ? best[lo] : undefined;
  };
  const { allowedAt, anchorSeconds } = intervals(declarations, times, (seq) => {
    const proof = proofOf(seq);
    return proof && Number.isFinite(times[seq]!) ? (proof.at - times[seq]!) / 1000 : Number.POSITIVE_INFINITY;
  });

  const ranges: AnchorRange[] = [];
  let p = 0;
  let open: { from: number; proof: (typeof proofs)[number] | undefined; late: boolean; ahead: boolean; lag: number | null } | undefined;
  const close = (to: number): void => {
    if (!open) return;
    ranges.push({
      from: open.from,
      to,
      firstTime: iso(times[open.from]!),
      lastTime: iso(times[to]!),
      provenBy: open.proof ? iso(open.proof.at) : null,
      token: open.proof?.token.path ?? null,
      tsa: open.proof?.token.tsa ?? null,
      lagSeconds: open.lag,
      late: open.late,
      ...(open.ahead && { ahead: true }),
      allowedSeconds: allowedAt(open.from),
    });
    open = undefined;
  };
  for (let seq = 0; seq < n; seq++) {
    while (p < proofs.length && proofs[p]!.covers <= seq) p++;
    const proof = p < proofs.length ? best[p] : undefined;
    const allowed = allowedAt(seq);
    const time = times[seq]!;
    const lag = proof && Number.isFinite(time) ? Math.round((proof.at - time) / 1000) : null;
    // Recorded well after the proof of its existence: the device's clock ran ahead, so its
    // recorded time is not attested either (and dating events ahead must not pass as "in time").
    const ahead = lag !== null && lag < -TOLERANCE_SECONDS;
    const late = !proof || lag === null || lag > allowed + TOLERANCE_SECONDS || ahead;
    if (open && (open.proof !== proof || open.late !== late || open.ahead !== ahead)) close(seq - 1);
    if (!open) open = { from: seq, proof, late, ahead, lag };
    else if (lag !== null && (open.lag === null || (ahead ? lag < open.lag : lag > open.lag))) open.lag = lag;
  }
  close(n - 1);

  const late = ranges.filter((r) => r.late);
  const lastProven = late.length === 0 && proofs.length > 0 ? ranges.reduce<string | null>((max, r) => (r.provenBy && (!max || r.provenBy > max) ? r.provenBy : max), null) : null;
  return {
    anchorSeconds,
    toleranceSeconds: TOLERANCE_SECONDS,
    sealWindowSeconds: TOLERANCE_SECONDS,
    tokens: input.tokens,
    ranges,
    lastProven,
    late,
    // Made when read: a million EventAnchor objects would cost more than the whole verification.
    events: lazyList(n, (seq) => {
      const proof = proofOf(seq);
      const time = times[seq]!;
      return { seq, time: iso(time), provenBy: proof ? iso(proof.at) : null, lagSeconds: proof && Number.isFinite(time) ? Math.round((proof.at - time) / 1000) : null };
    }),
  };
}

/**
 * The interval in force at each event. A declaration that lengthens it counts only if the event
 * making it was itself proven within the interval in force before it: otherwise whoever held the
 * device key could excuse a late rewrite by declaring a long interval inside it. A shorter one
 * only makes the judgement stricter and always counts.
 */
function intervals(declarations: readonly AnchorDeclaration[], times: ArrayLike<number>, lagOf: (seq: number) => number): { allowedAt: (seq: number) => number; anchorSeconds: number } {
  const effective: (AnchorDeclaration & { since: number; longer: boolean })[] = [];
  let current = DEFAULT_ANCHOR_SECONDS;
  for (const d of declarations) {
    const longer = d.anchorSeconds > current;
    if (!longer || lagOf(d.fromSeq) <= current + TOLERANCE_SECONDS) {
      current = d.anchorSeconds;
      effective.push({ ...d, since: times[d.fromSeq] ?? Number.NaN, longer });
    }
  }
  // A longer interval covers only events recorded at or after the declaration itself: events
  // after it that claim earlier times (a clock run backwards) keep the interval before it.
  const allowedAt = (seq: number): number => {
    let allowed = DEFAULT_ANCHOR_SECONDS;
    for (const d of effective) {
      if (d.fromSeq > seq) break;
      if (d.longer && !(times[seq]! >= d.since)) continue;
      allowed = d.anchorSeconds;
    }
    return allowed;
  };
  return { allowedAt, anchorSeconds: effective[0]?.anchorSeconds ?? DEFAULT_ANCHOR_SECONDS };
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : 'an unreadable time';
}

/** "#3–#41 (04:48:03–05:02:11 UTC)" */
export function rangeLabel(range: AnchorRange): string {
  const span = range.from === range.to ? `event #${range.from}` : `events #${range.from}–#${range.to}`;
  const times = range.firstTime === range.lastTime ? range.firstTime : `${range.firstTime} – ${range.lastTime}`;
  return `${span} (recorded ${times})`;
}

/** One sentence per range for the check's detail: what is proven by when, or what is not. */
export function describeRange(range: AnchorRange, report: AnchoringReport): string {
  const label = rangeLabel(range);
  if (!range.provenBy) return `${label}: no trusted timestamp covers them`;
  const by = `proven by ${range.provenBy} (${range.tsa ?? 'TSA'}, ${range.token})`;
  if (!range.late) return `${label}: ${by}`;
  if (range.ahead) return `${label}: ${by}, ${formatSeconds(-(range.lagSeconds ?? 0))} before they were recorded: the recorded times ran ahead of the TSA's, so they are not attested`;
  return `${label}: ${by}, up to ${formatSeconds(range.lagSeconds ?? 0)} after they were recorded, more than the ${range.allowedSeconds ?? report.anchorSeconds} s anchoring interval plus ${report.toleranceSeconds} s`;
}

export function formatSeconds(seconds: number): string {
  const s = Math.abs(seconds);
  if (s < 120) return `${seconds} s`;
  if (s < 7200) return `${Math.round(seconds / 60)} min`;
  if (s < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}
