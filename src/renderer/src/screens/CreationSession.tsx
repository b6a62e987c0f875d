import type { ReactNode } from 'react';
import type { AppInfo, SessionDetail } from '../../../shared/views';

export function CreationSession(_p: { readonly detail: SessionDetail; readonly reload: () => void; readonly info: AppInfo | undefined }): ReactNode {
  return null;
}
