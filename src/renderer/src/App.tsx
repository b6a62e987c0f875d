import { useCallback, useEffect, useState, type ReactNode } from 'react';
import type { DeviceInfo, ProoflineBridge, SessionSummary } from '../../shared/bridge';
import { formatTime, t } from './i18n';

type View =
  | { readonly kind: 'loading' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'ready'; readonly sessions: readonly SessionSummary[] };

export function App(): ReactNode {
  return (
    <div className="app">
      <header className="app-header">
        <h1 className="wordmark">{t.appName}</h1>
        <p className="tagline">{t.tagline}</p>
      </header>
      <main className="content">
        {window.proofline === undefined ? <NoBridge /> : <Sessions bridge={window.proofline} />}
      </main>
      {window.proofline !== undefined && <DeviceFooter bridge={window.proofline} />}
    </div>
  );
}

function Sessions({ bridge }: { readonly bridge: ProoflineBridge }): ReactNode {
  const [view, setView] = useState<View>({ kind: 'loading' });

  const load = useCallback(() => {
    setView({ kind: 'loading' });
    bridge.listSessions().then(
      (sessions) => setView({ kind: 'ready', sessions }),
      (error: unknown) => setView({ kind: 'failed', message: describeError(error) }),
    );
  }, [bridge]);
  useEffect(load, [load]);

  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading" className="section-heading">
        {t.sessionsHeading}
      </h2>
      {view.kind === 'loading' && <p className="muted">{t.loading}</p>}
      {view.kind === 'failed' && (
        <div className="notice notice-error" role="alert">
          <p className="notice-title">{t.loadFailed}</p>
          <p className="notice-detail">{view.message}</p>
          <button type="button" onClick={load}>
            {t.retry}
          </button>
        </div>
      )}
      {view.kind === 'ready' && view.sessions.length === 0 && <EmptyState />}
      {view.kind === 'ready' && view.sessions.length > 0 && (
        <ul className="session-list">
          {view.sessions.map((session) => (
            <SessionRow key={session.id} session={session} />
          ))}
        </ul>
      )}
    </section>
  );
}

function SessionRow({ session }: { readonly session: SessionSummary }): ReactNode {
  return (
    <li className="session">
      <div className="session-main">
        <span className="session-title">{session.title}</span>
        <span className="session-meta">
          <span>{t.kind[session.kind]}</span>
          <time dateTime={session.createdAt}>{formatTime(session.createdAt)}</time>
          <span>{t.events(session.eventCount)}</span>
        </span>
      </div>
      <span className={`badge badge-${session.state}`}>{t.state[session.state]}</span>
    </li>
  );
}

/** Says plainly which key signs and that it is not hardware-protected (issue: device identity). */
function DeviceFooter({ bridge }: { readonly bridge: ProoflineBridge }): ReactNode {
  const [device, setDevice] = useState<DeviceInfo | undefined>();
  const [failed, setFailed] = useState<string | undefined>();
  useEffect(() => {
    bridge.deviceInfo().then(setDevice, (error: unknown) => setFailed(describeError(error)));
  }, [bridge]);
  if (failed) return <footer className="device-footer muted">{failed}</footer>;
  if (!device) return null;
  return (
    <footer className="device-footer">
      <p className="device-key" title={device.keyId}>
        {t.deviceKey(device.keyId)}
      </p>
      <p className="muted">{t.deviceKeyStorage}</p>
      <p className="muted device-path">{device.keyPath}</p>
    </footer>
  );
}

function EmptyState(): ReactNode {
  return (
    <div className="notice">
      <p className="notice-title">{t.emptyTitle}</p>
      <p>{t.emptyBody}</p>
      <pre className="command">
        <code>{t.emptyCommand}</code>
      </pre>
    </div>
  );
}

function NoBridge(): ReactNode {
  return (
    <div className="notice" role="status">
      <p className="notice-title">{t.noBridgeTitle}</p>
      <p>{withInlineCode(t.noBridgeBody)}</p>
    </div>
  );
}

/** Renders `backticked` parts of a translated string as <code>, as text nodes (no HTML). */
function withInlineCode(text: string): ReactNode[] {
  return text.split('`').map((part, index) => (index % 2 === 1 ? <code key={index}>{part}</code> : part));
}

/** Electron wraps a handler's error as "Error invoking remote method '…': Error: …"; keep the cause. */
function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^Error invoking remote method '[^']*': /, '');
}
