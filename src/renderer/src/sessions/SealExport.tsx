import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { SealSummary, SessionDetail } from '../../../shared/views';
import { api, inDesktopApp } from '../client';
import { CancelButton, CancelledNotice, ErrorNotice, errorText, isCancelled, ProgressBar, useAction, useCancel } from '../components/ui';
import { formatBytes, formatTime } from '../i18n';
import { ReportButton } from '../viewer/ReportButton';
import { SendToVault } from '../vault/SendToVault';

/** Seal (with confirmation) and export (with progress): the end of every session. */
export function SealExport({ detail, onChanged }: { readonly detail: SessionDetail; readonly onChanged: () => void }): ReactNode {
  const { t, i18n } = useTranslation();
  const session = detail.session;
  const [message, setMessage] = useState<{ tone: 'ok' | 'warn'; text: string; warning?: string; technical?: string } | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const exportCancel = useCancel();
  // The archive just written, opened so its court report can be made from it alone.
  const [exported, setExported] = useState<string | null>(null);
  // Its path, for "Send to the team vault" (the file just written, not a new export).
  const [exportedPath, setExportedPath] = useState<string | null>(null);
  const seal = useAction(async () => {
    // Say "timestamped" only when a TSA will be asked: Settings as they are now.
    const tsaCount = await api['settings.get']({}).then(
      (settings) => settings.tsaUrls.length,
      () => null,
    );
    const confirm = tsaCount === null ? t('seal.confirmUnknown') : tsaCount === 0 ? t('seal.confirmNoTsa') : t('seal.confirmTsa', { count: tsaCount });
    if (!window.confirm(confirm)) return;
    report(await api['session.seal']({ id: session.id }));
  });
  // A sealed session whose seal no TSA has timestamped: sealing again asks the TSAs again.
  const retry = useAction(async () => report(await api['session.seal']({ id: session.id })));
  const report = (result: SealSummary): void => {
    const done = result.tsaCount === 0 ? t('seal.doneNoTsa', { time: formatTime(result.sealedAt), events: result.events }) : t('seal.done', { time: formatTime(result.sealedAt), events: result.events, tokens: result.sealTokens });
    // The host's warning is English; in Chinese it is said from the result's numbers, the original one click away.
    const zh = i18n.language === 'zh';
    setMessage({
      tone: result.warning ? 'warn' : 'ok',
      text: done,
      ...(result.warning && (zh ? { warning: `${sealWarningInChinese(result, t)}${result.tsaProblem ? errorText(t, result.tsaProblem) : ''}`, technical: result.warning } : { warning: result.warning })),
    });
    onChanged();
  };
  const exportArchive = useAction(async () => {
    let out: string | undefined;
    if (inDesktopApp) {
      const chosen = await api['dialog.chooseSaveArchive']({ suggestedName: `proofline-${session.id.slice(0, 8)}.zip` });
      if (chosen === null) return;
      out = chosen;
    }
    setProgress({ done: 0, total: 1 });
    setMessage(null);
    try {
      const result = await api['session.export']({ id: session.id, ...(out ? { out } : {}) }, { onProgress: (p) => setProgress({ done: p.done, total: p.total }), signal: exportCancel.signal() });
      setMessage({ tone: 'ok', text: t('export.done', { path: result.path }) });
      setExportedPath(result.path);
      setExported((await api['archive.open']({ path: result.path })).archive);
    } finally {
      setProgress(null);
    }
  });
  return (
    <div className="seal-export">
      <div className="actions">
        {session.state !== 'sealed' && (
          <button type="button" className="primary" onClick={() => void seal.run()} disabled={seal.busy}>
            {seal.busy ? t('working') : t('seal.button')}
          </button>
        )}
        {session.state === 'sealed' && session.sealTimestamped === false && (
          <button type="button" onClick={() => void retry.run()} disabled={retry.busy} title={t('seal.retryHint')}>
            {retry.busy ? t('working') : t('seal.retry')}
          </button>
        )}
        <button type="button" onClick={() => void exportArchive.run()} disabled={session.state !== 'sealed' || exportArchive.busy} title={session.state !== 'sealed' ? t('export.needsSeal') : undefined}>
          {t('export.button')}
        </button>
      </div>
      {progress && (
        <div className="progress-row">
          <ProgressBar done={progress.done} total={progress.total} label={t('export.progress', { done: formatBytes(progress.done), total: formatBytes(progress.total) })} />
          <CancelButton onCancel={exportCancel.cancel} cancelling={exportCancel.cancelling} />
        </div>
      )}
      {message && (
        <div className={`notice notice-${message.tone}`} role="status">
          <p>{message.text}</p>
          {message.warning && <p className="seal-warning">{message.warning}</p>}
          {message.technical && (
            <details className="technical">
              <summary>{t('archive:checks.technical')}</summary>
              <span className="mono">{message.technical}</span>
            </details>
          )}
        </div>
      )}
      {exported && !inDesktopApp && (
        // In the browser host the archive is written on the host's disk: the browser saves a copy.
        <p className="export-download">
          <a href={`/media/archive-file/${encodeURIComponent(exported)}`} download>
            {t('export.download')}
          </a>
        </p>
      )}
      {exported && <ReportButton archive={exported} />}
      {session.state === 'sealed' && <SendToVault sessionId={session.id} archivePath={exportedPath} />}
      {seal.error !== undefined && <ErrorNotice error={seal.error} />}
      {retry.error !== undefined && <ErrorNotice error={retry.error} />}
      {exportArchive.error !== undefined && (isCancelled(exportArchive.error) ? <CancelledNotice text={t('export.cancelled')} /> : <ErrorNotice error={exportArchive.error} />)}
    </div>
  );
}

/** What the seal did not get, said in Chinese from the result's numbers, as src/host/seal-warning.ts says it in English. */
function sealWarningInChinese(result: SealSummary, t: (key: string) => string): string {
  if (result.tsaCount === 0) return t('seal.warning.noTsa');
  const missing: string[] = [];
  if (result.sealCheckpointTokens === 0) missing.push(t('seal.warning.noCheckpointToken'));
  if (result.sealTokens === 0) missing.push(t('seal.warning.noSealToken'));
  if (missing.length === 0) return t('seal.warning.other');
  return `${missing.join('；')}。${t('seal.warning.again')}`;
}
