// What an archive holds, read from the archive itself (never from this computer's store): the
// timeline with the screen recording, images, captured pages, environment reports and files.
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArtifactRef, JsonValue } from '../../../../shared/domain';
import type { AnchoringView, AnchorRangeView, ArchiveContents, TimelineEvent } from '../../../../shared/views';
import { api, mediaUrl } from '../../client';
import { formatBytes, formatTime } from '../../i18n';
import { GenerationParams } from '../GenerationParams';
import { Timeline, eventSummary } from '../Timeline';
import { Badge, EmptyState, ErrorNotice, useLoad } from '../ui';
import { proofOf, rangeState, tsaName, useDuration } from './TimeProof';

export interface ArchiveView {
  readonly handle: string;
  readonly contents: ArchiveContents;
}

const pathOf = (view: ArchiveView, artifact: ArtifactRef): string | undefined => view.contents.artifactPaths[artifact.sha256];
const str = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '');
const obj = (v: JsonValue | undefined): { [key: string]: JsonValue } => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});

// ---------------------------------------------------------------- timeline and recording

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
  const rawSrc = current ? mediaUrl.archive(view.handle, current.path) : null;
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
          <ArtifactList view={view} artifacts={event.artifacts} />
        </>
      )}
      {entries.length > 0 && (
        <details>
          <summary>{t('event.details')}</summary>
          <dl className="params payload">
            {entries.map(([key, value]) => (
              <FragmentRow key={key} label={key} value={value} />
            ))}
          </dl>
        </details>
      )}
    </section>
  );
}

function FragmentRow({ label, value }: { readonly label: string; readonly value: JsonValue }): ReactNode {
  return (
    <>
      <dt className="mono">{label}</dt>
      <dd className={typeof value === 'object' ? 'mono small' : undefined}>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd>
    </>
  );
}

function ArtifactList({ view, artifacts }: { readonly view: ArchiveView; readonly artifacts: readonly ArtifactRef[] }): ReactNode {
  const { t } = useTranslation('archive');
  return (
    <ul className="artifact-list">
      {artifacts.map((artifact) => {
        const path = pathOf(view, artifact);
        return (
          <li key={artifact.sha256 + artifact.name}>
            <span className="artifact-name">{artifact.name}</span>
            <span className="muted small">{formatBytes(artifact.size)}</span>
            <span className="mono small where">{path ?? artifact.sha256}</span>
            {path && (
              <a href={mediaUrl.archive(view.handle, path)} target="_blank" rel="noopener noreferrer" className="small">
                {t('files.open')}
              </a>
            )}
          </li>
        );
      })}
    </ul>
  );
}

// ---------------------------------------------------------------- images

interface ImageItem {
  readonly artifact: ArtifactRef;
  readonly event: TimelineEvent;
  readonly source: 'generated' | 'attached' | 'draft';
  readonly metadata: { [key: string]: JsonValue } | null;
}

export function ImagesTab({ view }: { readonly view: ArchiveView }): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
  const { images, marks } = useMemo(() => {
    const images: ImageItem[] = [];
    const marks = new Map<string, { mark: string; reason: string; time: string }>();
    for (const event of view.contents.events) {
      if (event.type === 'generation.marked') {
        marks.set(str(event.payload['sha256']), { mark: str(event.payload['mark']), reason: str(event.payload['reason']), time: event.time });
        continue;
      }
      const source = event.type === 'generation.image' ? 'generated' : event.type === 'draft.saved' ? 'draft' : event.type === 'artifact.attached' ? 'attached' : null;
      if (!source) continue;
      const metadata = event.payload['metadata'];
      for (const artifact of event.artifacts) {
        if (artifact.mime.startsWith('image/')) images.push({ artifact, event, source, metadata: metadata && typeof metadata === 'object' && !Array.isArray(metadata) ? metadata : null });
      }
    }
    return { images, marks };
  }, [view.contents]);
  const [chosen, setChosen] = useState<string | null>(null);
  const current = images.find((i) => i.artifact.sha256 === chosen) ?? images[0];
  if (!current) return <EmptyState title={t('images.none')} />;
  return (
    <div className="grid-2">
      <section className="panel" aria-label={t('images.title')}>
        <div className="gallery">
          {images.map((image) => {
            const path = pathOf(view, image.artifact);
            const mark = marks.get(image.artifact.sha256);
            return (
              <button
                key={`${image.event.seq}-${image.artifact.sha256}`}
                type="button"
                className={`tile${current === image ? ' chosen' : ''}`}
                aria-pressed={current === image}
                onClick={() => setChosen(image.artifact.sha256)}
              >
                {path ? <img src={mediaUrl.archive(view.handle, path)} alt={image.artifact.name} loading="lazy" /> : <span className="tile-missing">{image.artifact.name}</span>}
                <span className="tile-foot">
                  <span className="tile-name">{image.artifact.name}</span>
                  {mark ? <Badge tone={mark.mark}>{t(`common:mark.${mark.mark}`, { defaultValue: mark.mark })}</Badge> : <span className="muted small">{t(`images.${image.source}`)}</span>}
                </span>
              </button>
            );
          })}
        </div>
      </section>
      <ImageDetail view={view} image={current} mark={marks.get(current.artifact.sha256)} />
    </div>
  );
}

