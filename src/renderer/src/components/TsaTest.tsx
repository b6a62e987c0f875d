// The Test TSA button and what each TSA answered: a real token's time and signer, whether verify
// would trust it, or why no token came. Used by Home's readiness panel and Settings' TSA section.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TsaTestResult } from '../../../shared/views';
import { api } from '../client';
import { formatTime } from '../i18n';
import { Badge, ErrorNotice, useAction } from './ui';
import { useSignatureAlgorithm } from './signature-algorithm';
import '../sessions/readiness.css';

/**
 * `urls`: test these (Settings' form, before saving); absent: the TSAs saved in Settings.
 * `onTested`: told after each test, so a panel can refresh what it shows.
 */
export function TsaTest({ urls, onTested }: { readonly urls?: readonly string[]; readonly onTested?: () => void }): ReactNode {
  const { t } = useTranslation('readiness');
  const [results, setResults] = useState<readonly TsaTestResult[] | null>(null);
  const test = useAction(async () => {
    setResults(null);
    const answers = urls === undefined ? await api['tsa.test']({}) : (await Promise.all(urls.map((url) => api['tsa.test']({ url })))).flat();
    setResults(answers);
    onTested?.();
  });
  const none = urls !== undefined && urls.length === 0;
  return (
    <div className="tsa-test">
      <div className="tsa-test-head">
        <button type="button" onClick={() => void test.run()} disabled={test.busy || none}>
          {t('test.button')}
        </button>
        <span className="hint">{none ? t('test.noUrls') : t('test.hint')}</span>
      </div>
      {test.busy && (
        <p className="muted" role="status">
          {t('test.testing')}
        </p>
      )}
      {test.error !== undefined && <ErrorNotice error={test.error} />}
      {results && (
        <ul className="tsa-results" aria-label={t('test.button')}>
          {results.map((result, index) => (
            <TsaAnswer key={`${result.url}-${index}`} result={result} />
          ))}
        </ul>
      )}
    </div>
  );
}

function TsaAnswer({ result }: { readonly result: TsaTestResult }): ReactNode {
  const { t } = useTranslation('readiness');
  const algorithmName = useSignatureAlgorithm();
  if (!result.ok || !result.genTime) {
    const reason = result.error?.reason ?? 'unusable';
    return (
      <li className="tsa-result tsa-result-fail" role="alert">
        <div className="tsa-result-head">
          <Badge tone="fail">{t('test.failed')}</Badge>
          <span className="mono">{result.url}</span>
        </div>
        <p>{t(`test.reason.${reason}`, { url: result.url })}</p>
        {result.error && (
          <details className="technical">
            <summary>{t('test.details')}</summary>
            <span className="mono">{result.error.message}</span>
          </details>
        )}
      </li>
    );
  }
  return (
    <li className={`tsa-result ${result.trusted ? 'tsa-result-ok' : 'tsa-result-warn'}`} role="status">
      <div className="tsa-result-head">
        <Badge tone="pass">{t('test.received')}</Badge>
        <span className="mono">{result.url}</span>
        <span className="muted small">{t('test.ok', { ms: result.elapsedMs })}</span>
      </div>
      <dl className="tsa-facts">
        <dt>{t('test.name')}</dt>
        <dd className="tsa-name">{result.tsaName ?? result.signer ?? '—'}</dd>
        {result.algorithm && (
          <>
            <dt>{t('test.algorithm')}</dt>
            <dd className="tsa-algorithm">{algorithmName(result.algorithm)}</dd>
          </>
        )}
        <dt>{t('test.time')}</dt>
        <dd>
          <time dateTime={result.genTime}>{formatTime(result.genTime)}</time>
          {result.accuracyMs !== undefined && <span className="muted"> {t('test.accuracy', { ms: result.accuracyMs })}</span>}
        </dd>
      </dl>
      <p className={result.trusted ? 'tsa-trust-ok' : 'tsa-trust-warn'}>{result.trusted ? t('test.trusted') : t(`test.untrusted.${result.trustProblem?.cause ?? 'path'}`)}</p>
    </li>
  );
}
