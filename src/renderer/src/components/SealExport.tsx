import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionDetail } from '../../../shared/views';
import { api, inDesktopApp } from '../client';
import { ErrorNotice, ProgressBar, useAction } from './ui';
import { formatTime } from '../i18n';

/** Seal (with confirmation) and export (with progress): the end of every session. */
export function SealExport({ detail, onChanged }: { readonly detail: SessionDetail; readonly onChanged: () => void }): ReactNode {
  const { t } = useTranslation();
  const session = detail.session;
  const [message, setMessage] = useState<{ tone: 'ok' | 'warn'; text: string } | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const seal = useAction(async () => {
    if (!window.confirm(t('seal.confirm'))) return;
    const result = await api['session.seal']({ id: session.id });
    setMessage({
      tone: result.warning ? 'warn' : 'ok',
      text: `${t('seal.done', { time: formatTime(result.sealedAt), events: result.events, tokens: result.sealTokens })}${result.warning ? ` ${result.warning}` : ''}`,
    });
    onChanged();
  });
  const exportArchive = useAction(async () => {
    let out: string | undefined;
    if (inDesktopApp) {
      const chosen = await api['dialog.chooseSaveArchive']({ suggestedName: `proofline-${session.id.slice(0, 8)}.zip` });
      if (chosen === null) return;
      out = chosen;
    }
    setProgress({ done: 0, total: 1 });
    try {
      const result = await api['session.export']({ id: session.id, ...(out ? { out } : {}) }, (p) => setProgress({ done: p.done, total: p.total }));
      setMessage({ tone: 'ok', text: t('export.done', { path: result.path }) });
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
        {session.state === 'sealed' && detail.pendingTimestamps > 0 && (
          <button type="button" onClick={() => void seal.run()} disabled={seal.busy}>
            {t('seal.button')}
          </button>
        )}
        <button type="button" onClick={() => void exportArchive.run()} disabled={session.state !== 'sealed' || exportArchive.busy} title={session.state !== 'sealed' ? t('export.needsSeal') : undefined}>
          {t('export.button')}
        </button>
      </div>
      {progress && <ProgressBar done={progress.done} total={progress.total} label={t('export.progress', progress)} />}
      {message && <p className={`notice notice-${message.tone}`} role="status">{message.text}</p>}
      {seal.error !== undefined && <ErrorNotice error={seal.error} />}
      {exportArchive.error !== undefined && <ErrorNotice error={exportArchive.error} />}
    </div>
  );
}
