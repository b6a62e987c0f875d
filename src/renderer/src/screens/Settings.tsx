import type { ReactNode } from 'react';
import type { AppInfo } from '../../../shared/views';

export function SettingsScreen(_props: { readonly info: AppInfo | undefined; readonly onSaved: () => void }): ReactNode {
  return <div className="screen" />;
}
