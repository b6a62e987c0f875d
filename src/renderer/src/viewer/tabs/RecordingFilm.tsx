// The screen recording as one film: one <video> over the host's HLS playlist of the archive's
// MPEG-TS segments (hls.js, or the browser's own HLS), one scrubber for the whole recording with
// its pauses, new runs and gaps marked, every event a marker, and the recorded clock beside it.
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { RecordingFilm, TimelineEvent } from '../../../../shared/views';
import { formatDuration, formatTime } from '../../i18n';
import { entryUrl, type ArchiveView } from '../archive-view';
import { mediaTimeOf, wallTimeOf, withinFilm } from '../film-time';
import { useDuration } from '../TimeProof';

/** The playlist's address under the archive's (src/host/media-resolver.ts): segment URIs resolve beside it. */
const PLAYLIST = 'recording.m3u8';
const HLS_TYPE = 'application/vnd.apple.mpegurl';
/**
 * Events the recorder and the session write themselves (a segment closing, the environment) sit
 * on the scrubber's lower edge, a person's (notes, images, marks, pages) on its upper edge: a
 * segment closes every few seconds, and would otherwise cover the note written in that second.
 */
const MACHINE_LANE = /^(recording|session|environment|anchoring)\./;

export interface FilmTarget {
  readonly event: TimelineEvent;
  /** A new number asks for the seek again, even to the same event. */
  readonly nonce: number;
}

interface Props {
  readonly view: ArchiveView;
  readonly film: RecordingFilm;
  readonly events: readonly TimelineEvent[];
  readonly target: FilmTarget | null;
  readonly highlighted: number | undefined;
  readonly onPick: (event: TimelineEvent) => void;
  readonly onPlayhead: (at: { readonly wall: number; readonly media: number }) => void;
  /** SHA-256s of the archive's files the verifier found altered: those segments are flagged. */
  readonly altered?: ReadonlySet<string>;
}

