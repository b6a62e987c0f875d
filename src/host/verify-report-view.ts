// The verifier's report as the contract's VerifyReport (archive.verify, vault.verify): check
// titles, the anchoring without its per-event list, long lists capped.
import { CHECK_TITLES, type VerifyReport } from '../core/archive/verify-report.js';
import type * as V from '../shared/views.js';

export function verifyReportView(report: VerifyReport): V.VerifyReport {
  const renewal = report.checks.find((c) => c.renewal)?.renewal;
  return {
    verdict: report.verdict,
    exitCode: report.exitCode,
    summary: report.summary,
    session: report.session ? { id: report.session.id, title: report.session.title, kind: report.session.kind, sealedAt: report.session.sealedAt } : null,
    checks: report.checks.map((c) => ({ id: c.id, title: CHECK_TITLES[c.id], status: c.status, detail: c.detail, where: c.where })),
    ...(report.anchoring && { anchoring: anchoringView(report.anchoring) }),
    ...(report.altered && { altered: report.altered.slice(0, 1000) }),
    ...(renewal && { renewal }),
  };
  /** The anchoring without its per-event list (the ranges say it per event); long lists capped. */
  function anchoringView(a: NonNullable<typeof report.anchoring>): V.AnchoringView {
    const cap = 2_000; // a day-long session anchored every minute has ~1,500 ranges
    const range = (r: (typeof a.ranges)[number]): V.AnchorRangeView => ({ from: r.from, to: r.to, firstTime: r.firstTime, lastTime: r.lastTime, provenBy: r.provenBy, token: r.token, tsa: r.tsa, lagSeconds: r.lagSeconds, late: r.late });
    const tokens = [...a.tokens.filter((t) => !t.trusted), ...a.tokens.filter((t) => t.trusted)];
    return {
      anchorSeconds: a.anchorSeconds,
      toleranceSeconds: a.toleranceSeconds,
      sealWindowSeconds: a.sealWindowSeconds,
      events: a.events.length,
      lastProven: a.lastProven,
      ranges: a.ranges.slice(0, cap).map(range),
      rangeCount: a.ranges.length,
      late: a.late.slice(0, cap).map(range),
      lateCount: a.late.length,
      lateEvents: a.late.reduce((sum, r) => sum + r.to - r.from + 1, 0),
      tokens: tokens.slice(0, cap).map((t) => ({ path: t.path, covers: t.covers, genTime: t.genTime, tsa: t.tsa, ...(t.algorithm !== undefined && { algorithm: t.algorithm }), trusted: t.trusted, ...(t.reason !== undefined && { reason: t.reason }), ...(t.reasonKind !== undefined && { reasonKind: t.reasonKind }) })),
      tokenCount: a.tokens.length,
      trustedTokens: a.tokens.filter((t) => t.trusted).length,
    };
  }
}
