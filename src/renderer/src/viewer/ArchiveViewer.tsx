// The lawyer's view: open a Proofline archive, verify it on this computer, read the verdict in
// plain words, then look at what it holds (timeline with the screen recording, images with their
// parameters, captured pages in sealed frames, the environment reports, every file).
import { useCallback, useEffect, useRef, useState, type DragEvent, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ArchiveContents, ArchiveHandle, Progress, VerifyReport } from '../../../shared/views';
import { api, ApiError, inDesktopApp, uploadArchive } from '../client';
import { ChecksPanel, FactsPanel, VerdictBanner } from './Verdict';
import type { ArchiveView } from './archive-view';
import { EnvironmentTab } from './tabs/EnvironmentTab';
import { FilesTab } from './tabs/FilesTab';
import { ImagesTab } from './tabs/ImagesTab';
import { alteredShas } from './altered';
import { PagesTab } from './tabs/PagesTab';
import { TimelineTab } from './tabs/TimelineTab';
import { TimeTab } from './tabs/TimeTab';
import { TimeSummary } from './TimeProof';
import { RenewalProof } from './RenewalProof';
import { PublishedCheckPanel } from './PublishedCheck';
import { ReportButton } from './ReportButton';
import { CancelButton, CancelledNotice, ErrorNotice, isCancelled, ProgressBar } from '../components/ui';
import { formatBytes } from '../i18n';
import { takePendingArchive } from '../vault/open-in-viewer';
import { VaultPushCard } from '../vault/VaultPushCard';
import '../archive.css';

interface Opened {
  readonly handle: ArchiveHandle;
  /** The name the person chose (an upload is stored under a unique name). */
  readonly displayName: string;
  readonly report?: VerifyReport;
  readonly verifyError?: unknown;
  readonly progress?: Progress;
  /** The Cancel button was pressed; the host is stopping the verification. */
  readonly cancelling?: boolean;
  readonly contents?: ArchiveContents;
  readonly contentsError?: unknown;
  /** Verifies it again (after a cancel). */
  readonly verify: () => void;
  readonly cancelVerify: () => void;
}

type Tab = 'checks' | 'time' | 'timeline' | 'images' | 'pages' | 'environment' | 'files';

export function ArchiveViewer(): ReactNode {
  const { t } = useTranslation('archive');
  const [opened, setOpened] = useState<Opened | null>(null);
  const [opening, setOpening] = useState<{ name: string; size: number; done?: number } | null>(null);
  const [openError, setOpenError] = useState<unknown>(undefined);
  const generation = useRef(0);
  // The verification under way: Cancel, opening another archive or leaving the screen aborts it.
  const verifying = useRef<AbortController | null>(null);
  useEffect(() => () => verifying.current?.abort(), []);

  /** Verifies the opened archive (again), its progress and verdict into `update`. */
  const verify = useCallback(async (handle: ArchiveHandle, update: (patch: Partial<Opened>) => void) => {
    verifying.current?.abort();
    const controller = (verifying.current = new AbortController());
    update({ report: undefined, verifyError: undefined, progress: undefined, cancelling: false });
    try {
      const report = await api['archive.verify']({ archive: handle.archive }, { onProgress: (progress) => update({ progress }), signal: controller.signal });
      update({ report });
    } catch (verifyError) {
      update({ verifyError });
    } finally {
      if (verifying.current === controller) verifying.current = null;
    }
  }, []);
  const cancelVerify = useCallback((update: (patch: Partial<Opened>) => void) => {
    update({ cancelling: true });
    verifying.current?.abort();
  }, []);

  const openPath = useCallback(async (path: string, displayName?: string) => {
    const mine = ++generation.current;
    setOpenError(undefined);
    let handle: ArchiveHandle;
    try {
      handle = await api['archive.open']({ path });
    } catch (error) {
      // The host's words are English; a missing file is the common case, so say it here.
      setOpenError(error instanceof ApiError && error.kind === 'not-found' ? new ApiError({ kind: 'not-found', message: t('open.notFound', { path }) }) : error);
      return;
    }
    if (mine !== generation.current) return;
    const update = (patch: Partial<Opened>): void => {
      if (mine === generation.current) setOpened((current) => (current && current.handle.archive === handle.archive ? { ...current, ...patch } : current));
    };
    setOpened({ handle, displayName: displayName ?? handle.name, verify: () => void verify(handle, update), cancelVerify: () => cancelVerify(update) });
    void api['archive.contents']({ archive: handle.archive }).then(
      (contents) => update({ contents }),
      (contentsError: unknown) => update({ contentsError }),
    );
    await verify(handle, update);
  }, [t, verify, cancelVerify]);
  // An archive the vault screen brought down (vault.open): opened as any file is.
  useEffect(() => {
    const pending = takePendingArchive();
    if (pending) void openPath(pending.path, pending.name);
  }, [openPath]);

  const openFile = useCallback(
    async (file: File) => {
      setOpenError(undefined);
      if (!/\.zip$/i.test(file.name)) {
        setOpenError(new Error(t('open.notZip', { name: file.name })));
        return;
      }
      setOpening({ name: file.name, size: file.size });
      try {
        const path = await uploadArchive(file, (done, total) => setOpening({ name: file.name, size: total, done }));
        await openPath(path, file.name);
      } catch (error) {
        setOpenError(error);
      } finally {
        setOpening(null);
      }
    },
    [openPath, t],
  );

  const close = (): void => {
    generation.current++;
    verifying.current?.abort();
    setOpened(null);
    setOpenError(undefined);
  };

  return (
    <div className="screen archive-screen">
      <header className="screen-head">
        <div>
          <h1>{t('title')}</h1>
          {opened ? (
            <p className="subtitle">
              <span className="mono archive-name" title={opened.handle.path}>
                {opened.displayName}
              </span>
              <span>{formatBytes(opened.handle.size)}</span>
            </p>
          ) : (
            <p className="subtitle intro">{t('intro')}</p>
          )}
        </div>
        {opened && (
          <div className="actions">
            <button type="button" onClick={close}>
              {t('open.another')}
            </button>
          </div>
        )}
        {opened && <ReportButton archive={opened.handle.archive} />}
      </header>

      {!opened && <OpenPanel busy={opening} onPath={(p) => void openPath(p)} onFile={(f) => void openFile(f)} onError={setOpenError} />}
      {openError !== undefined && <ErrorNotice error={openError} />}
      {opened && <OpenedArchive opened={opened} />}
    </div>
  );
}

