// Settings: trusted time, watched folders, tools, recording, language and the device key. One
// form: Enter saves; the host validates, and each problem is shown next to its field.
import { TechnicalDetail } from '../components/TechnicalDetail';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Settings } from '../../../shared/contract';
import type { AppInfo } from '../../../shared/views';
import { api, ApiError, inDesktopApp } from '../client';
import { Badge, ErrorNotice, useLoad } from '../components/ui';
import { TsaTest } from '../components/TsaTest';
import { setLanguage } from '../i18n';
import { VaultSettings } from '../vault/VaultSettings';
import '../archive.css';

type Issues = Readonly<Record<string, string>>;
type ListKey = 'tsaUrls' | 'trustedRootFiles' | 'watchFolders' | 'draftFolders' | 'modelFolders';
const LIST_KEYS: readonly ListKey[] = ['tsaUrls', 'trustedRootFiles', 'watchFolders', 'draftFolders', 'modelFolders'];

/** The words for a field's problem, chosen by which field it is (the host's text is English). */
function issueKey(path: string, message = ''): string {
  // The host read the file and found no certificate in it (or could not read it).
  if (/^trustedRootFiles\.\d+$/.test(path) && /certificate|cannot be read|no such file/i.test(message)) return 'errors.root';
  if (/^(tsaUrls|comfyuiUrl)\.\d+$|^comfyuiUrl$/.test(path)) return 'errors.url';
  if (LIST_KEYS.some((k) => path === k)) return 'errors.tooMany';
  if (/^(trustedRootFiles|watchFolders|draftFolders|modelFolders)\.\d+$/.test(path)) return 'errors.path';
  if (path === 'recording.fps') return 'errors.fps';
  if (path === 'recording.segmentSeconds') return 'errors.segment';
  if (path === 'anchorSeconds') return 'errors.checkpoint';
  return 'errors.generic';
}

const clean = (s: Settings): Settings => ({
  ...s,
  tsaUrls: s.tsaUrls.map((v) => v.trim()).filter(Boolean),
  trustedRootFiles: s.trustedRootFiles.map((v) => v.trim()).filter(Boolean),
  watchFolders: s.watchFolders.map((v) => v.trim()).filter(Boolean),
  draftFolders: s.draftFolders.map((v) => v.trim()).filter(Boolean),
  modelFolders: s.modelFolders.map((v) => v.trim()).filter(Boolean),
  comfyuiUrl: s.comfyuiUrl.trim(),
  ffmpegPath: s.ffmpegPath.trim(),
  browserPath: s.browserPath.trim(),
});

