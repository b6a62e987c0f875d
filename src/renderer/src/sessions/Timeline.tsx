import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TimelineEvent } from '../../../shared/views';
import { formatClock } from '../i18n';
import { endReasonOf, failureKindOf } from './english-reasons';

/** One line of plain words about an event: what a person needs to recognise it. */
export function eventSummary(event: TimelineEvent, t: (key: string, options?: Record<string, unknown>) => string = (k) => k.split('.').pop()!): string {
  const p = event.payload;
  const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
  const meta = (p['metadata'] ?? {}) as Record<string, unknown>;
  switch (event.type) {
    case 'note':
      return str(p['text']);
    case 'session.created':
      return str(p['title']);
    case 'generation.image':
      return [event.artifacts[0]?.name, str(meta['prompt']).slice(0, 120)].filter(Boolean).join(' — ');
    case 'generation.marked':
      return [t(`mark.${str(p['mark'])}`), str(p['sha256']).slice(0, 12), str(p['reason'])].filter(Boolean).join(' · ');
    case 'recording.segment':
      return `#${str(p['index'])} ${event.artifacts[0]?.name ?? ''}`;
    case 'recording.failed':
    case 'recording.stopped':
    case 'session.interrupted': {
      const reason = str(p['reason']) || str(p['message']) || str(p['summary']);
      const known = endReasonOf(reason);
      return (known && t(`endReason.${known}`)) || reason;
    }
    case 'web.capture':
    case 'web.navigation':
      return str(p['finalUrl']) || str(p['url']);
    case 'web.capture.failed': {
      const kind = failureKindOf(p['kind'], str(p['message']));
      return `${str(p['url'])} — ${(kind && t(`captureFailure.${kind}`)) || str(p['message'])}`;
    }
    case 'web.capture.cancelled':
    case 'web.capture.interrupted':
    case 'web.capture.batch.ended': {
      const missed = Array.isArray(p['notCaptured']) ? p['notCaptured'].map(str) : [];
      return `${str(p['captured'])}/${str(p['requested'])}${missed.length > 0 ? ` — ${t('timeline.notCaptured', { count: missed.length })}: ${missed.join(', ')}` : ''}`;
    }
    case 'web.capture.batch.started':
      return t('timeline.urls', { count: Number(p['requested'] ?? 0) });
    default:
      return event.artifacts.map((a) => a.name).join(', ');
  }
}

type Proof = 'ok' | 'late' | 'none';

interface TimelineProps {
  readonly events: readonly TimelineEvent[];
  readonly onSelect?: (event: TimelineEvent) => void;
  readonly selectedSeq?: number;
  /** Whether each event was proven to exist in time (the archive viewer); marks the list. */
  readonly proof?: (seq: number) => Proof | undefined;
  readonly proofTags?: { readonly late: string; readonly none: string };
  readonly legend?: string;
}

export function Timeline({ events, onSelect, selectedSeq, proof, proofTags, legend }: TimelineProps): ReactNode {
  const { t } = useTranslation();
  const [filter, setFilter] = useState('');
  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    const list = needle ? events.filter((e) => `${e.type} ${t(`eventType.${e.type}`, { defaultValue: e.type })} ${eventSummary(e, t)}`.toLowerCase().includes(needle)) : events;
    return list.slice(-400).reverse();
  }, [events, filter, t]);
  // The selected event kept in sight as it moves (the archive's list follows the recording):
  // the list scrolls, never the page.
  const list = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const box = list.current;
    const item = box?.querySelector<HTMLElement>('.timeline-item.selected');
    if (!box || !item) return;
    const [outer, inner] = [box.getBoundingClientRect(), item.getBoundingClientRect()];
    if (inner.top < outer.top || inner.bottom > outer.bottom) box.scrollTop += inner.top - outer.top - (box.clientHeight - inner.height) / 2;
  }, [selectedSeq]);
  return (
    <section className="panel timeline" aria-label={t('timeline.title')}>
      <div className="panel-head">
        <h3>{t('timeline.title')}</h3>
        <input className="filter" type="search" placeholder={t('timeline.filter')} value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      {legend && <p className="muted small timeline-legend">{legend}</p>}
      {shown.length === 0 ? (
        <p className="muted">{t('timeline.empty')}</p>
      ) : (
        <ol className="timeline-list" ref={list}>
          {shown.map((event) => {
            const proven = proof?.(event.seq);
            return (
              <li key={event.seq} className={`timeline-item type-${event.type.split('.')[0]}${selectedSeq === event.seq ? ' selected' : ''}${proven ? ` proof-${proven}` : ''}`}>
                <button type="button" className="timeline-button" onClick={() => onSelect?.(event)} disabled={!onSelect}>
                  <span className="timeline-time">{formatClock(event.time)}</span>
                  {proven && proven !== 'ok' && proofTags && <span className="timeline-proof">{proofTags[proven]}</span>}
                  <span className="timeline-type">{t(`eventType.${event.type}`, { defaultValue: event.type })}</span>
                  <span className="timeline-summary">{eventSummary(event, t)}</span>
                  <span className="timeline-seq">#{event.seq}</span>
                </button>
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
