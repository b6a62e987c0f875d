// The Images tab: the session's gallery as the core's one view built it from the archive's events
// (the creation screen shows the same view live): each image, its mark, how it was made.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { GalleryImage } from '../../../../shared/views';
import { formatTime } from '../../i18n';
import { GenerationParams } from '../../creation/GenerationParams';
import { Badge, EmptyState } from '../../components/ui';
import { entryUrl, pathOf, type ArchiveView } from '../archive-view';

export function ImagesTab({ view, altered = new Set() }: { readonly view: ArchiveView; readonly altered?: ReadonlySet<string> }): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
  const { images } = view.contents.gallery;
  const [chosen, setChosen] = useState<string | null>(null);
  const current = images.find((image) => image.sha256 === chosen) ?? images[0];
  if (!current) return <EmptyState title={t('images.none')} />;
  return (
    <div className="grid-2">
      <section className="panel" aria-label={t('images.title')}>
        <div className="gallery">
          {images.map((image) => {
            const path = pathOf(view, image);
            return (
              <button key={image.sha256} type="button" className={`tile${current === image ? ' chosen' : ''}`} aria-pressed={current === image} onClick={() => setChosen(image.sha256)}>
                {path ? <img src={entryUrl(view, path)} alt={image.name} loading="lazy" /> : <span className="tile-missing">{image.name}</span>}
                <span className="tile-foot">
                  <span className="tile-name">{image.name}</span>
                  {altered.has(image.sha256) && <Badge tone="tampered">{t('altered.badge')}</Badge>}
                  {image.mark ? (
                    <Badge tone={image.mark.mark}>{t(`common:mark.${image.mark.mark}`, { defaultValue: image.mark.mark })}</Badge>
                  ) : (
                    <span className="muted small">{t(`common:source.${image.source}`, { defaultValue: image.source })}</span>
                  )}
                </span>
              </button>
            );
          })}
        </div>
      </section>
      <ImageDetail view={view} image={current} altered={altered.has(current.sha256)} />
    </div>
  );
}

function ImageDetail({ view, image, altered }: { readonly view: ArchiveView; readonly image: GalleryImage; readonly altered: boolean }): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
  const path = pathOf(view, image);
  return (
    <section className="panel image-detail" aria-labelledby="image-title">
      <h3 id="image-title">{image.name}</h3>
      {altered && (
        <p className="altered-warning" role="alert">
          <Badge tone="tampered">{t('altered.badge')}</Badge> {t('altered.imageWarning')}
        </p>
      )}
      {path && <img className="image-large" src={entryUrl(view, path)} alt={image.name} />}
      {image.mark && (
        <p className="image-mark">
          <Badge tone={image.mark.mark}>{t(`common:mark.${image.mark.mark}`, { defaultValue: image.mark.mark })}</Badge> {image.mark.reason && <span>{image.mark.reason}</span>}
        </p>
      )}
      <dl className="params">
        <dt>{t('images.recordedAt')}</dt>
        <dd>
          {formatTime(image.time)} · #{image.seq} · {t(`common:source.${image.source}`, { defaultValue: image.source })}
        </dd>
        <dt>{t('images.sha256')}</dt>
        <dd className="mono">{image.sha256}</dd>
      </dl>
      <GenerationParams metadata={image.metadata} />
    </section>
  );
}
