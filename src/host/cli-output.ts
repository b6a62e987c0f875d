import type { SessionSummary } from '../shared/domain.js';
import { CHECK_TITLES, type VerifyReport } from '../core/archive/verify-report.js';

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
  lines.push('', report.summary);
  return `${lines.join('\n')}\n`;
}
