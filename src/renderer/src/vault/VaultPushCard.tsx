// The viewer's "In the team vault" card: what was recorded when this archive was sent to the
// vault (`vault.pushes`): where it is, the version the store gave it, until when the store refuses
// to delete or replace it, and whether a legal hold was set. Shown only for an archive that was
// sent; a lookup that fails hides the card (the viewer is about the archive, not the vault).
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { VaultPush } from '../../../shared/views';
import { api } from '../client';
import { Badge, useLoad } from '../components/ui';
import { formatTime } from '../i18n';
import './vault.css';

export function VaultPushCard({ archive }: { readonly archive: string }): ReactNode {
  const { t } = useTranslation('vault');
  const pushes = useLoad(() => api['vault.pushes']({ archive }), [archive]);
  if (!pushes.value || pushes.value.length === 0) return null;
  return (
    <section className="panel vault-card" aria-labelledby="vault-card-title" data-testid="vault-push-card">
      <h3 id="vault-card-title">{t('facts.title')}</h3>
      {pushes.value.map((push) => (
        <PushFacts key={`${push.url}@${push.versionId ?? ''}`} push={push} />
      ))}
    </section>
  );
}

/** The facts of one push, as the viewer's card and the export panel's result show them. */
export function PushFacts({ push }: { readonly push: VaultPush }): ReactNode {
  const { t } = useTranslation('vault');
  return (
    <dl className="params vault-facts">
      <dt>{t('facts.key')}</dt>
      <dd className="mono" data-fact="key">
        {push.key}
      </dd>
      <dt>{t('facts.url')}</dt>
      <dd className="mono">{push.url}</dd>
      <dt>{t('facts.matter')}</dt>
      <dd>{push.matter}</dd>
      <dt>{t('facts.version')}</dt>
      <dd className={push.versionId ? 'mono' : 'muted'} data-fact="version">
        {push.versionId ?? t('facts.noVersion')}
      </dd>
      <dt>{t('facts.mode')}</dt>
      <dd data-fact="mode">{t(`mode.${push.mode ?? 'none'}`)}</dd>
      <dt>{t('facts.retainedUntil')}</dt>
      <dd data-fact="retained">{formatTime(push.retainUntil)}</dd>
      <dt>{t('facts.legalHold')}</dt>
      <dd data-fact="hold">{push.legalHold ? <Badge tone="warn">{t('facts.holdOn')}</Badge> : t('facts.holdOff')}</dd>
      <dt>{t('facts.pushedAt')}</dt>
      <dd data-fact="pushed">{formatTime(push.pushedAt)}</dd>
    </dl>
  );
}
