// "Court report (PDF)": archive.report on an opened archive. In the app the PDF is written beside
// the exports and its path shown; in the browser host (`proofline serve`) the browser downloads
// it from the host's report/<id> address.
import { useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ReportSummary } from '../../../shared/views';
import { api, inDesktopApp } from '../client';
import { CancelButton, CancelledNotice, ErrorNotice, isCancelled } from '../components/ui';

function downloadUrl(summary: ReportSummary): string | undefined {
  return summary.download ? `/media/${summary.download.split('/').map(encodeURIComponent).join('/')}` : undefined;
}

/** Starts the browser's download of the report, as a click on its link would. */
function startDownload(url: string, name: string): void {
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}

export function ReportButton({ archive }: { readonly archive: string }): ReactNode {
  const { t, i18n } = useTranslation('report');
  const [lang, setLang] = useState<'zh' | 'en'>(i18n.language.startsWith('zh') ? 'zh' : 'en');
  const [busy, setBusy] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const [result, setResult] = useState<ReportSummary | null>(null);
  const [error, setError] = useState<unknown>();
  const controller = useRef<AbortController | null>(null);

  const make = async (): Promise<void> => {
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    setBusy(true);
    setCancelling(false);
    setResult(null);
    setError(undefined);
    try {
      const summary = await api['archive.report']({ archive, lang }, { signal: abort.signal });
      setResult(summary);
      const url = downloadUrl(summary);
      if (url && !inDesktopApp) startDownload(url, summary.name);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const url = result ? downloadUrl(result) : undefined;
  return (
    <div className="report-button" data-testid="court-report">
      <div className="actions">
        <label>
          {t('language')}{' '}
          <select value={lang} onChange={(e) => setLang(e.target.value === 'zh' ? 'zh' : 'en')} disabled={busy}>
            <option value="zh">{t('languages.zh')}</option>
            <option value="en">{t('languages.en')}</option>
          </select>
        </label>
        <button type="button" className="primary" onClick={() => void make()} disabled={busy}>
          {t('button')}
        </button>
        {busy && (
          <CancelButton
            cancelling={cancelling}
            onCancel={() => {
              setCancelling(true);
              controller.current?.abort();
            }}
          />
        )}
      </div>
      {busy && <p className="muted">{t('making')}</p>}
      {result && (
        <div className="report-result">
          <p>{t('written', { path: inDesktopApp ? result.path : result.name, pages: result.pages })}</p>
          {url && (
            <p>
              <a href={url} download={result.name}>
                {t('download')}
              </a>
            </p>
          )}
          <p className="muted">
            {t('signed', { key: result.signature.reportKeyId.slice(0, 16) })}{' '}
            {result.signature.timestampedBy ? t('timestamped', { tsa: result.signature.timestampedBy }) : t('notTimestamped')}
          </p>
        </div>
      )}
      {error !== undefined && (isCancelled(error) ? <CancelledNotice text={t('cancelled')} /> : <ErrorNotice error={error} />)}
    </div>
  );
}
