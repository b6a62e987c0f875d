// The Publish box under a sealed session's final image: a copy with C2PA Content Credentials and,
// when the creator keeps the box ticked, the TC260 implicit label (image.publish). Ticked by
// default: the Labeling Measures (Art. 4, 5) require the implicit label on AI-generated images.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { GalleryImage, PublishSummary } from '../../../shared/views';
import { api } from '../client';
import { FragmentRow } from '../components/FragmentRow';
import { ErrorNotice, useAction } from '../components/ui';

export function canPublish(image: GalleryImage): boolean {
  return image.mark?.mark === 'final' && (image.mime === 'image/png' || image.mime === 'image/jpeg');
}

export function PublishImage({ sessionId, image }: { readonly sessionId: string; readonly image: GalleryImage }): ReactNode {
  const { t } = useTranslation('creation');
  const [label, setLabel] = useState(true);
  const [done, setDone] = useState<PublishSummary | null>(null);
  const publish = useAction(async () => setDone(await api['image.publish']({ id: sessionId, sha256: image.sha256, label })));
  return (
    <div className="mark-box publish-box" aria-label={t('publish.title')}>
      <h4>{t('publish.title')}</h4>
      <p className="muted small">{t('publish.what')}</p>
      <label className="check-row" title={t('publish.labelWhy')}>
        <input type="checkbox" checked={label} onChange={(e) => setLabel(e.target.checked)} /> {t('publish.label')}
      </label>
      <div className="actions">
        <button type="button" className="primary small" onClick={() => void publish.run()} disabled={publish.busy}>
          {publish.busy ? t('publish.busy') : t('publish.button')}
        </button>
      </div>
      {publish.error !== undefined && <ErrorNotice error={publish.error} />}
      {done && (
        <div className="publish-done" role="status">
          <p>{t('publish.done', { name: done.name })}</p>
          <dl className="params">
            <FragmentRow label={t('publish.file')} value={done.path} mono />
            <FragmentRow label="SHA-256" value={done.sha256} mono />
            <FragmentRow label={t('publish.credentials')} value={`${done.c2paManifest} · ${t('publish.ingredients', { count: done.ingredients.length })}`} mono />
            <FragmentRow label={t('publish.archive')} value={done.archive} mono />
            <FragmentRow label={`${t('publish.archive')} SHA-256`} value={done.archiveSha256} mono />
            <FragmentRow
              label={t('publish.timeStamp')}
              value={done.timeStamp ? t('publish.timeStamped', { time: done.timeStamp.genTime, tsa: done.timeStamp.tsa }) : done.noTimeStamp?.kind === 'none-configured' ? t('publish.noTsa') : t('publish.noTimeStamp', { reason: done.noTimeStamp?.detail ?? '' })}
            />
          </dl>
          <p className="small">{done.labeled ? t('publish.labeled') : t('publish.unlabeled')}</p>
          {done.download && (
            // The web host's copy, byte for byte (/media/published/<id>): the credentials are in the bytes.
            <a className="button small" href={`/media/${done.download.split('/').map(encodeURIComponent).join('/')}`} download={done.name}>
              {t('publish.download')}
            </a>
          )}
        </div>
      )}
    </div>
  );
}