function OpenPanel({
  busy,
  onPath,
  onFile,
  onError,
}: {
  readonly busy: { name: string; size: number; done?: number } | null;
  readonly onPath: (path: string) => void;
  readonly onFile: (file: File) => void;
  readonly onError: (error: unknown) => void;
}): ReactNode {
  const { t } = useTranslation('archive');
  const [path, setPath] = useState('');
  const [over, setOver] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (path.trim()) onPath(path.trim());
  };
  const choose = async (): Promise<void> => {
    try {
      const chosen = await api['dialog.chooseArchive']({});
      if (chosen) onPath(chosen);
    } catch (error) {
      onError(error);
    }
  };
  const drop = (event: DragEvent): void => {
    event.preventDefault();
    setOver(false);
    const file = event.dataTransfer.files[0];
    if (file) onFile(file);
  };
  return (
    <section className="panel open-panel" aria-label={t('title')}>
      {inDesktopApp ? (
        <div className="open-choose">
          <button type="button" className="primary big" onClick={() => void choose()} autoFocus>
            {t('open.choose')}
          </button>
        </div>
      ) : (
        <div
          className={`dropzone${over ? ' over' : ''}`}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={drop}
        >
          <span className="dropzone-icon" aria-hidden="true" />
          <p className="dropzone-title">{t('open.dropTitle')}</p>
          <p className="muted">
            {t('open.dropOr')}{' '}
            <button type="button" className="primary" onClick={() => fileInput.current?.click()} disabled={busy !== null}>
              {t('open.pick')}
            </button>
          </p>
          <input
            ref={fileInput}
            className="visually-hidden"
            type="file"
            accept=".zip,application/zip"
            aria-label={t('open.pick')}
            data-testid="archive-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) onFile(file);
            }}
          />
          {busy && (
            <div className="upload-progress">
              {busy.done !== undefined && busy.done > 0 ? (
                <ProgressBar done={busy.done} total={busy.size} />
              ) : (
                <div className="indeterminate" role="progressbar" aria-label={t('open.uploading', { name: busy.name, size: formatBytes(busy.size) })} />
              )}
              <span className="progress-label">{t('open.uploading', { name: busy.name, size: formatBytes(busy.size) })}</span>
            </div>
          )}
        </div>
      )}
      <form className="path-form" onSubmit={submit}>
        <label htmlFor="archive-path">{t('open.pathLabel')}</label>
        <div className="path-row">
          <input id="archive-path" className="grow mono-input" value={path} placeholder={t('open.pathPlaceholder')} onChange={(e) => setPath(e.target.value)} spellCheck={false} autoComplete="off" />
          <button type="submit" disabled={!path.trim() || busy !== null}>
            {t('open.pathOpen')}
          </button>
        </div>
      </form>
      <p className="muted small open-hint">{t('empty.body')}</p>
    </section>
  );
}