function ImageDetail({ view, image, mark }: { readonly view: ArchiveView; readonly image: ImageItem; readonly mark: { mark: string; reason: string; time: string } | undefined }): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
  const path = pathOf(view, image.artifact);
  return (
    <section className="panel image-detail" aria-labelledby="image-title">
      <h3 id="image-title">{image.artifact.name}</h3>
      {path && <img className="image-large" src={mediaUrl.archive(view.handle, path)} alt={image.artifact.name} />}
      {mark && (
        <p className="image-mark">
          <Badge tone={mark.mark}>{t(`common:mark.${mark.mark}`, { defaultValue: mark.mark })}</Badge> {mark.reason && <span>{mark.reason}</span>}
        </p>
      )}
      <dl className="params">
        <dt>{t('images.recordedAt')}</dt>
        <dd>
          {formatTime(image.event.time)} · #{image.event.seq}
        </dd>
        <dt>{t('images.sha256')}</dt>
        <dd className="mono">{image.artifact.sha256}</dd>
      </dl>
      <GenerationParams metadata={image.metadata} />
    </section>
  );
}

// ---------------------------------------------------------------- web pages

export function PagesTab({ view }: { readonly view: ArchiveView }): ReactNode {
  const { t } = useTranslation('archive');
  const pages = view.contents.events.filter((e) => e.type === 'web.capture');
  if (pages.length === 0) return <EmptyState title={t('pages.none')} />;
  return (
    <div className="stack">
      {pages.map((event) => (
        <PageCard key={event.seq} view={view} event={event} />
      ))}
    </div>
  );
}

function PageCard({ view, event }: { readonly view: ArchiveView; readonly event: TimelineEvent }): ReactNode {
  const { t } = useTranslation('archive');
  const [showDom, setShowDom] = useState(false);
  const p = event.payload;
  const screenshot = event.artifacts.find((a) => a.name === 'screenshot.png') ?? event.artifacts.find((a) => a.mime === 'image/png');
  const dom = event.artifacts.find((a) => a.name === 'dom.html');
  const screenshotPath = screenshot && pathOf(view, screenshot);
  const domPath = dom && pathOf(view, dom);
  return (
    <section className="panel arc-page" aria-label={str(p['finalUrl']) || str(p['url'])}>
      <div className="panel-head">
        <h3 className="arc-page-title">{str(p['title']) || str(p['finalUrl']) || str(p['url'])}</h3>
        {typeof p['status'] === 'number' && <Badge tone={p['status'] < 400 ? 'pass' : 'fail'}>HTTP {p['status']}</Badge>}
      </div>
      <dl className="params">
        <dt>{t('pages.url')}</dt>
        <dd className="mono">{str(p['url']) || str(p['typedUrl'])}</dd>
        {str(p['finalUrl']) && str(p['finalUrl']) !== str(p['url']) && (
          <>
            <dt>{t('pages.finalUrl')}</dt>
            <dd className="mono">{str(p['finalUrl'])}</dd>
          </>
        )}
        <dt>{t('pages.time')}</dt>
        <dd>{formatTime(event.time)}</dd>
      </dl>
      <div className="arc-page-views">
        <figure>
          <figcaption>{t('pages.screenshot')}</figcaption>
          {screenshotPath ? <img className="arc-page-shot" src={mediaUrl.archive(view.handle, screenshotPath)} alt={t('pages.screenshot')} /> : <p className="muted">{t('pages.noScreenshot')}</p>}
        </figure>
        {domPath && (
          <div>
            <button type="button" onClick={() => setShowDom((v) => !v)} aria-expanded={showDom}>
              {showDom ? t('pages.hideDom') : t('pages.showDom')}
            </button>
            {showDom && (
              <figure>
                <figcaption>{t('pages.dom')}</figcaption>
                {/* No allow-scripts, no allow-same-origin: the page cannot run or reach anything. */}
                <iframe className="arc-page-frame" sandbox="" src={mediaUrl.archive(view.handle, domPath)} title={t('pages.dom')} referrerPolicy="no-referrer" />
                <p className="muted small">{t('pages.domNote')}</p>
              </figure>
            )}
          </div>
        )}
      </div>
      <details>
        <summary>{t('pages.files')}</summary>
        <ArtifactList view={view} artifacts={event.artifacts} />
      </details>
    </section>
  );
}

