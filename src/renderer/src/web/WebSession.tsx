// The rights holder's screen: the clean-environment report (pass / warn / fail per finding),
// batch capture with per-URL progress, the captured pages with their screenshots, and the DOM
// shown only in a sandboxed frame with scripts off.
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AppInfo, BatchSummary, BrowseStatus, CapturedPage, CaptureProgress, EnvironmentCheck, SessionDetail } from '../../../shared/views';
import { api, ApiError, mediaUrl } from '../client';
import { AnchoringPanel } from '../sessions/AnchoringPanel';
import { PageCard } from './PageCard';
import { TechnicalDetail } from '../components/TechnicalDetail';
import { failureKindOf } from '../sessions/english-reasons';
import { SessionHeader } from '../sessions/SessionHeader';
import { lastSeqOf, liveCount, liveStart, useLiveEvents } from '../sessions/useLiveEvents';
import { Timeline } from '../sessions/Timeline';
import { Badge, CancelButton, CancelledNotice, EmptyState, ErrorNotice, isCancelled, ProgressBar, useAction, useCancel, useInterval, useLoad, useReconnected } from '../components/ui';

interface Props {
  readonly detail: SessionDetail;
  readonly reload: () => void;
  readonly info: AppInfo | undefined;
}

export function WebSession({ detail, reload }: Props): ReactNode {
  const session = detail.session;
  const open = session.state !== 'sealed';
  const events = useLiveEvents(session.id, open, liveStart(session.eventCount));
  // The pages reload when one is captured (by seq: the live list is a window).
  const captures = lastSeqOf(events, (type) => type === 'web.capture');
  const pages = useLoad(() => api['web.pages']({ id: session.id }), [session.id, captures]);
  const [target, setTarget] = useState('');
  return (
    <div className="screen">
      <SessionHeader detail={detail} onChanged={reload} liveEventCount={liveCount(events)} />
      <div className="grid-2">
        <div className="stack">
          {open && <EnvironmentPanel sessionId={session.id} target={target} onTarget={setTarget} />}
          {open && <BrowsePanel sessionId={session.id} initial={target} />}
          {open && <CapturePanel sessionId={session.id} initial={target} onDone={pages.reload} />}
          <PagesPanel sessionId={session.id} pages={pages.value} error={pages.error} />
        </div>
        <div className="stack">
          <AnchoringPanel sessionId={session.id} open={open} refresh={detail} />
          <Timeline events={events} />
        </div>
      </div>
    </div>
  );
}

function EnvironmentPanel({ sessionId, target, onTarget }: { readonly sessionId: string; readonly target: string; readonly onTarget: (url: string) => void }): ReactNode {
  const { t, i18n } = useTranslation('web');
  const [report, setReport] = useState<EnvironmentCheck | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const checkCancel = useCancel();
  const run = useAction(async () => {
    setProgress({ done: 0, total: 1 });
    try {
      setReport(await api['web.checkEnvironment']({ id: sessionId, ...(target.trim() ? { url: target.trim() } : {}) }, { onProgress: (p) => setProgress({ done: p.done, total: p.total }), signal: checkCancel.signal() }));
    } finally {
      setProgress(null);
    }
  });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void run.run();
  };
  return (
    <section className="panel" aria-label={t('check.title')}>
      <div className="panel-head">
        <h3>{t('check.title')}</h3>
        {report && <Badge tone={report.verdict}>{t(`check.verdict.${report.verdict}`)}</Badge>}
      </div>
      <p className="muted small">{t('check.intro')}</p>
      <form className="toolbar" onSubmit={submit}>
        <input className="grow" type="url" value={target} placeholder={t('capture.placeholder')} aria-label={t('check.target')} onChange={(e) => onTarget(e.target.value)} />
        <button type="submit" className="primary" disabled={run.busy}>
          {report ? t('check.rerun') : t('check.run')}
        </button>
      </form>
      {progress && (
        <div className="progress-row">
          <ProgressBar done={progress.done} total={progress.total} label={t('check.running', progress)} />
          <CancelButton onCancel={checkCancel.cancel} cancelling={checkCancel.cancelling} />
        </div>
      )}
      {run.error !== undefined && (isCancelled(run.error) ? <CancelledNotice text={t('check.cancelled')} /> : <ErrorNotice error={run.error} />)}
      {report && (
        <>
          <ul className="findings">
            {report.findings.map((f) => (
              <li key={f.id} className="finding">
                <Badge tone={f.status}>{t(`check.status.${f.status}`)}</Badge>
                <div>
                  <div className="finding-title">{t(`finding.${f.id}`, { defaultValue: i18n.language === 'zh' && f.titleZh ? f.titleZh : f.title })}</div>
                  {/* The probe's own sentence is English: folded in Chinese, as the viewer does. */}
                  <TechnicalDetail detail={f.detail} />
                </div>
              </li>
            ))}
          </ul>
          {report.recordedSeq !== undefined && <p className="muted small">{t('check.recorded', { seq: report.recordedSeq })}</p>}
        </>
      )}
    </section>
  );
}

