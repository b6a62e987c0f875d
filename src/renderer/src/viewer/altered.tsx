// What the verifier found altered, named as the session recorded it ("image 00001.png, marked
// Final, recorded …, event #7"), in the reader's language. The tabs flag the same items.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AlteredItem } from '../../../shared/altered';
import type { VerifyReport } from '../../../shared/views';
import { formatTime } from '../i18n';

type T = (key: string, options?: Record<string, unknown>) => string;

const MAX_SHOWN = 20;

/** SHA-256s of the archive's files the verifier found altered. */
export function alteredShas(report: VerifyReport | undefined): ReadonlySet<string> {
  return new Set((report?.altered ?? []).flatMap((item) => (item.sha256 ? [item.sha256] : [])));
}

function recordName(item: AlteredItem, t: T): string {
  const path = item.path;
  const checkpoint = /checkpoints\/(\d+)\.json(\.sig)?$/.exec(path);
  if (checkpoint) return t('altered.records.checkpoint', { n: Number(checkpoint[1]) });
  const token = /timestamps\/(\d+)-tsa\d+\.tsr$/.exec(path);
  if (token) return t('altered.records.token', { n: Number(token[1]) });
  if (/seal(-\d+)?\.tsr$/.test(path)) return t('altered.records.sealToken');
  const known: Record<string, string> = {
    'data/events.jsonl': 'events',
    'data/session.json': 'session',
    'bag-info.txt': 'bagInfo',
    'manifest-sha256.txt': 'manifest',
    'manifest-sm3.txt': 'manifest',
    'tagmanifest-sha256.txt': 'tagManifest',
    'proofline/seal.sig': 'sealSignature',
  };
  return known[path] ? t(`altered.records.${known[path]}`) : path;
}

/** The item in one phrase of the reader's language. */
export function alteredPhrase(item: AlteredItem, t: T): string {
  const parts: string[] = [];
  switch (item.kind) {
    case 'image':
    case 'draft':
    case 'attachment':
    case 'artifact':
      parts.push(t(`altered.${item.kind}`, { name: item.name ?? item.path }));
      if (item.mark) parts.push(t('altered.marked', { mark: t(`common:mark.${item.mark}`) }));
      break;
    case 'segment':
      parts.push(item.segment ? t('altered.segment', { index: item.segment.index, from: formatTime(item.segment.startedAt), to: formatTime(item.segment.endedAt).slice(-8) }) : t('altered.artifact', { name: item.name ?? item.path }));
      break;
    case 'page-file':
      parts.push(t('altered.pageFile', { url: item.url ?? '?', name: item.name ?? item.path }));
      break;
    case 'event':
      return [t('altered.event', { seq: item.seq ?? '?', type: item.eventType ? t(`common:eventType.${item.eventType}`, { defaultValue: item.eventType }) : '?' }), item.time ? t('altered.recorded', { time: formatTime(item.time) }) : ''].filter(Boolean).join('，');
    case 'record':
      return recordName(item, t);
  }
  if (item.time && item.kind !== 'segment') parts.push(t('altered.recorded', { time: formatTime(item.time) }));
  if (item.seq !== undefined) parts.push(t('altered.atEvent', { seq: item.seq }));
  return parts.join(t('altered.separator', { defaultValue: ', ' }));
}

export function AlteredList({ items }: { readonly items: readonly AlteredItem[] }): ReactNode {
  const { t } = useTranslation(['archive', 'common']);
  if (items.length === 0) return null;
  // What a person can look for first: images, segments, pages; the records after.
  const sorted = [...items].sort((a, b) => Number(a.kind === 'record') - Number(b.kind === 'record'));
  return (
    <div className="altered-items">
      <h3>{t('altered.title')}</h3>
      <p className="muted small">{t('altered.intro')}</p>
      <ul>
        {sorted.slice(0, MAX_SHOWN).map((item) => (
          <li key={item.path} data-path={item.path}>
            {alteredPhrase(item, t as T)}
          </li>
        ))}
        {sorted.length > MAX_SHOWN && <li className="muted">{t('altered.more', { count: sorted.length - MAX_SHOWN })}</li>}
      </ul>
    </div>
  );
}