export function RecordingFilmPlayer({ view, film, events, target, highlighted, onPick, onPlayhead, altered = new Set() }: Props): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
  const video = useRef<HTMLVideoElement>(null);
  const [failure, setFailure] = useState<{ readonly kind: 'network' | 'media' | 'other'; readonly detail: string } | null>(null);
  const [media, setMedia] = useState(0);
  const total = film.durationSeconds;
  // hls.js plays MPEG-TS and fragmented MP4; anything else (a file put in by hand) plays one segment at a time.
  const asHls = film.segments.every((s) => s.path.endsWith('.ts'));
  const [direct, setDirect] = useState(0);
  const pending = useRef<number | null>(null);
  /** A film of other segments (not MPEG-TS) goes on to the next one when one ends. */
  const continuing = useRef(false);

  const playlist = `${entryUrl(view, PLAYLIST)}?as=hls`;
  useEffect(() => {
    const element = video.current;
    if (!asHls || !element) return;
    const url = playlist;
    let hls: { destroy(): void } | undefined;
    let cancelled = false;
    setFailure(null);
    import('hls.js')
      .then(({ default: Hls }) => {
        if (cancelled) return;
        // hls.js first, as its documentation advises: Chromium now answers "maybe" for HLS too,
        // but through Media Source Extensions the discontinuities play the same in every host.
        if (Hls.isSupported()) {
          // No worker: the window's Content-Security-Policy allows no blob: workers, and a
          // segment of screen video is transmuxed in a few milliseconds.
          const player = new Hls({ enableWorker: false, maxBufferLength: 60 });
          player.on(Hls.Events.ERROR, (_event, data) => {
            if (!data.fatal) return; // hls.js retries and recovers from the others itself
            const kind = data.type === Hls.ErrorTypes.NETWORK_ERROR ? 'network' : data.type === Hls.ErrorTypes.MEDIA_ERROR ? 'media' : 'other';
            setFailure({ kind, detail: `${data.details}: ${data.error?.message ?? ''}` });
            player.destroy();
          });
          player.loadSource(url);
          player.attachMedia(element);
          hls = player;
        } else if (element.canPlayType(HLS_TYPE) !== '') {
          element.src = url;
        } else {
          setFailure({ kind: 'other', detail: 'neither Media Source Extensions nor HLS is available' });
        }
      })
      .catch((error: unknown) => setFailure({ kind: 'other', detail: error instanceof Error ? error.message : String(error) }));
    return () => {
      cancelled = true;
      hls?.destroy();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [asHls, playlist]);

  const seek = (seconds: number): void => {
    const to = Math.max(0, Math.min(total, seconds));
    setMedia(to);
    if (!asHls) {
      let index = 0;
      film.segments.forEach((s, i) => {
        if (s.mediaStart <= to) index = i;
      });
      const within = to - film.segments[index]!.mediaStart;
      if (index !== direct) {
        pending.current = within;
        setDirect(index);
        return;
      }
      if (video.current && video.current.readyState >= 1) video.current.currentTime = within;
      else pending.current = within;
      return;
    }
    const element = video.current;
    if (element && element.readyState >= 1) element.currentTime = to;
    else pending.current = to;
  };

  useEffect(() => {
    if (target) seek(mediaTimeOf(film, Date.parse(target.event.time)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [target]);

  const mediaNow = (): number => (video.current ? video.current.currentTime + (asHls ? 0 : (film.segments[direct]?.mediaStart ?? 0)) : 0);
  const report = (): void => {
    const now = mediaNow();
    setMedia(now);
    const wall = wallTimeOf(film, now);
    if (wall !== null) onPlayhead({ wall, media: now });
  };

  // The bar's segments and markers (thousands in a long session) are drawn once, not at every timeupdate.
  const picked = useRef(onPick);
  picked.current = onPick;
  const pick = useCallback((event: TimelineEvent) => picked.current(event), []);
  const wallNow = wallTimeOf(film, media);
  const targetTime = target ? Date.parse(target.event.time) : null;
  const covered = targetTime !== null && film.segments.some((s) => targetTime >= Date.parse(s.startedAt) && targetTime <= Date.parse(s.endedAt));
  const breaks = film.segments.filter((s) => s.breakBefore);
  const pct = percentOf(total);

  const fromPointer = (e: MouseEvent<HTMLDivElement>): void => {
    const box = e.currentTarget.getBoundingClientRect();
    seek(((e.clientX - box.left) / box.width) * total);
  };
  const onKey = (e: KeyboardEvent<HTMLDivElement>): void => {
    const step = { ArrowLeft: -5, ArrowRight: 5, PageDown: -60, PageUp: 60 }[e.key];
    if (step !== undefined) seek(mediaNow() + step);
    else if (e.key === 'Home') seek(0);
    else if (e.key === 'End') seek(total);
    else return;
    e.preventDefault();
  };

  const segment = film.segments[direct];
  return (
    <section className="panel recording film" aria-labelledby="recording-title">
      <div className="panel-head">
        <h3 id="recording-title">{t('recording.title')}</h3>
        <span className="muted small film-summary">
          {[
            formatDuration(total * 1000),
            t('recording.segmentCount', { count: film.segments.length }),
            ...(['pause', 'run', 'gap'] as const).map((kind) => {
              const count = breaks.filter((s) => s.breakBefore?.kind === kind).length;
              return count > 0 ? t(`recording.breakCount.${kind}`, { count }) : null;
            }),
          ]
            .filter(Boolean)
            .join(' · ')}
        </span>
      </div>
      {film.segments.some((s) => altered.has(s.sha256)) && (
        <p className="altered-warning" role="alert">
          {t('altered.segmentWarning', {
            list: film.segments
              .filter((s) => altered.has(s.sha256))
              .map((s) => t('altered.segment', { index: s.index, from: formatTime(s.startedAt), to: formatTime(s.endedAt).slice(-8) }))
              .join(t('altered.separator')),
          })}
        </p>
      )}
      {failure ? (
        <div className="notice notice-warn">
          <p>{t(`recording.failed.${failure.kind}`)}</p>
          <details>
            <summary>{t('recording.failed.technical')}</summary>
            <p className="mono where">{failure.detail}</p>
          </details>
        </div>
      ) : (
        <video
          key={asHls ? 'film' : segment?.path}
          ref={video}
          className="recording-video"
          controls
          preload="metadata"
          autoPlay={continuing.current}
          data-film-duration={total}
          {...(!asHls && segment && { src: entryUrl(view, segment.path) })}
          onLoadedMetadata={(e) => {
            if (pending.current !== null) e.currentTarget.currentTime = pending.current;
            pending.current = null;
          }}
          onTimeUpdate={report}
          onSeeked={report}
          onEnded={() => {
            if (asHls || direct >= film.segments.length - 1) return;
            pending.current = 0;
            continuing.current = true;
            setDirect(direct + 1);
          }}
          onError={(e) => !asHls && setFailure({ kind: 'media', detail: e.currentTarget.error?.message || String(e.currentTarget.error?.code ?? '') })}
        />
      )}
      <div className="film-clock" aria-live="off">
        <span className="film-clock-label">{t('recording.clock')}</span>
        <time className="film-wall" dateTime={wallNow === null ? undefined : new Date(wallNow).toISOString()}>
          {wallNow === null ? '—' : formatTime(new Date(wallNow).toISOString())}
        </time>
      </div>
      <div
        className="film-bar"
        // A group, not a slider: it holds the event markers, which are buttons. The video's own
        // controls are the accessible slider over the same timeline; arrows here step through it.
        role="group"
        tabIndex={0}
        aria-label={t('recording.scrubber')}
        data-duration={total}
        onClick={fromPointer}
        onKeyDown={onKey}
      >
        <FilmTrack film={film} events={events} highlighted={highlighted} onPick={pick} altered={altered} />
        <div className="film-playhead" style={{ left: pct(media) }} />
      </div>
      <ul className="film-legend muted small">
        <li>
          <span className="swatch film-seg" />
          {t('recording.legend.segment')}
        </li>
        {(['pause', 'run', 'gap'] as const)
          .filter((kind) => breaks.some((s) => s.breakBefore?.kind === kind))
          .map((kind) => (
            <li key={kind}>
              <span className={`swatch film-break film-break-${kind}`} />
              {t(`recording.legend.${kind}`)}
            </li>
          ))}
        <li>
          <span className="swatch film-marker" />
          {t('recording.legend.event')}
        </li>
      </ul>
      <p className="muted small film-note">{t('recording.clockNote')}</p>
      {target && targetTime !== null && (
        <p className="muted small recording-at">
          {covered
            ? t('recording.at', { time: formatTime(target.event.time) })
            : withinFilm(film, targetTime)
              ? t('recording.inBreak', { time: formatTime(target.event.time), next: formatTime(new Date(wallTimeOf(film, mediaTimeOf(film, targetTime)) ?? targetTime).toISOString()) })
              : t('recording.notCovered', { time: formatTime(target.event.time) })}
        </p>
      )}
      {!target && <p className="muted small">{t('recording.pick')}</p>}
    </section>
  );
}

const percentOf =
  (total: number) =>
  (seconds: number): string =>
    `${total > 0 ? Math.min(100, Math.max(0, (seconds / total) * 100)) : 0}%`;

interface TrackProps {
  readonly film: RecordingFilm;
  readonly events: readonly TimelineEvent[];
  readonly highlighted: number | undefined;
  readonly onPick: (event: TimelineEvent) => void;
  readonly altered: ReadonlySet<string>;
}

/** The film's segments in proportion, where it jumps in time, and every event it covers as a marker. */
const FilmTrack = memo(function FilmTrack({ film, events, highlighted, onPick, altered }: TrackProps): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
  const duration = useDuration();
  const pct = percentOf(film.durationSeconds);
  const markers = useMemo(
    () => events.filter((e) => withinFilm(film, Date.parse(e.time))).map((e) => ({ event: e, at: mediaTimeOf(film, Date.parse(e.time)) })),
    [events, film],
  );
  return (
    <>
      {film.segments.map((s, i) => (
        <div
          key={s.seq}
          className={`film-seg${i % 2 ? ' odd' : ''}${s.partial ? ' partial' : ''}${altered.has(s.sha256) ? ' altered' : ''}`}
          style={{ left: pct(s.mediaStart), width: pct(s.durationSeconds) }}
          data-segment={s.index}
          title={`${t('recording.segmentTitle', { n: i + 1, from: formatTime(s.startedAt), to: formatTime(s.endedAt) })}${altered.has(s.sha256) ? ` — ${t('altered.badge')}` : ''}`}
        />
      ))}
      {film.segments.map((s) =>
        s.breakBefore ? (
          <div
            key={`break-${s.seq}`}
            className={`film-break film-break-${s.breakBefore.kind}`}
            style={{ left: pct(s.mediaStart) }}
            title={t(`recording.break.${s.breakBefore.kind}`, { duration: duration(s.breakBefore.seconds) })}
          />
        ) : null,
      )}
      {markers.map(({ event, at }) => {
        const label = t('recording.marker', { seq: event.seq, type: t(`common:eventType.${event.type}`, { defaultValue: event.type }), time: formatTime(event.time) });
        return (
          <button
            key={event.seq}
            type="button"
            className={`film-marker type-${event.type.split('.')[0]}${MACHINE_LANE.test(event.type) ? ' lane-machine' : ''}${event.seq === highlighted ? ' current' : ''}`}
            style={{ left: pct(at) }}
            data-seq={event.seq}
            aria-label={label}
            title={label}
            onClick={(e) => {
              e.stopPropagation();
              onPick(event);
            }}
          />
        );
      })}
    </>
  );
});