function BrowsePanel({ sessionId, initial }: { readonly sessionId: string; readonly initial: string }): ReactNode {
  const { t } = useTranslation('web');
  const [address, setAddress] = useState('');
  const [status, setStatus] = useState<BrowseStatus | null>(null);
  const [done, setDone] = useState<number | null>(null);
  useEffect(() => void api['web.browse.status']({ id: sessionId }).then(setStatus, () => undefined), [sessionId]);
  const active = status?.state === 'browsing' || status?.state === 'stopping';
  useInterval(() => void api['web.browse.status']({ id: sessionId }).then(setStatus, () => undefined), 1000, active);
  useReconnected(() => void api['web.browse.status']({ id: sessionId }).then(setStatus, () => undefined));
  const act = useAction(async (what: 'open' | 'capture' | 'stop') => {
    if (what === 'open') {
      const url = (address.trim() || initial.trim()) || undefined;
      setStatus(await api['web.browse.start']({ id: sessionId, ...(url ? { url } : {}) }));
    } else if (what === 'capture') {
      const event = await api['web.browse.captureNow']({ id: sessionId });
      setDone(event.seq);
    } else {
      setStatus(await api['web.browse.stop']({ id: sessionId }));
    }
  });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void act.run('open');
  };
  return (
    <section className="panel" aria-label={t('browse.title')}>
      <div className="panel-head">
        <h3>{t('browse.title')}</h3>
        {status && (
          <span className="recorder">
            <span className={`rec-dot${status.state === 'browsing' && status.recording ? ' on' : ''}`} aria-hidden="true" />
            <span className="muted small" role="status">
              {t(`browse.state.${status.state}`)} · {t('browse.captured', { count: status.captures })}
            </span>
          </span>
        )}
      </div>
      <p className="muted small">{t('browse.intro')}</p>
      {!active ? (
        <form className="toolbar" onSubmit={submit}>
          <input className="grow" type="url" value={address} placeholder={initial || t('capture.placeholder')} aria-label={t('browse.address')} onChange={(e) => setAddress(e.target.value)} />
          <button type="submit" className="primary" disabled={act.busy}>
            {t('browse.open')}
          </button>
        </form>
      ) : (
        <div className="toolbar">
          <span className="grow mono small">{status?.url ? t('browse.current', { url: status.url }) : ''}</span>
          <button type="button" className="primary" onClick={() => void act.run('capture')} disabled={act.busy || status?.state !== 'browsing'}>
            {t('browse.captureNow')}
          </button>
          <button type="button" className="danger" onClick={() => void act.run('stop')} disabled={act.busy || status?.state !== 'browsing'}>
            {t('browse.stop')}
          </button>
        </div>
      )}
      {active && status && !status.recording && <p className="muted small">{t('browse.noRecording')}</p>}
      {done !== null && (
        <p className="muted small" role="status">
          {t('browse.done', { seq: done })}
        </p>
      )}
      {status?.lastError && <p className="notice notice-error">{status.lastError}</p>}
      {act.error !== undefined && <ErrorNotice error={act.error} />}
    </section>
  );
}