export function SettingsScreen({ info, onSaved }: { readonly info: AppInfo | undefined; readonly onSaved: () => void }): ReactNode {
  const { t } = useTranslation('settings');
  const loaded = useLoad(() => api['settings.get']({}), []);
  const [draft, setDraft] = useState<Settings | null>(null);
  const [stored, setStored] = useState<Settings | null>(null);
  const [issues, setIssues] = useState<Issues>({});
  const [saving, setSaving] = useState(false);
  const [justSaved, setJustSaved] = useState(false);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    if (loaded.value && !draft) {
      setDraft(loaded.value);
      setStored(loaded.value);
    }
  }, [loaded.value, draft]);

  if (!draft) {
    return (
      <div className="screen">
        <h1>{t('title')}</h1>
        {loaded.error !== undefined ? <ErrorNotice error={loaded.error} onRetry={loaded.reload} /> : <p className="muted">{t('common:loading')}</p>}
      </div>
    );
  }

  const dirty = JSON.stringify(clean(draft)) !== JSON.stringify(stored);
  const change = (patch: Partial<Settings>): void => {
    setDraft({ ...draft, ...patch });
    setJustSaved(false);
  };
  const changeRecording = (patch: Partial<Settings['recording']>): void => change({ recording: { ...draft.recording, ...patch } });
  const issueAt = (path: string): string | undefined => (issues[path] !== undefined ? t(issueKey(path, issues[path])) : undefined);

  const save = async (event?: FormEvent): Promise<void> => {
    event?.preventDefault();
    const next = clean(draft);
    setDraft(next); // issue paths (tsaUrls.1) index the list as sent
    setSaving(true);
    setError(undefined);
    setIssues({});
    setJustSaved(false);
    try {
      const result = await api['settings.update'](next);
      setDraft(result);
      setStored(result);
      setJustSaved(true);
      setLanguage(result.language);
      onSaved();
    } catch (caught) {
      if (caught instanceof ApiError && caught.kind === 'invalid-input' && caught.issues && caught.issues.length > 0) {
        setIssues(Object.fromEntries(caught.issues.map((i) => [i.path, i.message])));
        const first = caught.issues[0]!.path;
        requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-field="${CSS.escape(first)}"]`)?.focus());
      } else {
        setError(caught);
      }
    } finally {
      setSaving(false);
    }
  };

  const chooseLanguage = async (language: Settings['language']): Promise<void> => {
    setLanguage(language);
    setDraft({ ...draft, language });
    if (!stored) return;
    try {
      // The whole saved object with the new language: the host's patch schema fills in defaults
      // for every field not sent, so a bare { language } would reset the rest.
      const result = await api['settings.update']({ ...stored, language });
      setStored((s) => (s ? { ...s, language: result.language } : result));
      onSaved();
    } catch (caught) {
      setError(caught);
    }
  };

  const issueCount = Object.keys(issues).length;
  const unplaced = Object.keys(issues).filter((p) => !document.querySelector(`[data-field="${CSS.escape(p)}"]`) && !LIST_KEYS.includes(p as ListKey));

  return (
    <div className="screen settings-screen">
      <header className="screen-head">
        <div>
          <h1>{t('title')}</h1>
          <p className="subtitle">{t('subtitle')}</p>
        </div>
      </header>
      <form className="settings-form" onSubmit={(e) => void save(e)} noValidate aria-label={t('title')}>
        <section className="panel settings-section" aria-labelledby="set-language">
          <h2 id="set-language">{t('language.title')}</h2>
          <div className="field">
            <label htmlFor="field-language">{t('language.label')}</label>
            <select id="field-language" data-field="language" value={draft.language} onChange={(e) => void chooseLanguage(e.target.value as Settings['language'])}>
              <option value="system">{t('common:languageNames.system')}</option>
              <option value="en">English</option>
              <option value="zh">中文</option>
            </select>
            <p className="hint">{t('language.hint')}</p>
          </div>
        </section>

        <section className="panel settings-section" aria-labelledby="set-tsa">
          <h2 id="set-tsa">{t('tsa.title')}</h2>
          <p className="section-intro">{t('tsa.intro')}</p>
          <ListEditor field="tsaUrls" label={t('tsa.urls')} hint={t('tsa.urlsHint')} placeholder={t('tsa.urlPlaceholder')} items={draft.tsaUrls} onChange={(tsaUrls) => change({ tsaUrls })} issueAt={issueAt} inputMode="url" />
          {/* The addresses as typed, saved or not: a person tests before saving. */}
          <TsaTest urls={draft.tsaUrls.map((u) => u.trim()).filter(Boolean)} />
          <NumberField field="anchorSeconds" label={t('tsa.interval')} hint={t('tsa.intervalHint')} value={draft.anchorSeconds} min={5} max={3600} step={1} onChange={(anchorSeconds) => change({ anchorSeconds })} issue={issueAt('anchorSeconds')} />
          <ListEditor field="trustedRootFiles" label={t('tsa.roots')} hint={t('tsa.rootsHint')} placeholder={t('tsa.rootPlaceholder')} items={draft.trustedRootFiles} onChange={(trustedRootFiles) => change({ trustedRootFiles })} issueAt={issueAt} />
        </section>

        <section className="panel settings-section" aria-labelledby="set-folders">
          <h2 id="set-folders">{t('folders.title')}</h2>
          <p className="section-intro">{t('folders.intro')}</p>
          <ListEditor field="watchFolders" label={t('folders.watch')} hint={t('folders.watchHint')} placeholder={t('folders.placeholder')} items={draft.watchFolders} onChange={(watchFolders) => change({ watchFolders })} issueAt={issueAt} folders />
          <ListEditor field="draftFolders" label={t('folders.drafts')} hint={t('folders.draftsHint')} placeholder={t('folders.placeholder')} items={draft.draftFolders} onChange={(draftFolders) => change({ draftFolders })} issueAt={issueAt} folders />
          <ListEditor field="modelFolders" label={t('folders.models')} hint={t('folders.modelsHint')} placeholder={t('folders.placeholder')} items={draft.modelFolders} onChange={(modelFolders) => change({ modelFolders })} issueAt={issueAt} folders />
        </section>

        <section className="panel settings-section" aria-labelledby="set-tools">
          <h2 id="set-tools">{t('tools.title')}</h2>
          <TextField field="comfyuiUrl" label={t('tools.comfyui')} hint={t('tools.comfyuiHint')} value={draft.comfyuiUrl} onChange={(comfyuiUrl) => change({ comfyuiUrl })} issue={issueAt('comfyuiUrl')} placeholder="http://127.0.0.1:8188" />
          <TextField field="ffmpegPath" label={t('tools.ffmpeg')} hint={t('tools.ffmpegHint')} value={draft.ffmpegPath} onChange={(ffmpegPath) => change({ ffmpegPath })} issue={issueAt('ffmpegPath')} mono>
            <Capability capability={info?.capabilities.ffmpeg} />
          </TextField>
          <TextField field="browserPath" label={t('tools.browser')} hint={t('tools.browserHint')} value={draft.browserPath} onChange={(browserPath) => change({ browserPath })} issue={issueAt('browserPath')} mono>
            <Capability capability={info?.capabilities.browser} />
          </TextField>
        </section>

        <section className="panel settings-section" aria-labelledby="set-recording">
          <h2 id="set-recording">{t('recording.title')}</h2>
          <div className="field-row">
            <NumberField field="recording.fps" label={t('recording.fps')} hint={t('recording.fpsHint')} value={draft.recording.fps} min={1} max={60} step={1} onChange={(fps) => changeRecording({ fps })} issue={issueAt('recording.fps')} />
            <div className="field">
              <label htmlFor="field-quality">{t('recording.quality')}</label>
              <select id="field-quality" data-field="recording.quality" value={draft.recording.quality} onChange={(e) => changeRecording({ quality: e.target.value as Settings['recording']['quality'] })}>
                {(['low', 'standard', 'high'] as const).map((q) => (
                  <option key={q} value={q}>
                    {t(`recording.qualities.${q}`)}
                  </option>
                ))}
              </select>
            </div>
            <NumberField field="recording.segmentSeconds" label={t('recording.segment')} hint={t('recording.segmentHint')} value={draft.recording.segmentSeconds} min={2} max={600} step={1} onChange={(segmentSeconds) => changeRecording({ segmentSeconds })} issue={issueAt('recording.segmentSeconds')} />
          </div>
          <div className="field">
            <label className="check-row">
              <input type="checkbox" data-field="recording.clock" checked={draft.recording.clock} onChange={(e) => changeRecording({ clock: e.target.checked })} />
              {t('recording.clock')}
            </label>
            <p className="hint">{t('recording.clockHint')}</p>
          </div>
          <TextField field="recording.display" label={t('recording.display')} hint={t('recording.displayHint')} value={draft.recording.display} onChange={(display) => changeRecording({ display })} issue={issueAt('recording.display')} placeholder={t('recording.displayPlaceholder')}>
            <Capability capability={info?.capabilities.display} />
          </TextField>
        </section>

        <VaultSettings draft={draft} change={change} issues={issues} fields={{ TextField, NumberField }} />

        <DeviceKey info={info} />

        {error !== undefined && <ErrorNotice error={error} />}
        {unplaced.length > 0 && (
          <div className="notice notice-error" role="alert">
            {unplaced.map((p) => (
              <p key={p}>
                <span className="mono">{p}</span>: {issues[p]}
              </p>
            ))}
          </div>
        )}
        <div className="save-bar">
          <button type="submit" className="primary" disabled={saving}>
            {saving ? t('saving') : t('save')}
          </button>
          {dirty && (
            <button
              type="button"
              onClick={() => {
                if (stored) setDraft(stored);
                setIssues({});
              }}
            >
              {t('revert')}
            </button>
          )}
          <span aria-live="polite">
            {justSaved && !dirty && <span className="saved">{t('saved')}</span>}
            {issueCount > 0 && <span className="field-error">{t('fixErrors', { count: issueCount })}</span>}
            {dirty && issueCount === 0 && <span className="unsaved">{t('unsaved')}</span>}
          </span>
        </div>
      </form>
    </div>
  );
}

function ListEditor({
  field,
  label,
  hint,
  placeholder,
  items,
  onChange,
  issueAt,
  folders = false,
  inputMode,
}: {
  readonly field: ListKey;
  readonly label: string;
  readonly hint: string;
  readonly placeholder: string;
  readonly items: readonly string[];
  readonly onChange: (items: string[]) => void;
  readonly issueAt: (path: string) => string | undefined;
  readonly folders?: boolean;
  readonly inputMode?: 'url';
}): ReactNode {
  const { t } = useTranslation('settings');
  const focusIndex = useRef<number | null>(null);
  const list = useRef<HTMLDivElement>(null);
  const [chooseError, setChooseError] = useState<unknown>(undefined);
  useEffect(() => {
    if (focusIndex.current === null) return;
    list.current?.querySelectorAll<HTMLInputElement>('input')[focusIndex.current]?.focus();
    focusIndex.current = null;
  });
  const add = (value = ''): void => {
    focusIndex.current = items.length;
    onChange([...items, value]);
  };
  const choose = async (): Promise<void> => {
    setChooseError(undefined);
    try {
      const folder = await api['dialog.chooseFolder']({});
      if (folder && !items.includes(folder)) onChange([...items, folder]);
    } catch (error) {
      setChooseError(error);
    }
  };
  const listIssue = issueAt(field);
  return (
    <div className="field" role="group" aria-labelledby={`label-${field}`} data-list={field}>
      <span className="field-label" id={`label-${field}`}>
        {label}
      </span>
      <p className="hint" id={`hint-${field}`}>
        {hint}
      </p>
      <div className="list-editor" ref={list}>
        {items.length === 0 && <p className="list-empty">{t('empty')}</p>}
        {items.map((item, index) => {
          const issue = issueAt(`${field}.${index}`);
          return (
            <div key={index}>
              <div className="list-row">
                <input
                  type="text"
                  inputMode={inputMode}
                  className={inputMode === 'url' ? undefined : 'mono-input'}
                  data-field={`${field}.${index}`}
                  aria-label={`${label} ${index + 1}`}
                  aria-invalid={issue ? true : undefined}
                  aria-describedby={issue ? `error-${field}-${index}` : `hint-${field}`}
                  value={item}
                  placeholder={placeholder}
                  spellCheck={false}
                  autoComplete="off"
                  onChange={(e) => onChange(items.map((v, i) => (i === index ? e.target.value : v)))}
                />
                <button type="button" className="small" aria-label={t('removeItem', { item: item || `${label} ${index + 1}` })} onClick={() => onChange(items.filter((_, i) => i !== index))}>
                  {t('remove')}
                </button>
              </div>
              {issue && (
                <p className="field-error" id={`error-${field}-${index}`} role="alert">
                  {issue}
                </p>
              )}
            </div>
          );
        })}
        <div className="list-actions">
          <button type="button" className="small" onClick={() => add()} aria-label={`${t('add')}: ${label}`}>
            + {t('add')}
          </button>
          {folders && inDesktopApp && (
            <button type="button" className="small" onClick={() => void choose()}>
              {t('choose')}
            </button>
          )}
        </div>
        {listIssue && (
          <p className="field-error" role="alert">
            {listIssue}
          </p>
        )}
        {chooseError !== undefined && <ErrorNotice error={chooseError} />}
      </div>
    </div>
  );
}

export interface TextFieldProps {
  readonly field: string;
  readonly label: string;
  readonly hint: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly issue: string | undefined;
  readonly placeholder?: string;
  readonly mono?: boolean;
  readonly children?: ReactNode;
}

function TextField({ field, label, hint, value, onChange, issue, placeholder, mono = false, children }: TextFieldProps): ReactNode {
  const id = `field-${field.replace('.', '-')}`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        className={mono ? 'mono-input' : undefined}
        data-field={field}
        value={value}
        placeholder={placeholder}
        spellCheck={false}
        autoComplete="off"
        aria-invalid={issue ? true : undefined}
        aria-describedby={`${id}-hint${issue ? ` ${id}-error` : ''}`}
        onChange={(e) => onChange(e.target.value)}
      />
      <FieldMessages id={id} issue={issue} hint={hint} />
      {children}
    </div>
  );
}

export interface NumberFieldProps {
  readonly field: string;
  readonly label: string;
  readonly hint: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly step: number;
  readonly onChange: (value: number) => void;
  readonly issue: string | undefined;
}

function NumberField({ field, label, hint, value, min, max, step, onChange, issue }: NumberFieldProps): ReactNode {
  const id = `field-${field.replace('.', '-')}`;
  const [text, setText] = useState(String(value));
  useEffect(() => {
    if (Number(text) !== value) setText(Number.isFinite(value) ? String(value) : text);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        data-field={field}
        min={min}
        max={max}
        step={step}
        value={text}
        aria-invalid={issue ? true : undefined}
        aria-describedby={`${id}-hint${issue ? ` ${id}-error` : ''}`}
        onChange={(e) => {
          setText(e.target.value);
          onChange(e.target.value.trim() === '' ? Number.NaN : Number(e.target.value));
        }}
      />
      <FieldMessages id={id} issue={issue} hint={hint} />
    </div>
  );
}

function Capability({ capability }: { readonly capability: { readonly ok: boolean; readonly detail: string } | undefined }): ReactNode {
  const { t } = useTranslation('settings');
  if (!capability) return <p className="capability muted">{t('tools.unknown')}</p>;
  return (
    <p className="capability">
      <Badge tone={capability.ok ? 'pass' : 'warn'}>{capability.ok ? t('tools.found') : t('tools.missing')}</Badge>
      {/* A missing tool's reason is the host's English: folded in Chinese. */}
      {capability.ok ? <span className="detail">{capability.detail}</span> : <TechnicalDetail detail={capability.detail} className="detail" />}
    </p>
  );
}

function DeviceKey({ info }: { readonly info: AppInfo | undefined }): ReactNode {
  const { t, i18n } = useTranslation('settings');
  return (
    <section className="panel settings-section" aria-labelledby="set-device">
      <h2 id="set-device">{t('device.title')}</h2>
      <p className="section-intro">{t('device.intro')}</p>
      {info ? (
        <dl className="params key-facts">
          <dt>{t('device.fingerprint')}</dt>
          <dd className="mono" data-testid="key-id">
            {info.device.keyId}
          </dd>
          <dt>{t('device.path')}</dt>
          <dd className="mono">{info.device.keyPath}</dd>
          <dt>{t('device.storage')}</dt>
          <dd>
            <Badge tone="warn">{t('device.fileBadge')}</Badge> {t('device.fileNote')}
            {i18n.language !== 'zh' && <div className="muted small mono">{info.device.keyStorage}</div>}
          </dd>
        </dl>
      ) : (
        <p className="muted">{t('common:loading')}</p>
      )}
    </section>
  );
}

/** A field's error (when the host refused the value) and its hint, both named by aria-describedby. */
function FieldMessages({ id, issue, hint }: { readonly id: string; readonly issue: string | undefined; readonly hint: ReactNode }): ReactNode {
  return (
    <>
      {issue && (
        <p className="field-error" id={`${id}-error`} role="alert">
          {issue}
        </p>
      )}
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
    </>
  );
}
