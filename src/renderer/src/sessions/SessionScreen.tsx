import { lazy, type ReactNode } from 'react';
import type { AppInfo } from '../../../shared/views';
import { api } from '../client';
import { ErrorNotice, useLoad, useReconnected } from '../components/ui';

// A session opens one of the two, never both: each is its own chunk (App.tsx's Suspense waits).
const CreationSession = lazy(() => import('../creation/CreationSession').then((m) => ({ default: m.CreationSession })));
const WebSession = lazy(() => import('../web/WebSession').then((m) => ({ default: m.WebSession })));

export function SessionScreen({ id, info }: { readonly id: string; readonly info: AppInfo | undefined }): ReactNode {
  const detail = useLoad(() => api['session.get']({ id }), [id]);
  // Back from a lost connection: the session may have changed meanwhile (sealed, recording ended).
  useReconnected(detail.reload);
  if (detail.error !== undefined && !detail.value) return <ErrorNotice error={detail.error} onRetry={detail.reload} />;
  if (!detail.value) return null;
  return detail.value.session.kind === 'creation' ? (
    <CreationSession detail={detail.value} reload={detail.reload} info={info} />
  ) : (
    <WebSession detail={detail.value} reload={detail.reload} info={info} />
  );
}
