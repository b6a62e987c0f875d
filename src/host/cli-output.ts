import type { SessionSummary } from '../shared/domain.js';
import { CHECK_TITLES, type VerifyReport } from '../core/archive/verify-report.js';
import { describeRange } from '../core/archive/verify-time.js';
import { describeAltered } from '../shared/altered.js';

const MARK = { pass: 'ok  ', fail: 'FAIL', warn: 'WARN', skip: 'skip' } as const;

export function formatSessions(sessions: readonly SessionSummary[]): string {
  if (sessions.length === 0) return 'No sessions yet. Start one with: proofline session new --title "…"\n';
  const rows = sessions.map((s) => [s.id, s.kind, s.interrupted ? `${s.state}*` : s.state, String(s.eventCount), s.createdAt, s.title]);
  const header = ['ID', 'KIND', 'STATE', 'EVENTS', 'CREATED', 'TITLE'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

export function formatReport(report: VerifyReport): string {
  const lines = [`${report.archive}`];
  if (report.session) {
    lines.push(`session ${report.session.id} (${report.session.kind}) "${report.session.title}"`);
    lines.push(`created ${report.session.createdAt}, sealed ${report.session.sealedAt}, ${report.session.events} events`);
  }
  lines.push('');
  for (const check of report.checks) {
    lines.push(`  ${MARK[check.status]}  ${CHECK_TITLES[check.id]}: ${check.detail}`);
  }
  if (report.altered && report.altered.length > 0) {
    // What was altered, named as the session recorded it.
    lines.push('', 'altered:');
    for (const item of report.altered.slice(0, 50)) lines.push(`  ${describeAltered(item)} — ${item.path}`);
    if (report.altered.length > 50) lines.push(`  … ${report.altered.length - 50} more: see --json`);
  }
  const anchoring = report.anchoring;
  if (anchoring) {
    // When each event was proven to exist: the anchoring as ranges (verify --json has it per event).
    lines.push('', `proven to exist (anchoring interval ${anchoring.anchorSeconds} s, tolerance ${anchoring.toleranceSeconds} s):`);
    const shown = anchoring.ranges.slice(0, 20);
    for (const range of shown) lines.push(`  ${range.late ? 'LATE' : 'ok  '}  ${describeRange(range, anchoring)}`);
    if (anchoring.ranges.length > shown.length) lines.push(`  … ${anchoring.ranges.length - shown.length} more range(s): see --json`);
    const ignored = anchoring.tokens.filter((t) => !t.trusted);
    if (ignored.length > 0) lines.push(`  not counted: ${ignored.length} token(s); first: ${ignored[0]!.reason ?? ignored[0]!.path}`);
    // Who signed the tokens and how ("SM2 with SM3" for a GM/T 0033 TSA), once per TSA and algorithm.
    const signers = new Map<string, number>();
    for (const t of anchoring.tokens) {
      const key = `${t.tsa ?? 'unknown TSA'}${t.algorithm ? ` (${t.algorithm})` : ''}`;
      signers.set(key, (signers.get(key) ?? 0) + 1);
    }
    for (const [signer, count] of signers) lines.push(`  tokens: ${count} by ${signer}`);
  }
  const renewal = report.checks.find((c) => c.renewal)?.renewal;
  if (renewal) {
    // The evidence record's chain: each archive timestamp, and until when the archive's time holds.
    lines.push('', `evidence record (RFC 4998): ${renewal.attestedUntil ? `time attested until ${renewal.attestedUntil}` : 'no time attested (no trusted, unbroken link)'}`);
    for (const link of renewal.links) lines.push(`  ${link.status === 'ok' ? 'ok  ' : link.status.toUpperCase()}  ${link.position}) ${link.genTime ?? 'no time'} by ${link.tsa ?? 'unknown TSA'}, valid until ${link.until ?? 'unknown'}`);
  }
  lines.push('', report.summary);
  return `${lines.join('\n')}\n`;
}
