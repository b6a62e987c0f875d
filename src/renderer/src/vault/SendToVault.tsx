// "Send to the team vault" under a sealed session's export: the archive just exported (or the
// session's, exported by the host first) goes to the vault with its retention, under a matter.
// The result is what the store gave it: key, version, retained until. Without a vault in
// Settings the button is disabled and says where to set one.
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { VaultPush } from '../../../shared/views';
import { api } from '../client';
import { CancelButton, CancelledNotice, ErrorNotice, isCancelled, ProgressBar, useAction, useCancel, useLoad } from '../components/ui';
import { formatBytes } from '../i18n';
import { href } from '../router';
import { PushFacts } from './VaultPushCard';
import './vault.css';

export function SendToVault({ sessionId, archivePath }: { readonly sessionId: string; readonly archivePath: string | null }): ReactNode {
  const { t } = useTranslation('vault');
  const settings = useLoad(() => api['settings.get']({}), []);
  // What was sent of this session before: shown until a new push replaces it.
  const earlier = useLoad(() => api['vault.pushes']({ id: sessionId }).catch(() => [] as VaultPush[]), [sessionId]);
  const [matter, setMatter] = useState<string | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [pushed, setPushed] = useState<VaultPush | null>(null);
  const cancel = useCancel();
  const vault = settings.value?.vault;
  useEffect(() => {
    if (vault && matter === null) setMatter(vault.matter);
  }, [vault, matter]);
  const send = useAction(async () => {
    setPushed(null);
    setProgress({ done: 0, total: 1 });
    try {
      const named = matter?.trim() ? { matter: matter.trim() } : {};
      const target = archivePath ? { archive: archivePath } : { id: sessionId };
      const result = await api['vault.push']({ ...target, ...named }, { onProgress: (p) => setProgress({ done: p.done, total: p.total }), signal: cancel.signal() });
      setPushed(result);
    } finally {
      setProgress(null);
    }
  });
  if (!vault) return null;
  const configured = vault.url !== '';
  const shown = pushed ?? earlier.value?.at(-1) ?? null;
  return (
    <section className="vault-send" aria-labelledby={`vault-send-${sessionId}`}>
      <h3 id={`vault-send-${sessionId}`} className="vault-send-title">
        {t('send.title')} {configured && <span className="mono muted small">{vault.url}</span>}
      </h3>
      {configured ? (
        <form
          className="vault-send-row"
          onSubmit={(e) => {
            e.preventDefault();
            void send.run();
          }}
        >
          <label className="vault-matter">
            <span>{t('send.matter')}</span>
            <input type="text" value={matter ?? ''} onChange={(e) => setMatter(e.target.value)} spellCheck={false} autoComplete="off" data-testid="vault-matter" />
          </label>
          <button type="submit" disabled={send.busy}>
            {t('send.button')}
          </button>
        </form>
      ) : (
        <div className="vault-send-row">
          <button type="button" disabled title={t('send.noVault')}>
            {t('send.button')}
          </button>
          <span className="muted small">
            {t('send.noVault')} <a href={href({ screen: 'settings' })}>{t('send.toSettings')}</a>
          </span>
        </div>
      )}
      {progress && (
        <div className="progress-row">
          <ProgressBar done={progress.done} total={progress.total} label={t('send.progress', { done: formatBytes(progress.done), total: formatBytes(progress.total) })} />
          <CancelButton onCancel={cancel.cancel} cancelling={cancel.cancelling} />
        </div>
      )}
      {pushed && (
        <p className="notice notice-ok" role="status">
          {t('send.done')}
        </p>
      )}
      {shown && <PushFacts push={shown} />}
      {send.error !== undefined && (isCancelled(send.error) ? <CancelledNotice text={t('send.cancelled')} /> : <ErrorNotice error={send.error} />)}
    </section>
  );
}