// ---------------------------------------------------------------- environment

export function EnvironmentTab({ view }: { readonly view: ArchiveView }): ReactNode {
  const { t } = useTranslation('archive');
  const reports = view.contents.events.filter((e) => e.type === 'environment.snapshot' || e.type === 'web.environment-check');
  if (reports.length === 0) return <EmptyState title={t('env.none')} />;
  return (
    <div className="stack">
      {reports.map((event) => (
        <EnvironmentReport key={event.seq} view={view} event={event} />
      ))}
    </div>
  );
}

function decodeJson(base64: string): unknown {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes));
}

function EnvironmentReport({ view, event }: { readonly view: ArchiveView; readonly event: TimelineEvent }): ReactNode {
  const { t } = useTranslation('archive');
  const artifact = event.artifacts.find((a) => a.mime === 'application/json') ?? event.artifacts[0];
  const path = artifact && pathOf(view, artifact);
  const file = useLoad(async () => (path ? api['archive.file']({ archive: view.handle, path, maxBytes: 8 << 20 }) : undefined), [view.handle, path]);
  const isCheck = event.type === 'web.environment-check';
  let body: ReactNode = <p className="muted">{t('env.loading', { file: artifact?.name ?? '' })}</p>;
  if (file.error !== undefined) body = <ErrorNotice error={file.error} onRetry={file.reload} />;
  else if (file.value?.truncated) body = <p className="muted">{t('env.tooLarge', { file: artifact?.name ?? '', size: formatBytes(file.value.size) })}</p>;
  else if (file.value?.base64) {
    let parsed: unknown;
    try {
      parsed = decodeJson(file.value.base64);
    } catch {
      parsed = undefined;
    }
    if (!parsed || typeof parsed !== 'object') body = <p className="muted">{t('env.unreadable', { file: artifact?.name ?? '' })}</p>;
    else body = isCheck ? <CheckReport report={parsed as CheckDoc} /> : <SnapshotReport snapshot={parsed as { [key: string]: JsonValue }} />;
  }
  return (
    <section className="panel env-report" aria-label={isCheck ? t('env.check', { time: formatTime(event.time) }) : t('env.snapshot', { time: formatTime(event.time) })}>
      <div className="panel-head">
        <h3>{isCheck ? t('env.check', { time: formatTime(event.time) }) : t('env.snapshot', { time: formatTime(event.time) })}</h3>
        {path && <span className="mono small muted">{path}</span>}
      </div>
      {body}
    </section>
  );
}

interface CheckDoc {
  readonly target?: string | null;
  readonly verdict?: 'pass' | 'warn' | 'fail';
  readonly findings?: readonly { readonly id: string; readonly category: string; readonly status: string; readonly title: string; readonly detail: string }[];
}

const STATUS_ORDER: Record<string, number> = { fail: 0, warn: 1, pass: 2, 'not-checked': 3 };

