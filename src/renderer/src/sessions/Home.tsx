import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionKind, SessionState, SessionSummary } from '../../../shared/domain';
import { api } from '../client';
import { Badge, EmptyState, ErrorNotice, useAction, useLoad, useReconnected } from '../components/ui';
import { formatTime } from '../i18n';
import { href, navigate } from '../router';
import { missingCount, ReadinessPanel } from './ReadinessPanel';

export function Home(): ReactNode {
  const { t } = useTranslation('home');
  const sessions = useLoad(() => api['session.list']({}), []);
  // Afresh on each visit: Settings may have changed what is missing.
  const info = useLoad(() => api['app.info']({}), []);
  useReconnected(sessions.reload);
  const [query, setQuery] = useState('');
  const [kind, setKind] = useState<'' | SessionKind>('');
  const [state, setState] = useState<'' | SessionState>('');
  const [creating, setCreating] = useState<SessionKind | null>(null);

  const shown = useMemo(() => {
    const needle = query.trim().toLowerCase();
    return (sessions.value ?? []).filter(
      (s) =>
        (!kind || s.kind === kind) &&
        (!state || s.state === state) &&
        (!needle || `${s.title} ${s.creator} ${s.description} ${s.id}`.toLowerCase().includes(needle)),
    );
  }, [sessions.value, query, kind, state]);

  return (
    // data-readiness: whether the first-launch check found something missing, once it has run.
    <div className="screen" data-readiness={info.value ? (missingCount(info.value) > 0 ? 'incomplete' : 'complete') : undefined}>
      <header className="screen-head">
        <h1>{t('title')}</h1>
        <div className="actions">
          <button type="button" className="primary" onClick={() => setCreating('creation')}>
            {t('newCreation')}
          </button>
          <button type="button" className="primary" onClick={() => setCreating('web')}>
            {t('newWeb')}
          </button>
          <a className="button" href={href({ screen: 'archive' })}>
            {t('openArchive')}
          </a>
        </div>
      </header>

      {info.value && <ReadinessPanel info={info.value} />}

      {creating && <NewSessionForm kind={creating} onCancel={() => setCreating(null)} />}

      <div className="toolbar">
        <input type="search" className="grow" placeholder={t('search')} aria-label={t('search')} value={query} onChange={(e) => setQuery(e.target.value)} />
        <KindSelect value={kind} onChange={setKind} />
        <StateSelect value={state} onChange={setState} />
      </div>

      {sessions.error !== undefined && <ErrorNotice error={sessions.error} onRetry={sessions.reload} />}
      {sessions.value && sessions.value.length === 0 && (
        <EmptyState title={t('empty')}>
          <p>{t('emptyBody')}</p>
        </EmptyState>
      )}
      {sessions.value && sessions.value.length > 0 && shown.length === 0 && <p className="muted">{t('noMatch', { query })}</p>}
      {shown.length > 0 && (
        <ul className="session-list">
          {shown.map((session) => (
            <SessionRow key={session.id} session={session} />
          ))}
        </ul>
      )}
    </div>
  );
}

function KindSelect({ value, onChange }: { readonly value: '' | SessionKind; readonly onChange: (v: '' | SessionKind) => void }): ReactNode {
  const { t } = useTranslation(['home', 'common']);
  return (
    <select aria-label={t('allKinds')} value={value} onChange={(e) => onChange(e.target.value as '' | SessionKind)}>
      <option value="">{t('allKinds')}</option>
      <option value="creation">{t('common:kind.creation')}</option>
      <option value="web">{t('common:kind.web')}</option>
    </select>
  );
}

function StateSelect({ value, onChange }: { readonly value: '' | SessionState; readonly onChange: (v: '' | SessionState) => void }): ReactNode {
  const { t } = useTranslation(['home', 'common']);
  return (
    <select aria-label={t('allStates')} value={value} onChange={(e) => onChange(e.target.value as '' | SessionState)}>
      <option value="">{t('allStates')}</option>
      <option value="open">{t('common:state.open')}</option>
      <option value="sealed">{t('common:state.sealed')}</option>
      <option value="recovered">{t('common:state.recovered')}</option>
    </select>
  );
}

function SessionRow({ session }: { readonly session: SessionSummary }): ReactNode {
  const { t } = useTranslation(['home', 'common']);
  return (
    <li>
      <a className="session" href={href({ screen: 'session', id: session.id })}>
        <span className={`kind-icon kind-${session.kind}`} aria-hidden="true" />
        <span className="session-main">
          <span className="session-title">{session.title}</span>
          <span className="session-meta">
            <span>{t(`common:kind.${session.kind}`)}</span>
            {session.creator && <span>{session.creator}</span>}
            <time dateTime={session.createdAt}>{t('created', { time: formatTime(session.createdAt) })}</time>
            <span>{t('common:events', { count: session.eventCount })}</span>
            <span className="mono">{session.id.slice(0, 8)}</span>
          </span>
        </span>
        {session.interrupted && <Badge tone="recovered">{t('common:interrupted')}</Badge>}
        {session.state === 'sealed' && session.sealTimestamped === false ? (
          <span title={t('sealedNoTimestampHint')}>
            <Badge tone="warn">{t('sealedNoTimestamp')}</Badge>
          </span>
        ) : (
          <Badge tone={session.state}>{t(`common:state.${session.state}`)}</Badge>
        )}
      </a>
    </li>
  );
}

function NewSessionForm({ kind, onCancel }: { readonly kind: SessionKind; readonly onCancel: () => void }): ReactNode {
  const { t } = useTranslation(['home', 'common']);
  const [title, setTitle] = useState('');
  const [creator, setCreator] = useState('');
  const [description, setDescription] = useState('');
  const create = useAction(async () => {
    const session = await api['session.create']({ kind, title, creator, description });
    navigate({ screen: 'session', id: session.id });
  });
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    void create.run();
  };
  return (
    <form className="panel form" onSubmit={submit} aria-label={t(kind === 'creation' ? 'form.titleCreation' : 'form.titleWeb')}>
      <h2>{t(kind === 'creation' ? 'form.titleCreation' : 'form.titleWeb')}</h2>
      <label>
        <span>{t('form.title')}</span>
        <input autoFocus required maxLength={200} value={title} placeholder={t(kind === 'creation' ? 'form.titlePlaceholderCreation' : 'form.titlePlaceholderWeb')} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label>
        <span>{t('form.creator')}</span>
        <input maxLength={200} value={creator} onChange={(e) => setCreator(e.target.value)} />
      </label>
      <label>
        <span>{t('form.description')}</span>
        <textarea maxLength={4000} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
      </label>
      <p className="muted small">{t('form.hint')}</p>
      {create.error !== undefined && <ErrorNotice error={create.error} />}
      <div className="actions">
        <button type="submit" className="primary" disabled={create.busy || !title.trim()}>
          {create.busy ? t('common:working') : t('form.create')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common:cancel')}
        </button>
      </div>
    </form>
  );
}
