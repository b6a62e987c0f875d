import { FINDINGS, TITLES_ZH, type FindingId } from './titles.js';
import type { EnvironmentCheckReport, FindingStatus } from './types.js';

const MARK: Record<FindingStatus, string> = { pass: 'ok  ', warn: 'WARN', fail: 'FAIL', 'not-checked': 'n/c ' };

const WORDS = {
  en: { target: 'target', none: '(none: machine only)', verdict: { pass: 'PASS', warn: 'WARN', fail: 'FAIL' }, summary: (c: EnvironmentCheckReport['counts']) => `${c.pass} passed, ${c.warn} warned, ${c.fail} failed, ${c['not-checked']} not checked` },
  zh: { target: '目标', none: '（无：仅检查本机）', verdict: { pass: '通过', warn: '警告', fail: '不通过' }, summary: (c: EnvironmentCheckReport['counts']) => `${c.pass} 项通过，${c.warn} 项警告，${c.fail} 项不通过，${c['not-checked']} 项未检查` },
} as const;

/** Plain text for the CLI: one line per finding (mark, title, detail), then the verdict. */
export function formatEnvironmentCheck(report: EnvironmentCheckReport, lang: 'en' | 'zh' = 'en'): string {
  const words = WORDS[lang];
  const lines = [`${words.target}: ${report.target ?? words.none}`, `${report.checkedAt} (${report.durationMs} ms)`, ''];
  for (const f of report.findings) {
    const title = lang === 'zh' && f.id in FINDINGS ? TITLES_ZH[f.id as FindingId] : f.title;
    lines.push(`  ${MARK[f.status]}  ${title}: ${f.detail}`);
  }
  lines.push('', `${words.verdict[report.verdict]}: ${words.summary(report.counts)}`);
  return `${lines.join('\n')}\n`;
}
