// The Timeline and recording tab: every event, the screen recording sought to the moment of the
// one chosen, and what that event recorded.
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AnchoringView, AnchorRangeView, ArchiveContents, TimelineEvent } from '../../../../shared/views';
import { formatTime } from '../../i18n';
import { ArtifactList } from '../../web/ArtifactList';
import { FragmentRow } from '../../components/FragmentRow';
import { Timeline, eventSummary } from '../../sessions/Timeline';
import { archiveLinks, entryUrl, str, type ArchiveView } from '../archive-view';
import { proofOf, rangeState, tsaName, useDuration } from '../TimeProof';

interface Segment {
  readonly path: string;
  readonly mime: string;
  readonly seq: number;
  readonly start: number;
  readonly end: number;
}

/** Each segment's wall-clock range: the recorder's startedAt/endedAt, else its event time and duration. */
export function segmentsOf(contents: ArchiveContents): Segment[] {
  const bySeq = new Map(contents.events.map((e) => [e.seq, e]));
  return contents.recording
    .map((r) => {
      const payload = bySeq.get(r.seq)?.payload ?? {};
      const end = Date.parse(str(payload['endedAt'])) || Date.parse(r.time);
      const seconds = typeof payload['durationSeconds'] === 'number' ? payload['durationSeconds'] * 1000 : r.durationMs;
      const start = Date.parse(str(payload['startedAt'])) || (seconds !== null ? end - seconds : end);
      return { path: r.path, mime: r.mime, seq: r.seq, start, end };
    })
    .sort((a, b) => a.start - b.start);
}

export function TimelineTab({ view, anchoring }: { readonly view: ArchiveView; readonly anchoring: AnchoringView | undefined }): ReactNode {
  const { t } = useTranslation('archive');
  const [selected, setSelected] = useState<TimelineEvent | null>(null);
  const proof = useMemo(() => proofOf(anchoring), [anchoring]);
  return (
    <div className="grid-2 archive-timeline">
      <Timeline
        events={view.contents.events}
        onSelect={setSelected}
        selectedSeq={selected?.seq}
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
        <RecordingPlayer view={view} at={selected ? Date.parse(selected.time) : null} />
        <EventDetail view={view} event={selected} proof={selected && proof ? proof(selected.seq) : undefined} />
      </div>
    </div>
  );
}

function RecordingPlayer({ view, at }: { readonly view: ArchiveView; readonly at: number | null }): ReactNode {
  const { t } = useTranslation('archive');
  const segments = useMemo(() => segmentsOf(view.contents), [view.contents]);
  const [index, setIndex] = useState(0);
  const [failed, setFailed] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const offset = useRef(0);
  const covering = at === null ? -1 : segments.findIndex((s) => at >= s.start - 500 && at <= s.end + 500);

  useEffect(() => {
    if (at === null || covering < 0) return;
    const segment = segments[covering]!;
    offset.current = Math.max(0, (at - segment.start) / 1000);
    setIndex(covering);
    const element = video.current;
    if (element && covering === index && element.readyState >= 1) element.currentTime = offset.current;
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [at, covering, segments]);

  // The segment is read whole into memory: a blob URL can be sought anywhere, whatever the
  // host's media route does with byte ranges. Segments are short (seconds), so this is cheap.
  const current = segments[Math.min(index, Math.max(0, segments.length - 1))];
  // MPEG-TS segments (what the recorder writes) are remuxed to MP4 by the host for playback.
  const isTs = current?.mime === 'video/mp2t';
  const rawSrc = current ? entryUrl(view, current.path) : null;
  const currentSrc = rawSrc && isTs ? `${rawSrc}?as=mp4` : rawSrc;
  const canPlay = current ? document.createElement('video').canPlayType(isTs ? 'video/mp4; codecs="avc1.42E01E"' : current.mime) !== '' : false;
  const [loaded, setLoaded] = useState<{ readonly src: string; readonly url: string } | null>(null);
  useEffect(() => {
    if (!currentSrc || !canPlay) return;
    let cancelled = false;
    let objectUrl: string | null = null;
    fetch(currentSrc, { credentials: 'same-origin' })
      .then((response) => (response.ok ? response.blob() : Promise.reject(new Error(String(response.status)))))
      .then((blob) => {
        if (cancelled) return;
        objectUrl = URL.createObjectURL(blob);
        setLoaded({ src: currentSrc, url: objectUrl });
      })
      .catch(() => {
        if (!cancelled) setLoaded({ src: currentSrc, url: currentSrc });
      });
    return () => {
      cancelled = true;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
    };
  }, [currentSrc, canPlay]);

  if (segments.length === 0) {
    return (
      <section className="panel recording">
        <h3>{t('recording.title')}</h3>
        <p className="muted">{t('recording.none')}</p>
      </section>
    );
  }
  const segment = current!;
  const src = currentSrc!;
  const playable = canPlay && failed !== segment.path;
  const videoUrl = loaded?.src === src ? loaded.url : null;
  return (
    <section className="panel recording" aria-labelledby="recording-title">
      <div className="panel-head">
        <h3 id="recording-title">{t('recording.title')}</h3>
        <span className="muted small">{t('recording.segment', { n: index + 1, total: segments.length })}</span>
      </div>
      {playable && !videoUrl && <div className="video-placeholder">{t('recording.loading')}</div>}
      {playable && videoUrl ? (
        <video
          key={segment.path}
          ref={video}
          className="recording-video"
          src={videoUrl}
          controls
          preload="metadata"
          data-segment={segment.path}
          onLoadedMetadata={(e) => {
            e.currentTarget.currentTime = offset.current;
          }}
          onError={() => setFailed(segment.path)}
        />
      ) : playable ? null : (
        <div className="notice notice-warn">
          <p>{t('recording.cannotPlay')}</p>
          <p className="mono where">{segment.path}</p>
          <a className="button" href={rawSrc ?? src} download={segment.path.split('/').pop()}>
            {t('recording.download')}
          </a>
        </div>
      )}
      {at !== null && covering >= 0 && <p className="muted small recording-at">{t('recording.at', { time: formatTime(new Date(at).toISOString()) })}</p>}
      {at !== null && covering < 0 && <p className="muted small recording-at">{t('recording.notCovered', { time: formatTime(new Date(at).toISOString()) })}</p>}
      {at === null && <p className="muted small">{t('recording.pick')}</p>}
      {segments.length > 1 && (
        <div className="segment-list" role="group" aria-label={t('recording.segments')}>
          {segments.map((s, i) => (
            <button
              key={s.path}
              type="button"
              className={`small${i === index ? ' active' : ''}`}
              aria-pressed={i === index}
              onClick={() => {
                offset.current = 0;
                setIndex(i);
              }}
            >
              {i + 1}
            </button>
          ))}
        </div>
      )}
    </section>
  );
}

function EventDetail({ view, event, proof }: { readonly view: ArchiveView; readonly event: TimelineEvent | null; readonly proof: AnchorRangeView | undefined }): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
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
      {eventSummary(event) && <p className="event-summary">{eventSummary(event)}</p>}
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
