// Settings' team vault and capture fleet sections (issue 15): where archives are sent and for how
// long, and the fleet's queue. Credentials are never fields here: the host reads them the AWS way
// (environment, ~/.aws), so they never reach the settings file, an archive or a log.
import type { ComponentType, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { VAULT_MODES, type Settings } from '../../../shared/contract';
import type { NumberFieldProps, TextFieldProps } from '../settings/Settings';

/** Which words say a refused field's problem (the host's issue text is English). */
const ISSUE: Readonly<Record<string, string>> = {
  'vault.url': 'url',
  'vault.endpoint': 'endpoint',
  'vault.matter': 'matter',
  'vault.retentionDays': 'retention',
  queueUrl: 'queue',
};

export function VaultSettings({
  draft,
  change,
  issues,
  fields: { TextField, NumberField },
}: {
  readonly draft: Settings;
  readonly change: (patch: Partial<Settings>) => void;
  readonly issues: Readonly<Record<string, string>>;
  /** Settings' own field components, so these fields look and behave as every other one. */
  readonly fields: { readonly TextField: ComponentType<TextFieldProps>; readonly NumberField: ComponentType<NumberFieldProps> };
}): ReactNode {
  const { t } = useTranslation('vault');
  const vault = draft.vault;
  const changeVault = (patch: Partial<Settings['vault']>): void => change({ vault: { ...vault, ...patch } });
  const issueAt = (path: string): string | undefined => (issues[path] === undefined ? undefined : t(`settings.issues.${ISSUE[path] ?? 'url'}`));
  return (
    <>
      <section className="panel settings-section" aria-labelledby="set-vault">
        <h2 id="set-vault">{t('settings.title')}</h2>
        <p className="section-intro">{t('settings.intro')}</p>
        <p className="notice notice-ok small vault-credentials" data-testid="vault-credentials">
          {t('settings.credentials')}
        </p>
        <TextField field="vault.url" label={t('settings.url')} hint={t('settings.urlHint')} value={vault.url} onChange={(url) => changeVault({ url })} issue={issueAt('vault.url')} placeholder="s3://evidence-bucket" mono />
        <div className="field-row">
          <TextField field="vault.endpoint" label={t('settings.endpoint')} hint={t('settings.endpointHint')} value={vault.endpoint} onChange={(endpoint) => changeVault({ endpoint })} issue={issueAt('vault.endpoint')} placeholder="https://s3.example.net" mono />
          <TextField field="vault.region" label={t('settings.region')} hint={t('settings.regionHint')} value={vault.region} onChange={(region) => changeVault({ region })} issue={issueAt('vault.region')} mono />
          <TextField field="vault.profile" label={t('settings.profile')} hint={t('settings.profileHint')} value={vault.profile} onChange={(profile) => changeVault({ profile })} issue={issueAt('vault.profile')} mono />
        </div>
        <div className="field-row">
          <NumberField field="vault.retentionDays" label={t('settings.retentionDays')} hint={t('settings.retentionHint')} value={vault.retentionDays} min={0} max={36_500} step={1} onChange={(retentionDays) => changeVault({ retentionDays })} issue={issueAt('vault.retentionDays')} />
          <TextField field="vault.matter" label={t('settings.matter')} hint={t('settings.matterHint')} value={vault.matter} onChange={(matter) => changeVault({ matter })} issue={issueAt('vault.matter')} />
        </div>
        <fieldset className="field vault-modes">
          <legend className="field-label">{t('settings.mode')}</legend>
          {VAULT_MODES.map((mode) => (
            <label key={mode} className="check-row vault-mode">
              <input type="radio" name="vault-mode" data-field="vault.mode" value={mode} checked={vault.mode === mode} onChange={() => changeVault({ mode })} />
              <span>{t(`settings.modeHint.${mode}`)}</span>
            </label>
          ))}
        </fieldset>
      </section>

      <section className="panel settings-section" aria-labelledby="set-queue">
        <h2 id="set-queue">{t('settings.queueTitle')}</h2>
        <p className="section-intro">{t('settings.queueIntro')}</p>
        <TextField field="queueUrl" label={t('settings.queue')} hint={t('settings.queueHint')} value={draft.queueUrl} onChange={(queueUrl) => change({ queueUrl })} issue={issueAt('queueUrl')} placeholder="redis://127.0.0.1:6379" mono />
      </section>
    </>
  );
}