function CapturePanel({ sessionId, initial, onDone }: { readonly sessionId: string; readonly initial: string; readonly onDone: () => void }): ReactNode {
  const { t } = useTranslation('web');
  const [text, setText] = useState('');
  const [concurrency, setConcurrency] = useState(2);
  const [states, setStates] = useState<Map<string, CaptureProgress>>(new Map());
  const [summary, setSummary] = useState<BatchSummary | null>(null);
  const [invalid, setInvalid] = useState(false);
  const batchCancel = useCancel();
  const urls = (text.trim() ? text : initial).split(/\s+/).map((u) => u.trim()).filter(Boolean);
  const capture = useAction(async () => {
    if (urls.length === 0 || urls.some((u) => !/^https?:\/\//i.test(u))) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setSummary(null);
    setStates(new Map(urls.map((url) => [url, { url, state: 'queued', attempt: 1 }])));
    try {
      setSummary(await api['web.capture']({ id: sessionId, urls, concurrency }, { onProgress: (p) => setStates((prev) => new Map(prev).set(p.url, p)), signal: batchCancel.signal() }));
    } finally {
      // Cancelled or not, what was captured is in the session now.
      onDone();
    }
  });
  const cancelledBatch = isCancelled(capture.error) && capture.error instanceof ApiError ? capture.error.params : undefined;
  const finished = [...states.values()].filter((s) => s.state === 'done' || s.state === 'failed').length;
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void capture.run();
  };
  return (
    <section className="panel" aria-label={t('capture.title')}>
      <h3>{t('capture.title')}</h3>
      <form className="form" onSubmit={submit}>
        <label>
          <span>{t('capture.urls')}</span>
          <textarea rows={3} value={text} placeholder={initial || t('capture.placeholder')} onChange={(e) => setText(e.target.value)} className="mono" />
        </label>
        <div className="toolbar">
          <label className="check">
            {t('capture.concurrency')}
            <select value={concurrency} onChange={(e) => setConcurrency(Number(e.target.value))}>
              {[1, 2, 3, 4].map((n) => (
                <option key={n}>{n}</option>
              ))}
            </select>
          </label>
          <button type="submit" className="primary" disabled={capture.busy}>
            {t('capture.start')}
          </button>
        </div>
      </form>
      {invalid && <p className="notice notice-error">{t('capture.invalid')}</p>}
      {states.size > 0 && (
        <>
          {capture.busy && (
            <div className="progress-row">
              <ProgressBar done={finished} total={states.size} label={t('capture.running', { done: finished, total: states.size })} />
              <CancelButton onCancel={batchCancel.cancel} cancelling={batchCancel.cancelling} />
            </div>
          )}
          <ul className="findings url-states">
            {[...states.values()].map((s) => (
              <li key={s.url} className="finding">
                <Badge tone={s.state === 'done' ? 'pass' : s.state === 'failed' ? 'fail' : s.state === 'retrying' || s.state === 'cancelled' ? 'warn' : 'skip'}>{t(`capture.state.${s.state}`)}</Badge>
                <div>
                  <div className="finding-title mono">{s.url}</div>
                  {/* A cancelled URL's badge and the notice below say it in the reader's language. */}
                  {s.message && s.state !== 'cancelled' && <FailureMessage message={s.message} />}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
      {summary && (
        <p className={`notice ${summary.results.every((r) => r.ok) ? 'notice-ok' : 'notice-warn'}`} role="status">
          {t('capture.summary', { ok: summary.results.filter((r) => r.ok).length, failed: summary.results.filter((r) => !r.ok).length })}
        </p>
      )}
      {capture.error !== undefined &&
        (cancelledBatch ? (
          <CancelledNotice text={t('capture.cancelled', { captured: cancelledBatch['captured'] ?? 0, total: cancelledBatch['total'] ?? states.size, notCaptured: cancelledBatch['notCaptured'] ?? 0 })} />
        ) : (
          <ErrorNotice error={capture.error} />
        ))}
    </section>
  );
}

function PagesPanel({ sessionId, pages, error }: { readonly sessionId: string; readonly pages: readonly CapturedPage[] | undefined; readonly error: unknown }): ReactNode {
  const { t } = useTranslation('web');
  return (
    <section className="panel" aria-label={t('pages.title')}>
      <h3>
        {t('pages.title')} {pages && <span className="muted">({pages.length})</span>}
      </h3>
      {error !== undefined && <ErrorNotice error={error} />}
      {pages && pages.length === 0 && (
        <EmptyState title={t('pages.empty')}>
          <p>{t('pages.emptyBody')}</p>
        </EmptyState>
      )}
      <div className="pages">
        {pages?.map((page) => (
          <PageCard key={page.seq} page={page} links={{ url: (artifact) => mediaUrl.blob(sessionId, artifact.sha256) }} />
        ))}
      </div>
    </section>
  );
}

/** Why a URL failed: the known kinds in the reader's words, the core's English folded in Chinese. */
function FailureMessage({ message }: { readonly message: string }): ReactNode {
  const { t, i18n } = useTranslation('common');
  const kind = failureKindOf(undefined, message);
  if (i18n.language !== 'zh') return <div className="finding-detail">{message}</div>;
  return (
    <>
      <div className="finding-detail">{t(`captureFailure.${kind ?? 'other'}`)}</div>
      {!kind && <TechnicalDetail detail={message} />}
    </>
  );
}
