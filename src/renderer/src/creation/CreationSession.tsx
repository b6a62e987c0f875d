// The creator's screen: one-click record/pause/stop with elapsed time, notes without leaving the
// flow, the gallery of generations with their parameters and marks, version comparison with the
// heatmap and prompt diff, lineage, the live timeline, and seal/export.
import { useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { JsonValue } from '../../../shared/domain';
import type { AppInfo, Comparison, EnvironmentJob, Gallery, GalleryImage, Mark, RecordingStatus, SessionDetail, WordDiff } from '../../../shared/views';
import { api, FALLBACK_POLL_MS, mediaUrl, onAppCommand } from '../client';
import { FragmentRow } from '../components/FragmentRow';
import { GenerationParams } from './GenerationParams';
import { canPublish, PublishImage } from './PublishImage';
import { AnchoringPanel } from '../sessions/AnchoringPanel';
import { SessionHeader } from '../sessions/SessionHeader';
import { lastSeqOf, liveCount, liveStart, useLiveEvents } from '../sessions/useLiveEvents';
import { useSessionPulse } from '../sessions/useSessionPulse';
import { Timeline } from '../sessions/Timeline';
import { Badge, EmptyState, ErrorNotice, ProgressBar, useAction, useConnectionLost, useInterval, useLoad, useReconnected, useThrottled } from '../components/ui';
import { formatBytes, formatDuration, formatTime } from '../i18n';

interface Props {
  readonly detail: SessionDetail;
  readonly reload: () => void;
  readonly info: AppInfo | undefined;
}

export function CreationSession({ detail, reload, info }: Props): ReactNode {
  const session = detail.session;
  const open = session.state !== 'sealed';
  const events = useLiveEvents(session.id, open, liveStart(session.eventCount));
  // The gallery reloads when an image or a mark comes (by seq: the live list is a window).
  const imageEvents = lastSeqOf(events, (type) => /^(generation|draft|comfyui|artifact)\./.test(type));
  const gallery = useLoad(() => api['generation.gallery']({ id: session.id }), [session.id, imageEvents]);
  const [chosen, setChosen] = useState<string | null>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const [comparison, setComparison] = useState<Comparison | null>(null);

  useEffect(() => {
    if (events.some((e) => e.type === 'session.sealed')) reload();
  }, [events, reload]);

  // While the new session's environment snapshot hashes model files, show how far it is.
  const environmentRunning = detail.environment?.state === 'running';
  useInterval(reload, 1000, environmentRunning);

  const images = gallery.value?.images ?? [];
  const chosenImage = images.find((i) => i.sha256 === chosen) ?? null;

  return (
    <div className="screen">
      <SessionHeader detail={detail} onChanged={reload} liveEventCount={liveCount(events)} />
      {detail.environment && detail.environment.state !== 'done' && <EnvironmentProgress job={detail.environment} />}
      <div className="grid-2">
        <div className="stack">
          {open ? <Recorder sessionId={session.id} initial={detail.recording} info={info} onChange={reload} /> : null}
          {open && <NoteBox sessionId={session.id} />}
          <GalleryPanel
            sessionId={session.id}
            gallery={gallery.value}
            error={gallery.error}
            chosen={chosen}
            selected={selected}
            onChoose={setChosen}
            onToggleSelect={(sha) => setSelected((prev) => (prev.includes(sha) ? prev.filter((s) => s !== sha) : [...prev.slice(-1), sha]))}
            onClearSelection={() => {
              setSelected([]);
              setComparison(null);
            }}
            onCompared={setComparison}
          />
          {comparison && <ComparisonPanel sessionId={session.id} comparison={comparison} images={images} />}
          {gallery.value && <LineagePanel sessionId={session.id} gallery={gallery.value} onChoose={setChosen} />}
        </div>
        <div className="stack">
          <AnchoringPanel sessionId={session.id} open={open} refresh={detail} />
          {chosenImage && <ImageDetails sessionId={session.id} image={chosenImage} open={open} onMarked={gallery.reload} />}
          <Timeline events={events} />
        </div>
      </div>
    </div>
  );
}

function Recorder({ sessionId, initial, info, onChange }: { readonly sessionId: string; readonly initial: RecordingStatus; readonly info: AppInfo | undefined; readonly onChange: () => void }): ReactNode {
  const { t, i18n } = useTranslation('creation');
  const [status, setStatus] = useState(initial);
  const [screen, setScreen] = useState(true);
  const settings = useLoad(() => api['settings.get']({}), []);
  const active = status.state === 'recording' || status.state === 'paused' || status.state === 'stopping';
  const refresh = (): void => void api['recording.status']({ id: sessionId }).then(setStatus, () => undefined);
  // What a recording does is written as events (segments, a failure, the stop at its duration):
  // asked again when the host pushes that the chain grew, and seldom in case a push was missed.
  const pulse = useSessionPulse(sessionId);
  const pushed = useThrottled(refresh, 1000);
  useEffect(() => {
    if (pulse && active) pushed();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [pulse?.headSeq]);
  useInterval(refresh, FALLBACK_POLL_MS, active);
  // Back from a lost connection: the recording may have ended or started meanwhile.
  useReconnected(refresh);
  // The elapsed clock ticks locally between polls so it never looks frozen.
  const [now, setNow] = useState(Date.now());
  useInterval(() => setNow(Date.now()), 250, status.state === 'recording');
  const elapsed = status.startedAt && status.state === 'recording' ? Math.max(status.elapsedMs, now - new Date(status.startedAt).getTime()) : status.elapsedMs;
  // Without the host, the last state known is no longer a fact: say so, and offer no control.
  const lost = useConnectionLost();

  const act = useAction(async (what: 'start' | 'pause' | 'resume' | 'stop') => {
    const next =
      what === 'start'
        ? // The box shows the screen off when ffmpeg or the display is missing: the request says the same.
          await api['recording.start']({ id: sessionId, screen: screen && canScreen })
        : what === 'pause'
          ? await api['recording.pause']({ id: sessionId })
          : what === 'resume'
            ? await api['recording.resume']({ id: sessionId })
            : await api['recording.stop']({ id: sessionId });
    setStatus(next);
    onChange();
  });
  const canScreen = info ? info.capabilities.ffmpeg.ok && info.capabilities.display.ok : true;
  // The host's reason is English; in Chinese say which part is missing, in the reader's words.
  const missing = info && !info.capabilities.ffmpeg.ok ? 'ffmpeg' : 'display';
  const why = info ? (i18n.language === 'zh' ? t(`recorder.why.${missing}`) : info.capabilities[missing].detail) : '';
  const folders = settings.value?.watchFolders ?? [];
  return (
    <section className="panel" aria-label={t('recorder.title')}>
      <div className="recorder">
        <span className={`rec-dot${lost ? '' : status.state === 'recording' ? ' on' : status.state === 'paused' ? ' paused' : ''}`} aria-hidden="true" />
        <div>
          <div className="elapsed" aria-live="off">
            {lost ? '—' : formatDuration(elapsed)}
          </div>
          <div className="muted small" role="status">
            {lost ? t('recorder.state.unknown') : t(`recorder.state.${status.state}`)}
            {!lost && status.segments > 0 && ` · ${t('recorder.segments', { count: status.segments })} · ${formatBytes(status.bytes)}`}
          </div>
        </div>
        <div className="actions grow" style={{ justifyContent: 'flex-end' }}>
          {lost ? null : status.state === 'idle' || status.state === 'failed' ? (
            <>
              <label className="check">
                <input type="checkbox" checked={screen && canScreen} disabled={!canScreen} onChange={(e) => setScreen(e.target.checked)} />
                {t('recorder.screen')}
              </label>
              <button type="button" className="record" onClick={() => void act.run('start')} disabled={act.busy}>
                ● {t('recorder.record')}
              </button>
            </>
          ) : (
            <>
              {status.state === 'recording' && (
                <button type="button" onClick={() => void act.run('pause')} disabled={act.busy}>
                  ❚❚ {t('recorder.pause')}
                </button>
              )}
              {status.state === 'paused' && (
                <button type="button" onClick={() => void act.run('resume')} disabled={act.busy}>
                  ▶ {t('recorder.resume')}
                </button>
              )}
              <button type="button" className="danger" onClick={() => void act.run('stop')} disabled={act.busy || status.state === 'stopping'}>
                ■ {t('recorder.stop')}
              </button>
            </>
          )}
        </div>
      </div>
      <p className="muted small recorder-what">{!canScreen ? t('recorder.noScreen', { why }) : t('recorder.what')}</p>
      <p className="muted small recorder-what">{folders.length > 0 ? t('recorder.watching', { folders: folders.join(', ') }) : t('recorder.noFolders')}</p>
      {!lost && status.sources.length > 0 && (
        <ul className="sources">
          {status.sources.map((source) => (
            <li key={source.name}>
              <Badge tone={source.state === 'running' ? 'pass' : source.state === 'failed' ? 'fail' : 'skip'}>{t(`recorder.sourceState.${source.state}`)}</Badge>{' '}
              <strong>{t(`recorder.sourceKind.${source.kind}`)}</strong>{' '}
              <span className="muted small">
                {Object.entries(source.counts)
                  .filter(([what, n]) => n > 0 || what === 'segments' || what === 'images' || what === 'prompts')
                  .map(([what, n]) => t(`recorder.count.${what}`, { count: n }))
                  .join(' · ')}
                {source.detail ? ` · ${source.detail}` : ''}
              </span>
              {source.kind === 'watch' && <span className="mono small muted"> {source.name.replace(/^watch:/, '')}</span>}
            </li>
          ))}
        </ul>
      )}
      {status.lastError && <p className="notice notice-error">{status.lastError}</p>}
      {act.error !== undefined && <ErrorNotice error={act.error} />}
    </section>
  );
}

function EnvironmentProgress({ job }: { readonly job: EnvironmentJob }): ReactNode {
  const { t } = useTranslation('creation');
  if (job.state === 'failed') return <p className="notice notice-warn">{t('environment.failed', { error: job.error ?? '' })}</p>;
  const name = job.file?.split(/[\\/]/).pop();
  return (
    <section className="panel environment-progress" aria-label={t('environment.title')}>
      {name && job.total ? (
        <ProgressBar done={job.done ?? 0} total={job.total} label={t('environment.hashing', { file: name, size: formatBytes(job.total) })} />
      ) : (
        <p className="muted small" role="status">
          {t('environment.running')}
        </p>
      )}
    </section>
  );
}

function NoteBox({ sessionId }: { readonly sessionId: string }): ReactNode {
  const { t } = useTranslation('creation');
  const [text, setText] = useState('');
  const [done, setDone] = useState(false);
  const area = useRef<HTMLTextAreaElement>(null);
  useEffect(() => onAppCommand((command) => command === 'note' && area.current?.focus()), []);
  const add = useAction(async () => {
    await api['session.note']({ id: sessionId, text });
    setText('');
    setDone(true);
    setTimeout(() => setDone(false), 2500);
  });
  const onKey = (event: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && text.trim()) void add.run();
  };
  return (
    <section className="panel note-box" aria-label={t('note.title')}>
      <textarea ref={area} rows={2} value={text} placeholder={t('note.placeholder')} aria-label={t('note.title')} onChange={(e) => setText(e.target.value)} onKeyDown={onKey} maxLength={10000} />
      <div className="actions">
        <button type="button" onClick={() => void add.run()} disabled={add.busy || !text.trim()}>
          {t('note.add')}
        </button>
        {done && (
          <span className="muted small" role="status">
            {t('note.added')}
          </span>
        )}
      </div>
      {add.error !== undefined && <ErrorNotice error={add.error} />}
    </section>
  );
}

interface GalleryProps {
  readonly sessionId: string;
  readonly gallery: Gallery | undefined;
  readonly error: unknown;
  readonly chosen: string | null;
  readonly selected: readonly string[];
  readonly onChoose: (sha: string) => void;
  readonly onToggleSelect: (sha: string) => void;
  readonly onClearSelection: () => void;
  readonly onCompared: (comparison: Comparison) => void;
}

function GalleryPanel({ sessionId, gallery, error, chosen, selected, onChoose, onToggleSelect, onClearSelection, onCompared }: GalleryProps): ReactNode {
  const { t } = useTranslation(['creation', 'common']);
  const compare = useAction(async () => onCompared(await api['generation.compare']({ id: sessionId, a: selected[0]!, b: selected[1]! })));
  const images = gallery?.images ?? [];
  return (
    <section className="panel" aria-label={t('gallery.title')}>
      <div className="panel-head">
        <h3>
          {t('gallery.title')} <span className="muted">({images.length})</span>
        </h3>
        <div className="actions">
          <span className="muted small">{selected.length > 0 ? t('gallery.selectedCount', { count: selected.length }) : images.length > 1 ? t('gallery.compareHint') : ''}</span>
          <button type="button" className="small" disabled={selected.length !== 2 || compare.busy} onClick={() => void compare.run()}>
            {t('gallery.compare')}
          </button>
          {selected.length > 0 && (
            <button type="button" className="small" onClick={onClearSelection}>
              {t('gallery.clear')}
            </button>
          )}
        </div>
      </div>
      {error !== undefined && <ErrorNotice error={error} />}
      {compare.error !== undefined && <ErrorNotice error={compare.error} />}
      {gallery && images.length === 0 && (
        <EmptyState title={t('gallery.empty')}>
          <p>{t('gallery.emptyBody')}</p>
        </EmptyState>
      )}
      <div className="gallery">
        {images.map((image) => (
          <div key={image.sha256} className={`tile${chosen === image.sha256 ? ' chosen' : ''}`}>
            <button type="button" className="tile-image" onClick={() => onChoose(image.sha256)} aria-label={image.name}>
              <img src={mediaUrl.blob(sessionId, image.sha256)} alt={image.name} loading="lazy" />
            </button>
            <div className="tile-foot">
              <label className="tile-select" title={t('gallery.compareHint')}>
                <input type="checkbox" checked={selected.includes(image.sha256)} onChange={() => onToggleSelect(image.sha256)} aria-label={`${t('gallery.compare')}: ${image.name}`} />
                <span className="tile-name">{image.name}</span>
              </label>
              {image.mark && <Badge tone={image.mark.mark}>{t(`common:mark.${image.mark.mark}`)}</Badge>}
            </div>
          </div>
        ))}
      </div>
    </section>
  );
}

const text = (v: JsonValue | undefined): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function ImageDetails({ sessionId, image, open, onMarked }: { readonly sessionId: string; readonly image: GalleryImage; readonly open: boolean; readonly onMarked: () => void }): ReactNode {
  const { t } = useTranslation(['creation', 'common']);
  const [reason, setReason] = useState('');
  const mark = useAction(async (m: Mark) => {
    await api['generation.mark']({ id: sessionId, sha256: image.sha256, mark: m, ...(reason.trim() ? { reason: reason.trim() } : {}) });
    setReason('');
    onMarked();
  });
  return (
    <section className="panel image-details" aria-label={t('details.title')}>
      <div className="panel-head">
        <h3 className="tile-name">{image.name}</h3>
        {image.mark && <Badge tone={image.mark.mark}>{t('details.currentMark', { mark: t(`common:mark.${image.mark.mark}`) })}</Badge>}
      </div>
      <img className="detail-image" src={mediaUrl.blob(sessionId, image.sha256)} alt={image.name} />
      <GenerationParams metadata={image.metadata} />
      <dl className="params">
        <FragmentRow label={t('details.source')} value={`${t(`common:source.${image.source}`, { defaultValue: image.source })}${image.size ? ` · ${formatBytes(image.size)}` : ''}`} />
        <FragmentRow label={t('details.recorded')} value={`${formatTime(image.time)} (#${image.seq})`} />
        <FragmentRow label={t('details.sha256')} value={image.sha256} mono />
      </dl>
      {open && (
        <div className="mark-box">
          <input value={reason} maxLength={2000} placeholder={t('details.reason')} aria-label={t('details.reason')} onChange={(e) => setReason(e.target.value)} />
          <div className="actions">
            <span className="muted small">{t('details.markAs')}</span>
            {(['selected', 'rejected', 'final'] as const).map((m) => (
              <button key={m} type="button" className="small" onClick={() => void mark.run(m)} disabled={mark.busy}>
                {t(`common:mark.${m}`)}
              </button>
            ))}
          </div>
          {mark.error !== undefined && <ErrorNotice error={mark.error} />}
        </div>
      )}
      {!open && canPublish(image) && <PublishImage sessionId={sessionId} image={image} />}
    </section>
  );
}

function Diff({ parts }: { readonly parts: readonly WordDiff[] }): ReactNode {
  return (
    <p className="prompt">
      {parts.map((part, index) => (
        <span key={index} className={part.op === 'same' ? undefined : `diff-${part.op}`}>
          {part.text}
          {index < parts.length - 1 ? ' ' : ''}
        </span>
      ))}
    </p>
  );
}

function ComparisonPanel({ sessionId, comparison, images }: { readonly sessionId: string; readonly comparison: Comparison; readonly images: readonly GalleryImage[] }): ReactNode {
  const { t } = useTranslation('creation');
  const name = (sha: string): string => images.find((i) => i.sha256 === sha)?.name ?? sha.slice(0, 12);
  // A compared field in the reader's words; the tool's own parameter names (parameters.*) as recorded.
  const fieldLabel = (field: string): string => {
    const [head, ...rest] = field.split('.');
    if ((head === 'parameters' || head === 'aigcLabel') && rest.length > 0) return t(`comparison.fields.${head}`, { name: rest.join('.') });
    return t(`comparison.fields.${field.replace(/\./g, '_')}`, { defaultValue: field });
  };
  const toolLabel = (value: JsonValue): string => (typeof value === 'string' ? t(`common:params.tools.${value}`, { defaultValue: value }) : text(value));
  return (
    <section className="panel" aria-label={t('comparison.title')}>
      <div className="panel-head">
        <h3>{t('comparison.title')}</h3>
        <span className="muted small">
          {t('comparison.distance', { d: comparison.hammingDistance })} · {t('comparison.pixels', { p: `${(comparison.differingPixelRatio * 100).toFixed(1)}%` })}
        </span>
      </div>
      <div className="compare">
        <figure>
          <img src={mediaUrl.blob(sessionId, comparison.a)} alt={name(comparison.a)} />
          <figcaption>
            {t('comparison.a')}: {name(comparison.a)}
          </figcaption>
        </figure>
        <figure>
          <img src={mediaUrl.blob(sessionId, comparison.b)} alt={name(comparison.b)} />
          <figcaption>
            {t('comparison.b')}: {name(comparison.b)}
          </figcaption>
        </figure>
        <figure>
          <img src={mediaUrl.blob(sessionId, comparison.heatmapSha256)} alt={t('comparison.heatmap')} />
          <figcaption>{t('comparison.heatmap')}</figcaption>
        </figure>
      </div>
      {comparison.resized && <p className="muted small">{t('comparison.resized')}</p>}
      <h4>{t('comparison.params')}</h4>
      {comparison.paramChanges.length === 0 ? (
        <p className="muted small">{t('comparison.noParamChanges')}</p>
      ) : (
        <table className="changes">
          <thead>
            <tr>
              <th>{t('comparison.field')}</th>
              <th>{t('comparison.a')}</th>
              <th>{t('comparison.b')}</th>
            </tr>
          </thead>
          <tbody>
            {comparison.paramChanges.map((c) => (
              <tr key={c.field}>
                <td>{fieldLabel(c.field)}</td>
                <td className="diff-removed-soft">{c.field === 'tool' ? toolLabel(c.a) : text(c.a)}</td>
                <td className="diff-added-soft">{c.field === 'tool' ? toolLabel(c.b) : text(c.b)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {comparison.promptDiff.some((p) => p.op !== 'same') && (
        <>
          <h4>{t('comparison.promptDiff')}</h4>
          <Diff parts={comparison.promptDiff} />
        </>
      )}
    </section>
  );
}

/** Layers images by depth along lineage edges and draws them as a small graph. */
function LineagePanel({ sessionId, gallery, onChoose }: { readonly sessionId: string; readonly gallery: Gallery; readonly onChoose: (sha: string) => void }): ReactNode {
  const { t } = useTranslation('creation');
  const layout = useMemo(() => {
    const edges = gallery.edges.filter((e) => e.from !== e.to);
    const nodes = [...new Set(edges.flatMap((e) => [e.from, e.to]))];
    const depth = new Map<string, number>(nodes.map((n) => [n, 0]));
    for (let pass = 0; pass < nodes.length; pass++) {
      let changed = false;
      for (const e of edges) {
        const next = (depth.get(e.from) ?? 0) + 1;
        if (next > (depth.get(e.to) ?? 0) && next < nodes.length) {
          depth.set(e.to, next);
          changed = true;
        }
      }
      if (!changed) break;
    }
    const columns = new Map<number, string[]>();
    for (const n of nodes) columns.set(depth.get(n)!, [...(columns.get(depth.get(n)!) ?? []), n]);
    const pos = new Map<string, { x: number; y: number }>();
    for (const [col, list] of columns) list.forEach((n, row) => pos.set(n, { x: 16 + col * 150, y: 12 + row * 92 }));
    const width = 16 + Math.max(0, ...[...columns.keys()]) * 150 + 96;
    const height = 12 + Math.max(1, ...[...columns.values()].map((l) => l.length)) * 92;
    return { edges, nodes, pos, width, height };
  }, [gallery.edges]);
  if (layout.nodes.length === 0) {
    return (
      <section className="panel" aria-label={t('lineage.title')}>
        <h3>{t('lineage.title')}</h3>
        <p className="muted small">{t('lineage.empty')}</p>
      </section>
    );
  }
  return (
    <section className="panel" aria-label={t('lineage.title')}>
      <h3>{t('lineage.title')}</h3>
      <div className="lineage-scroll">
        <svg className="lineage" width={layout.width} height={layout.height} role="img" aria-label={t('lineage.title')}>
          {layout.edges.map((e, i) => {
            const a = layout.pos.get(e.from)!;
            const b = layout.pos.get(e.to)!;
            return (
              <g key={i} className={e.inferred ? 'edge inferred' : 'edge'}>
                <path d={`M${a.x + 80},${a.y + 36} C${a.x + 115},${a.y + 36} ${b.x - 35},${b.y + 36} ${b.x},${b.y + 36}`} />
                <text x={(a.x + 80 + b.x) / 2} y={(a.y + b.y) / 2 + 30} textAnchor="middle">
                  {t(`lineage.relation.${e.relation}`, { defaultValue: e.relation })}
                </text>
              </g>
            );
          })}
          {layout.nodes.map((n) => {
            const p = layout.pos.get(n)!;
            return (
              <g key={n} className="node" onClick={() => onChoose(n)} role="button" tabIndex={0} onKeyDown={(e) => e.key === 'Enter' && onChoose(n)}>
                <rect x={p.x - 2} y={p.y - 2} width={84} height={76} rx={6} />
                <image href={mediaUrl.blob(sessionId, n)} x={p.x} y={p.y} width={80} height={72} preserveAspectRatio="xMidYMid slice" />
              </g>
            );
          })}
        </svg>
      </div>
    </section>
  );
}