function CheckReport({ report }: { readonly report: CheckDoc }): ReactNode {
  const { t } = useTranslation('archive');
  const findings = [...(report.findings ?? [])].sort((a, b) => (STATUS_ORDER[a.status] ?? 4) - (STATUS_ORDER[b.status] ?? 4));
  return (
    <>
      <p className="env-verdict">
        {report.verdict && <Badge tone={report.verdict}>{t(`env.verdict.${report.verdict}`)}</Badge>}
        {report.target && (
          <span>
            {t('env.target')}: <span className="mono">{report.target}</span>
          </span>
        )}
      </p>
      <ul className="findings">
        {findings.map((finding) => (
          <li key={finding.id} className="finding">
            <Badge tone={finding.status}>{t(`env.status.${finding.status}`, { defaultValue: finding.status })}</Badge>
            <div>
              <div className="finding-title">{t(`web:finding.${finding.id}`, { defaultValue: finding.title })}</div>
              <div className="finding-detail">{finding.detail}</div>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}

const SECTIONS = ['app', 'os', 'cpu', 'memory', 'gpus', 'displays', 'ffmpeg', 'tools', 'models', 'clock'] as const;

function SnapshotReport({ snapshot }: { readonly snapshot: { [key: string]: JsonValue } }): ReactNode {
  const { t } = useTranslation('archive');
  const keys = [...SECTIONS.filter((k) => k in snapshot), ...Object.keys(snapshot).filter((k) => !(SECTIONS as readonly string[]).includes(k) && k !== 'format' && k !== 'takenAt')];
  return (
    <dl className="params env-list">
      {keys.map((key) => {
        const value = snapshot[key]!;
        const section = obj(value);
        const unavailable = section['available'] === false;
        return (
          <EnvRow key={key} label={t(`env.sections.${key}`, { defaultValue: key })} unavailable={unavailable}>
            {unavailable ? <span className="warn-text">{t('env.notAvailable', { reason: str(section['reason']) })}</span> : <ValueView value={value} />}
          </EnvRow>
        );
      })}
    </dl>
  );
}

function EnvRow({ label, unavailable, children }: { readonly label: string; readonly unavailable: boolean; readonly children: ReactNode }): ReactNode {
  return (
    <>
      <dt className={unavailable ? 'muted' : undefined}>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

const BYTES_KEY = /bytes$/i;

/** A JSON value as short readable lines: scalars inline, objects as "key: value" pairs, arrays as lists. */
function ValueView({ value, depth = 0 }: { readonly value: JsonValue; readonly depth?: number }): ReactNode {
  const { t } = useTranslation('archive');
  if (value === null) return <span className="muted">—</span>;
  if (typeof value === 'object' && !Array.isArray(value) && value['available'] === false) return <span className="warn-text">{t('env.notAvailable', { reason: str(value['reason']) })}</span>;
  if (typeof value !== 'object') return <span>{String(value)}</span>;
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="muted">—</span>;
    return (
      <ul className="env-items">
        {value.slice(0, 50).map((item, i) => (
          <li key={i}>
            <ValueView value={item} depth={depth + 1} />
          </li>
        ))}
      </ul>
    );
  }
  const entries = Object.entries(value).filter(([k, v]) => k !== 'available' && v !== null && v !== '' && !(Array.isArray(v) && v.length === 0));
  if (depth >= 2) return <span className="small">{entries.map(([k, v]) => `${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' · ')}</span>;
  return (
    <span className="env-pairs">
      {entries.map(([k, v]) => (
        <span key={k} className="env-pair">
          <span className="muted">{k}</span> {typeof v === 'number' && BYTES_KEY.test(k) ? formatBytes(v) : <ValueView value={v} depth={depth + 1} />}
        </span>
      ))}
    </span>
  );
}

// ---------------------------------------------------------------- files

export function FilesTab({ view }: { readonly view: ArchiveView }): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
  const rows = view.contents.events.flatMap((event) => event.artifacts.map((artifact) => ({ event, artifact })));
  if (rows.length === 0) return <EmptyState title={t('files.none')} />;
  return (
    <section className="panel">
      <h3>{t('files.title')}</h3>
      <table className="files-table">
        <thead>
          <tr>
            <th>{t('files.name')}</th>
            <th>{t('size')}</th>
            <th>{t('files.event')}</th>
            <th>{t('files.path')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ event, artifact }) => {
            const path = pathOf(view, artifact);
            return (
              <tr key={`${event.seq}-${artifact.sha256}-${artifact.name}`}>
                <td>
                  {path ? (
                    <a href={mediaUrl.archive(view.handle, path)} target="_blank" rel="noopener noreferrer">
                      {artifact.name}
                    </a>
                  ) : (
                    artifact.name
                  )}
                </td>
                <td className="nowrap">{formatBytes(artifact.size)}</td>
                <td className="nowrap">
                  #{event.seq} {t(`common:eventType.${event.type}`, { defaultValue: event.type })}
                </td>
                <td className="mono small">{path ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
