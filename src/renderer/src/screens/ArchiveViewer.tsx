import type { ReactNode } from 'react';

export function ArchiveViewer(): ReactNode {
  return <div className="screen" />;
}