function OpenedArchive({ opened }: { readonly opened: Opened }): ReactNode {
  const { t } = useTranslation('archive');
  const [tab, setTab] = useState<Tab>('checks');
  const { report, contents, progress } = opened;
  const view: ArchiveView | undefined = contents ? { handle: opened.handle.archive, contents } : undefined;
  const count = (types: readonly string[]): number => contents?.events.filter((e) => types.includes(e.type)).length ?? 0;
  const fileCount = contents ? contents.events.reduce((n, e) => n + e.artifacts.length, 0) : 0;
  const lateEvents = report?.anchoring?.lateEvents ?? 0;
  // Ended without a report: the panels say so instead of "Verifying…".
  const stopped = opened.verifyError === undefined ? undefined : isCancelled(opened.verifyError) ? t('verifyCancelled') : t('verifyFailed');
  const tabs: { id: Tab; label: string; count?: number; warn?: boolean }[] = [
    { id: 'checks', label: t('tabs.checks'), count: report?.checks.length },
    { id: 'time', label: t('tabs.time'), warn: lateEvents > 0 },
    { id: 'timeline', label: t('tabs.timeline'), count: contents?.events.length },
    { id: 'images', label: t('tabs.images'), count: contents?.gallery.images.length ?? 0 },
    { id: 'pages', label: t('tabs.pages'), count: contents?.pages.length ?? 0 },
    { id: 'environment', label: t('tabs.environment'), count: count(['environment.snapshot', 'web.environment-check']) },
    { id: 'files', label: t('tabs.files'), count: fileCount },
  ];
  useEffect(() => setTab('checks'), [opened.handle.archive]);

  const onKey = (event: KeyboardEvent): void => {
    const index = tabs.findIndex((x) => x.id === tab);
    const next = event.key === 'ArrowRight' ? index + 1 : event.key === 'ArrowLeft' ? index - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? tabs.length - 1 : null;
    if (next === null) return;
    event.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length]!;
    setTab(target.id);
    document.getElementById(`archive-tab-${target.id}`)?.focus();
  };

  return (
    <>
      {!report && opened.verifyError === undefined && (
        <section className="panel verifying progress-row" aria-live="polite">
          <ProgressBar
            done={progress?.done ?? 0}
            total={progress?.total ?? 0}
            label={
              progress
                ? progress.detail
                  ? t('verifyingFile', { done: formatBytes(progress.done), total: formatBytes(progress.total), file: progress.detail })
                  : t('verifying', { done: formatBytes(progress.done), total: formatBytes(progress.total) })
                : t('verifyingStart')
            }
          />
          <CancelButton onCancel={opened.cancelVerify} cancelling={opened.cancelling === true} />
        </section>
      )}
      {opened.verifyError !== undefined &&
        (isCancelled(opened.verifyError) ? (
          <div className="progress-row">
            <CancelledNotice text={t('verifyCancelled')} />
            <button type="button" onClick={opened.verify}>
              {t('verifyAgain')}
            </button>
          </div>
        ) : (
          <ErrorNotice error={opened.verifyError} />
        ))}
      {report && <VerdictBanner report={report} />}
      {/* Under a failed verdict nothing is relied on, "time proven" included: the Time tab still says what the tokens prove. */}
      {report?.anchoring && (report.verdict === 'verified' || report.verdict === 'unattested') && <TimeSummary anchoring={report.anchoring} onOpen={() => setTab('time')} />}
      {/* After the verdict: the host finds the archive's pushes by its SHA-256, a second read of the whole file. */}
      {report && <VaultPushCard archive={opened.handle.archive} />}
      {report?.verdict !== 'unusable' && (
        <>
          <div className="tabs" role="tablist" aria-label={t('title')} onKeyDown={onKey}>
            {tabs.map((x) => (
              <button
                key={x.id}
                id={`archive-tab-${x.id}`}
                type="button"
                role="tab"
                aria-selected={tab === x.id}
                aria-controls={`archive-panel-${x.id}`}
                tabIndex={tab === x.id ? 0 : -1}
                className={`tab${tab === x.id ? ' active' : ''}`}
                onClick={() => setTab(x.id)}
              >
                {x.label}
                {x.count !== undefined && <span className="tab-count">{x.count}</span>}
                {x.warn && <span className="tab-warn" aria-hidden="true" />}
              </button>
            ))}
          </div>

          <div role="tabpanel" id={`archive-panel-${tab}`} aria-labelledby={`archive-tab-${tab}`} className="tab-panel">
            {tab === 'checks' && (
              <div className="grid-2">
                <ChecksPanel report={report} stopped={stopped} />
                <FactsPanel contents={contents} report={report} contentsError={opened.contentsError} />
              </div>
            )}
            {tab === 'time' && (report ? (<><TimeTab anchoring={report.anchoring} /><RenewalProof chain={report.renewal} renew={report.exitCode === 0 || report.exitCode === 3 ? { archive: opened.handle.archive, onRenewed: opened.verify } : undefined} /></>) : <p className="muted">{stopped ?? t('verifyingStart')}</p>)}
            {tab !== 'checks' && tab !== 'time' && opened.contentsError !== undefined && <ErrorNotice error={opened.contentsError} />}
            {tab !== 'checks' && tab !== 'time' && !view && opened.contentsError === undefined && <p className="muted">{t('common:loading')}</p>}
            {view && tab === 'timeline' && <TimelineTab view={view} anchoring={report?.anchoring} altered={alteredShas(report)} />}
            {view && tab === 'images' && <ImagesTab view={view} altered={alteredShas(report)} />}
            {view && tab === 'images' && <PublishedCheckPanel archive={opened.handle.archive} />}
            {view && tab === 'pages' && <PagesTab view={view} altered={alteredShas(report)} />}
            {view && tab === 'environment' && <EnvironmentTab view={view} />}
            {view && tab === 'files' && <FilesTab view={view} />}
          </div>
        </>
      )}
    </>
  );
}
