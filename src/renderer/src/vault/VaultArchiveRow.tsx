// One archive of the vault's table: what it is, how long the store keeps it, its legal hold (with
// the toggle), its verdict, and Verify / Open.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { VaultArchive } from '../../../shared/views';
import { api } from '../client';
import { Badge, ErrorNotice, useAction } from '../components/ui';
import { formatBytes, formatTime } from '../i18n';
import type { VaultVerdict } from './use-vault-verdicts';
import { VaultVerdictCell } from './VaultVerdictCell';

export function VaultArchiveRow({
  archive,
  verdict,
  onVerify,
  onOpen,
  opening,
  onHeld,
}: {
  readonly archive: VaultArchive;
  readonly verdict: VaultVerdict | undefined;
  readonly onVerify: () => void;
  readonly onOpen: () => void;
  readonly opening: boolean;
  readonly onHeld: (archive: VaultArchive) => void;
}): ReactNode {
  const { t } = useTranslation(['vault', 'common']);
  const hold = useAction(async () => onHeld(await api['vault.hold']({ key: archive.key, on: !archive.legalHold })));
  const verifying = verdict?.state === 'queued' || verdict?.state === 'verifying';
  return (
    <tr data-key={archive.key}>
      <td className="vault-archive-cell">
        <div className="vault-archive-title" title={archive.sessionId ?? undefined}>
          {archive.title ?? archive.sessionId ?? t('screen.untitled')}
        </div>
        <div className="mono small muted vault-key" title={archive.url}>
          {archive.key}
        </div>
        <div className="small muted">
          {formatBytes(archive.bytes)}
          {archive.job && <> · {t('screen.job', { attempt: archive.job.attempt })}</>}
        </div>
        {archive.history?.hidden && (
          <div data-history="hidden">
            <Badge tone="warn">{t('screen.hiddenByMarker')}</Badge>
          </div>
        )}
        {archive.history !== undefined && archive.history.versions > 1 && (
          <div data-history="written-over">
            <Badge tone="warn">{t('screen.writtenOver', { count: archive.history.versions })}</Badge>
          </div>
        )}
      </td>
      <td>
        <Badge tone={archive.outcome === 'interrupted' ? 'recovered' : archive.outcome === 'sealed' ? 'sealed' : 'skip'}>{t(`outcome.${archive.outcome ?? 'unknown'}`)}</Badge>
      </td>
      <td className="mono small" title={archive.device ?? undefined}>
        {archive.device ? `${archive.device.slice(0, 12)}…` : '—'}
      </td>
      <td className="small" data-cell="retention">
        <div>{formatTime(archive.retainUntil)}</div>
        <div className="muted">{t(`mode.${archive.mode ?? 'none'}`)}</div>
      </td>
      <td data-cell="hold">
        {archive.legalHold ? <Badge tone="warn">{t('screen.held')}</Badge> : <span className="muted small">{t('screen.notHeld')}</span>}
        <button type="button" className="small vault-hold" onClick={() => void hold.run()} disabled={hold.busy}>
          {archive.legalHold ? t('screen.holdOff') : t('screen.holdOn')}
        </button>
        {hold.error !== undefined && <ErrorNotice error={hold.error} />}
      </td>
      <td data-cell="verdict">
        <VaultVerdictCell verdict={verdict} />
      </td>
      <td>
        <div className="vault-actions">
          <button type="button" className="small" onClick={onVerify} disabled={verifying}>
            {verifying ? t('screen.verifying') : t('screen.verify')}
          </button>
          <button type="button" className="small primary" onClick={onOpen} disabled={opening}>
            {t('screen.open')}
          </button>
        </div>
      </td>
    </tr>
  );
}
