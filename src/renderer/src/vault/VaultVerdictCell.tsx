// One archive's verdict in the vault's table, in the viewer's words (archive:verdict.*), with the
// first sentence of the viewer's banner and the verifier's own summary folded under it.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge, errorText, describe, ProgressBar } from '../components/ui';
import { formatBytes } from '../i18n';
import { verdictSentences } from '../viewer/verdict-text';
import type { VaultVerdict } from './use-vault-verdicts';

const KNOWN = ['verified', 'tampered', 'unattested', 'unusable'];

export function VaultVerdictCell({ verdict }: { readonly verdict: VaultVerdict | undefined }): ReactNode {
  const { t } = useTranslation(['vault', 'archive']);
  if (!verdict) return <span className="muted">—</span>;
  if (verdict.state === 'queued') return <span className="muted">{t('vault:screen.verifying')}</span>;
  if (verdict.state === 'verifying') {
    const p = verdict.progress;
    return p && p.total > 0 ? <ProgressBar done={p.done} total={p.total} label={`${formatBytes(p.done)} / ${formatBytes(p.total)}`} /> : <span className="muted">{t('vault:screen.verifying')}</span>;
  }
  if (verdict.state === 'failed') {
    return (
      <div className="vault-verdict" data-verdict="error">
        <Badge tone="fail">{t('vault:screen.failed')}</Badge>
        <div className="small">{errorText(t, describe(verdict.error))}</div>
      </div>
    );
  }
  const report = verdict.report!;
  const name = KNOWN.includes(report.verdict) ? report.verdict : 'unknown';
  return (
    <div className="vault-verdict" data-verdict={name}>
      <Badge tone={name === 'unknown' ? 'skip' : name}>{t(`archive:verdict.${name}`)}</Badge>
      {/* What the verdict means, first sentence of the viewer's banner. */}
      {name !== 'unknown' && <div className="small vault-meaning">{t(`archive:${verdictSentences(report, name)[0]!}`)}</div>}
      {/* The verifier's own summary, one click away (it names every altered file: long). */}
      <details className="small vault-summary">
        <summary>{t('archive:verifierSays')}</summary>
        <span className="mono">{report.summary}</span>
      </details>
    </div>
  );
}
