// When each event of an archive was proven to exist (DESIGN.md, "time is proven, not claimed"):
// the line under the verdict, and what the timeline and the Time tab (tabs/TimeTab.tsx) share.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { AnchoringView, AnchorRangeView } from '../../../shared/views';
import { formatTime } from '../i18n';

type RangeState = 'ok' | 'late' | 'none';
export const rangeState = (range: AnchorRangeView): RangeState => (!range.provenBy ? 'none' : range.late ? 'late' : 'ok');

/** "CN=Viewer TSA, O=Proofline Test" → "Viewer TSA": the name a person recognises. */
export function tsaName(dn: string | null): string {
  if (!dn) return 'TSA';
  return /(?:^|,\s*)CN=([^,]+)/.exec(dn)?.[1]?.trim() ?? dn;
}

/** A duration in the reader's words, in the units the verifier uses (verify-time.ts). */
export function useDuration(): (seconds: number) => string {
  const { t } = useTranslation('archive');
  return (seconds) => {
    // A token's genTime has whole seconds: one dated a moment before the event it covers is "under 1 s".
    const s = Math.max(0, Math.round(seconds));
    if (s < 1) return t('duration.under1');
    if (s < 120) return t('duration.s', { n: s });
    // The unit is chosen after rounding, so 7,199 s reads "2 h", not "120 min".
    const minutes = Math.round(s / 60);
    if (minutes < 120) return t('duration.min', { n: minutes });
    const hours = Math.round(s / 3600);
    if (hours < 48) return t('duration.h', { n: hours });
    return t('duration.d', { n: Math.round(s / 86_400) });
  };
}

/** One or two lines right under the verdict: is the time proven, and a way to the Time tab. */
export function TimeSummary({ anchoring, onOpen }: { readonly anchoring: AnchoringView; readonly onOpen: () => void }): ReactNode {
  const { t } = useTranslation('archive');
  const duration = useDuration();
  const late = anchoring.lateEvents;
  const nothing = anchoring.ranges.length > 0 && anchoring.ranges.every((r) => !r.provenBy);
  const tone = late > 0 ? 'warn' : 'ok';
  return (
    <section className={`time-summary time-summary-${tone}`} aria-label={t('tabs.time')} data-late-events={late}>
      <p className="time-summary-text">
        {late > 0
          ? nothing
            ? t('time.summaryNone')
            : t('time.summaryLate', { late, count: anchoring.events })
          : t(anchoring.lastProven ? 'time.summaryOkLast' : 'time.summaryOk', {
              count: anchoring.events,
              interval: duration(anchoring.anchorSeconds + anchoring.toleranceSeconds),
              time: formatTime(anchoring.lastProven),
            })}
      </p>
      <button type="button" className="small" onClick={onOpen}>
        {t('time.open')}
      </button>
    </section>
  );
}

/** Per event: how it is proven, from the ranges (the viewer has no per-event list). */
export function proofOf(anchoring: AnchoringView | undefined): ((seq: number) => AnchorRangeView | undefined) | undefined {
  if (!anchoring) return undefined;
  const ranges = anchoring.ranges;
  return (seq) => {
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = ranges[mid]!;
      if (seq < r.from) hi = mid - 1;
      else if (seq > r.to) lo = mid + 1;
      else return r;
    }
    return undefined;
  };
}
