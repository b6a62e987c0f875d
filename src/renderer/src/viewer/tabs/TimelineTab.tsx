// The Timeline and recording tab: every event, the screen recording as one film sought to the
// moment of the one chosen (RecordingFilm.tsx), the list following the film, and what that event recorded.
import { useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AnchoringView, AnchorRangeView, TimelineEvent } from '../../../../shared/views';
import { formatTime } from '../../i18n';
import { ArtifactList } from '../../web/ArtifactList';
import { FragmentRow } from '../../components/FragmentRow';
import { Timeline, eventSummary } from '../../sessions/Timeline';
import { archiveLinks, type ArchiveView } from '../archive-view';
import { eventAt, mediaTimeOf } from '../film-time';
import { proofOf, rangeState, tsaName, useDuration } from '../TimeProof';
import { RecordingFilmPlayer, type FilmTarget } from './RecordingFilm';

export function TimelineTab({ view, anchoring, altered = new Set() }: { readonly view: ArchiveView; readonly anchoring: AnchoringView | undefined; readonly altered?: ReadonlySet<string> }): ReactNode {
  const { t } = useTranslation('archive');
  const [target, setTarget] = useState<FilmTarget | null>(null);
  const [playhead, setPlayhead] = useState<{ readonly wall: number; readonly media: number } | null>(null);
  const proof = useMemo(() => proofOf(anchoring), [anchoring]);
  const film = view.contents.film;
  const events = view.contents.events;
  const choose = (event: TimelineEvent): void => setTarget((before) => ({ event, nonce: (before?.nonce ?? 0) + 1 }));
  // The list follows the playhead: the event last before the recorded clock's time, unless the
  // one chosen is where the film stands (an event in a pause shows the first picture after it).
  const chosen = target?.event ?? null;
  const following = useMemo(() => {
    if (!film || !playhead) return chosen;
    if (chosen && Math.abs(mediaTimeOf(film, Date.parse(chosen.time)) - playhead.media) < 0.75) return chosen;
    return eventAt(events, playhead.wall) ?? chosen;
  }, [film, playhead, chosen, events]);
  return (
    <div className="grid-2 archive-timeline">
      <Timeline
        events={events}
        onSelect={choose}
        selectedSeq={following?.seq}
        {...(proof && {
          proof: (seq: number) => {
            const range = proof(seq);
            return range ? rangeState(range) : undefined;
          },
          proofTags: { late: t('time.tagLate'), none: t('time.tagNone') },
          legend: t('time.legend'),
        })}
      />
      <div className="stack">
        {film && film.segments.length > 0 ? (
          <RecordingFilmPlayer view={view} film={film} events={events} target={target} highlighted={following?.seq} onPick={choose} onPlayhead={setPlayhead} altered={altered} />
        ) : (
          <NoRecording />
        )}
        <EventDetail view={view} event={following} proof={following && proof ? proof(following.seq) : undefined} />
      </div>
    </div>
  );
}

function NoRecording(): ReactNode {
  const { t } = useTranslation('archive');
  return (
    <section className="panel recording">
      <h3>{t('recording.title')}</h3>
      <p className="muted">{t('recording.none')}</p>
    </section>
  );
}

function EventDetail({ view, event, proof }: { readonly view: ArchiveView; readonly event: TimelineEvent | null; readonly proof: AnchorRangeView | undefined }): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
  const commonT = useTranslation('common').t as (key: string, options?: Record<string, unknown>) => string;
  const duration = useDuration();
  if (!event) {
    return (
      <section className="panel">
        <p className="muted">{t('event.pick')}</p>
      </section>
    );
  }
  const entries = Object.entries(event.payload).filter(([, v]) => v !== null && v !== '');
  return (
    <section className="panel event-detail" aria-labelledby="event-title">
      <h3 id="event-title">
        {t('event.title', { seq: event.seq })} · {t(`common:eventType.${event.type}`, { defaultValue: event.type })}
      </h3>
      <dl className="params">
        <dt>{t('event.time')}</dt>
        <dd>{formatTime(event.time)}</dd>
        {proof && (
          <>
            <dt>{t('time.eventProven')}</dt>
            <dd className={`event-proof${rangeState(proof) === 'ok' ? '' : ' warn-text'}`}>
              {proof.provenBy
                ? t('time.eventProvenValue', { time: formatTime(proof.provenBy), tsa: tsaName(proof.tsa), lag: duration((Date.parse(proof.provenBy) - Date.parse(event.time)) / 1000) })
                : t('time.eventNotProven')}
              {rangeState(proof) === 'late' && <> · {t('time.status.late')}</>}
            </dd>
          </>
        )}
        <dt>{t('event.type')}</dt>
        <dd className="mono">{event.type}</dd>
        <dt>{t('event.hash')}</dt>
        <dd className="mono">{event.hash}</dd>
      </dl>
      {eventSummary(event, commonT) && <p className="event-summary">{eventSummary(event, commonT)}</p>}
      {event.artifacts.length > 0 && (
        <>
          <h4>{t('event.files')}</h4>
          <ArtifactList artifacts={event.artifacts} links={archiveLinks(view)} />
        </>
      )}
      {entries.length > 0 && (
        <details>
          <summary>{t('event.details')}</summary>
          <dl className="params payload">
            {entries.map(([key, value]) => (
              <FragmentRow key={key} label={key} value={value} field />
            ))}
          </dl>
        </details>
      )}
    </section>
  );
}
