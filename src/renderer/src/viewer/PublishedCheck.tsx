// "Check a published image" (Images tab): does an image published with Content Credentials and a
// TC260 label (GB 45438-2025) come from the opened archive? The same check as `proofline inspect
// IMAGE --archive ZIP` (archive.checkPublished), one line per fact, each answered yes or no.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { PublishedImageCheck } from '../../../shared/views';
import { api } from '../client';
import { Badge, ErrorNotice } from '../components/ui';
import { formatTime } from '../i18n';
import { tsaName } from './TimeProof';

type Tone = 'pass' | 'fail' | 'warn' | 'skip';
interface Fact {
  readonly id: string;
  readonly tone: Tone;
  readonly text: string;
}

export function PublishedCheckPanel({ archive }: { readonly archive: string }): ReactNode {
  const { t } = useTranslation('archive');
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<PublishedImageCheck | null>(null);
  const [error, setError] = useState<unknown>(undefined);

  const submit = async (event: FormEvent): Promise<void> => {
    event.preventDefault();
    if (!path.trim()) return;
    setBusy(true);
    setResult(null);
    setError(undefined);
    try {
      setResult(await api['archive.checkPublished']({ archive, image: path.trim() }));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel published-check" aria-label={t('published.title')}>
      <h3>{t('published.title')}</h3>
      <p className="muted small">{t('published.intro')}</p>
      <form className="path-form" onSubmit={(e) => void submit(e)}>
        <label htmlFor="published-image-path">{t('published.pathLabel')}</label>
        <div className="path-row">
          <input id="published-image-path" className="grow mono-input" value={path} placeholder={t('published.pathPlaceholder')} onChange={(e) => setPath(e.target.value)} spellCheck={false} autoComplete="off" />
          <button type="submit" disabled={!path.trim() || busy}>
            {busy ? t('published.checking') : t('published.check')}
          </button>
        </div>
      </form>
      {error !== undefined && <ErrorNotice error={error} />}
      {result && <PublishedCheckResult result={result} />}
    </section>
  );
}

function PublishedCheckResult({ result: r }: { readonly result: PublishedImageCheck }): ReactNode {
  const { t } = useTranslation('archive');
  const none = t('published.nothing');
  const failed = (name: PublishedImageCheck['mismatches'][number]): boolean => r.mismatches.includes(name);
  const stamp = r.timeStamp;
  const facts: Fact[] = [
    { id: 'c2pa', tone: r.c2pa.ok ? 'pass' : 'fail', text: r.c2pa.ok ? t('published.c2pa') : t('published.c2paFailed', { failures: r.c2pa.failures.join(', ') }) },
    { id: 'device', tone: r.device.ok ? 'pass' : 'fail', text: t(r.device.ok ? 'published.device' : 'published.deviceFailed', { signer: r.device.signer ?? none }) },
    { id: 'archive', tone: failed('archive') ? 'fail' : 'pass', text: t(failed('archive') ? 'published.archiveFailed' : 'published.archive', { sha: r.named.tagManifestSha256 ?? none, ours: r.archive.tagManifestSha256 }) },
    { id: 'session', tone: failed('session') ? 'fail' : 'pass', text: t(failed('session') ? 'published.sessionFailed' : 'published.session', { id: r.named.sessionId ?? none, ours: r.archive.sessionId }) },
    r.label.present
      ? { id: 'label', tone: r.label.ok ? 'pass' : 'fail', text: t(r.label.ok ? 'published.label' : 'published.labelFailed', { produceId: r.label.produceId ?? none, code: r.label.reservedCode1 ?? none }) }
      : { id: 'label', tone: 'skip', text: t('published.labelNone') },
    {
      id: 'time-stamp',
      tone: stamp.status === 'verified' ? 'pass' : stamp.status === 'invalid' ? 'fail' : stamp.status === 'untrusted' ? 'warn' : 'skip',
      text:
        stamp.status === 'none'
          ? t('published.stampNone')
          : stamp.status === 'invalid'
            ? t('published.stampInvalid', { detail: stamp.detail })
            : t(stamp.status === 'verified' ? 'published.stampVerified' : 'published.stampUntrusted', { time: formatTime(stamp.genTime), tsa: tsaName(stamp.tsa) }),
    },
  ];
  const list = r.mismatches.map((m) => t(`published.names.${m}`)).join(t('published.separator'));
  return (
    <div className="published-result" data-file={r.file} data-exit={r.exitCode} data-mismatches={r.mismatches.join(' ')}>
      <ul className="published-facts">
        {facts.map((f) => (
          <li key={f.id} data-fact={f.id} data-tone={f.tone}>
            <Badge tone={f.tone}>{f.tone === 'pass' ? t('published.pass') : f.tone === 'fail' ? t('published.fail') : t('published.none')}</Badge> <span className="mono-wrap">{f.text}</span>
          </li>
        ))}
      </ul>
      <p className={`published-verdict ${r.exitCode === 1 ? 'fail-text' : r.exitCode === 3 ? 'warn-text' : 'pass-text'}`} role="status">
        {t(`published.result.${r.exitCode}`, { list })}
      </p>
    </div>
  );
}
