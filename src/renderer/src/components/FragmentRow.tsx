// One row of a definition list (<dl className="params">): a label and its value. The creation
// screen's image details and the archive viewer's recorded details both use it.
import type { ReactNode } from 'react';
import type { JsonValue } from '../../../shared/domain';

/**
 * `value` as text; an object or an array as its JSON, small and in monospace. `field` marks the
 * label as a recorded field name (a payload key), shown in monospace; `mono` the value (a hash).
 */
export function FragmentRow({ label, value, mono = false, field = false }: { readonly label: string; readonly value: JsonValue; readonly mono?: boolean; readonly field?: boolean }): ReactNode {
  const structured = typeof value === 'object' && value !== null;
  return (
    <>
      <dt className={field ? 'mono' : undefined}>{label}</dt>
      <dd className={structured ? 'mono small' : mono ? 'mono' : undefined}>{structured ? JSON.stringify(value) : String(value)}</dd>
    </>
  );
}
