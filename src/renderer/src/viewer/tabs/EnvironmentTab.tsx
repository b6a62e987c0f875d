// The Environment tab: each environment snapshot and clean-environment check the session recorded,
// read from its JSON file in the archive.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { JsonValue } from '../../../../shared/domain';
import type { TimelineEvent } from '../../../../shared/views';
import { api } from '../../client';
import { formatBytes, formatTime } from '../../i18n';
import { Badge, EmptyState, ErrorNotice, useLoad } from '../../components/ui';
import { obj, pathOf, str, type ArchiveView } from '../archive-view';
import { TechnicalDetail } from '../../components/TechnicalDetail';

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
              <TechnicalDetail detail={finding.detail} />
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
            {unavailable ? <NotAvailable reason={str(section['reason'])} /> : <ValueView value={value} />}
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
  if (typeof value === 'object' && !Array.isArray(value) && value['available'] === false) return <NotAvailable reason={str(value['reason'])} />;
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
  if (depth >= 2) return <span className="small">{entries.map(([k, v]) => `${t(`env.fields.${k}`, { defaultValue: k })}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' · ')}</span>;
  return (
    <span className="env-pairs">
      {entries.map(([k, v]) => (
        <span key={k} className="env-pair">
          <span className="muted">{t(`env.fields.${k}`, { defaultValue: k })}</span> {typeof v === 'number' && BYTES_KEY.test(k) ? formatBytes(v) : <ValueView value={v} depth={depth + 1} />}
        </span>
      ))}
    </span>
  );
}

/** A part of the snapshot the machine could not give: said in the reader's words, the tool's reason (English) folded in Chinese. */
function NotAvailable({ reason }: { readonly reason: string }): ReactNode {
  const { t, i18n } = useTranslation('archive');
  if (i18n.language !== 'zh') return <span className="warn-text">{t('env.notAvailable', { reason })}</span>;
  return (
    <span className="warn-text">
      {t('env.notAvailableShort')}
      <TechnicalDetail detail={reason} className="small" />
    </span>
  );
}
