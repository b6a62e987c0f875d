import { useCallback, useEffect, useRef, useState } from 'react';
import type { TimelineEvent } from '../../../shared/views';
import { api } from '../client';
import { useInterval } from '../components/ui';

/** New events since the last poll, appended; polled while the session is open. */
export function useLiveEvents(id: string, open: boolean): TimelineEvent[] {
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const last = useRef(-1); // seq of the last event shown; the first event is seq 0
  const busy = useRef(false);
  const poll = useCallback(() => {
    if (busy.current) return;
    busy.current = true;
    api['session.events']({ id, afterSeq: last.current, limit: 2000 })
      .then((more) => {
        if (more.length === 0) return;
        last.current = more[more.length - 1]!.seq;
        setEvents((prev) => [...prev, ...more]);
      })
      .catch(() => undefined)
      .finally(() => (busy.current = false));
  }, [id]);
  useEffect(poll, [poll, open]); // once more when sealed: the session.sealed event
  useInterval(poll, 1500, open);
  return events;
}
