// Small building blocks every screen shares: errors a person can act on, progress, empty states.
import { useCallback, useEffect, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { isCancellation, type ErrorParams } from '../../../shared/errors';
import { ApiError, connection } from '../client';

/** True while the host does not answer: what a screen shows may then be out of date. */
export function useConnectionLost(): boolean {
  return useSyncExternalStore(connection.subscribe, connection.lost);
}

/**
 * Calls `onBack` each time the host answers again after the connection was lost: what a screen
 * shows was fetched before, and may have changed meanwhile (a recording stopped, a seal came).
 */
export function useReconnected(onBack: () => void): void {
  const ref = useRef(onBack);
  ref.current = onBack;
  useEffect(() => {
    let wasLost = connection.lost();
    return connection.subscribe(() => {
      const lost = connection.lost();
      if (wasLost && !lost) ref.current();
      wasLost = lost;
    });
  }, []);
}

/** The banner every screen shows while the host does not answer. */
export function ConnectionBanner(): ReactNode {
  const { t } = useTranslation();
  const lost = useConnectionLost();
  if (!lost) return null;
  return (
    <div className="notice notice-error connection-lost" role="alert">
      <p className="notice-title">{t('connectionLost')}</p>
      <p>{t('connectionLostBody')}</p>
    </div>
  );
}

export function describe(error: unknown): { kind: string; message: string; code?: string; params?: ErrorParams } {
  if (error instanceof ApiError) return { kind: error.kind, message: error.message, code: error.code, params: error.params };
  return { kind: 'failed', message: error instanceof Error ? error.message : String(error) };
}

/**
 * An error in the reader's language: the words its code has in locales/errors.ts, filled in with
 * its params; the host's English message for an error without a code or with one this renderer
 * does not know. Codes are dotted ('session.sealed'), so they are looked up as whole keys.
 */
export function errorText(t: TFunction, error: { readonly message: string; readonly code?: string; readonly params?: ErrorParams }): string {
  if (!error.code) return error.message;
  return t(error.code, { ns: 'errors', keySeparator: false, replace: { ...error.params }, defaultValue: error.message });
}

export function ErrorNotice({ error, onRetry }: { readonly error: unknown; readonly onRetry?: () => void }): ReactNode {
  const { t } = useTranslation();
  const described = describe(error);
  const { kind, message } = described;
  const text = errorText(t, described);
  return (
    <div className="notice notice-error" role="alert">
      <p className="notice-title">{t(`errorKind.${kind}`, { defaultValue: t('errorTitle') })}</p>
      <p className="notice-detail">{text}</p>
      {text !== message && (
        // What the host said, word for word: paths and system errors a translation leaves out.
        <details className="technical">
          <summary>{t('errors:original')}</summary>
          <span className="mono">{message}</span>
        </details>
      )}
      {onRetry && (
        <button type="button" onClick={onRetry}>
          {t('retry')}
        </button>
      )}
    </div>
  );
}

/** Whether a call ended because someone cancelled it: said as such, never as a failure. */
export function isCancelled(error: unknown): boolean {
  return error instanceof ApiError && isCancellation(error.code);
}

/** What a cancelled call left: a calm notice, not an error. */
export function CancelledNotice({ text }: { readonly text: string }): ReactNode {
  return (
    <div className="notice notice-warn notice-cancelled" role="status">
      <p>{text}</p>
    </div>
  );
}

/**
 * The cancel of one long call at a time: `signal()` starts a call (pass it to the client),
 * `cancel()` is the button's, `cancelling` says it was pressed and the host is stopping the work.
 */
export function useCancel(): { readonly signal: () => AbortSignal; readonly cancel: () => void; readonly cancelling: boolean } {
  const controller = useRef<AbortController | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const signal = useCallback(() => {
    controller.current = new AbortController();
    setCancelling(false);
    return controller.current.signal;
  }, []);
  const cancel = useCallback(() => {
    setCancelling(true);
    controller.current?.abort();
  }, []);
  return { signal, cancel, cancelling };
}

/** The Cancel button beside a progress bar. */
export function CancelButton({ onCancel, cancelling }: { readonly onCancel: () => void; readonly cancelling: boolean }): ReactNode {
  const { t } = useTranslation();
  return (
    <button type="button" className="cancel" onClick={onCancel} disabled={cancelling}>
      {cancelling ? t('cancelling') : t('cancel')}
    </button>
  );
}

export function ProgressBar({ done, total, label }: { readonly done: number; readonly total: number; readonly label?: string }): ReactNode {
  const percent = total > 0 ? Math.min(100, Math.round((100 * done) / total)) : 0;
  return (
    <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label={label}>
      <div className="progress-track">
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      {label && <span className="progress-label">{label}</span>}
    </div>
  );
}

export function EmptyState({ title, children }: { readonly title: string; readonly children?: ReactNode }): ReactNode {
  return (
    <div className="empty">
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function Badge({ tone, children }: { readonly tone: string; readonly children: ReactNode }): ReactNode {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

/** Loads once (and again on `reload`); keeps the last value while reloading. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): { value: T | undefined; error: unknown; loading: boolean; reload: () => void } {
  const [state, setState] = useState<{ value: T | undefined; error: unknown; loading: boolean }>({ value: undefined, error: undefined, loading: true });
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(() => {
    setState((s) => ({ ...s, loading: true }));
    loadRef.current().then(
      (value) => setState({ value, error: undefined, loading: false }),
      (error: unknown) => setState((s) => ({ value: s.value, error, loading: false })),
    );
  }, []);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(reload, deps);
  return { ...state, reload };
}

/** Calls `tick` every `ms` while mounted and `active`. */
export function useInterval(tick: () => void, ms: number, active = true): void {
  const ref = useRef(tick);
  ref.current = tick;
  useEffect(() => {
    if (!active) return;
    const handle = setInterval(() => ref.current(), ms);
    return () => clearInterval(handle);
  }, [ms, active]);
}

/**
 * `fn` at most once per `ms`: a call within that time runs once at its end. For fetches a push
 * triggers, since a busy session pushes a change at every look of the host.
 */
export function useThrottled(fn: () => void, ms: number): () => void {
  const ref = useRef(fn);
  ref.current = fn;
  const lastRun = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  return useCallback(() => {
    if (timer.current !== undefined) return;
    const run = (): void => {
      timer.current = undefined;
      lastRun.current = Date.now();
      ref.current();
    };
    const wait = lastRun.current + ms - Date.now();
    if (wait <= 0) run();
    else timer.current = setTimeout(run, wait);
  }, [ms]);
}

/** Runs an action, tracking busy/error, so buttons can disable themselves and errors show. */
export function useAction<A extends unknown[], R>(action: (...args: A) => Promise<R>): { run: (...args: A) => Promise<R | undefined>; busy: boolean; error: unknown; clear: () => void } {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const run = useCallback(
    async (...args: A) => {
      setBusy(true);
      setError(undefined);
      try {
        return await action(...args);
      } catch (caught) {
        setError(caught);
        return undefined;
      } finally {
        setBusy(false);
      }
    },
    [action],
  );
  return { run, busy, error, clear: () => setError(undefined) };
}
