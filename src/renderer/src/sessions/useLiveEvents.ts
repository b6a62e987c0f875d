import { useCallback, useEffect, useRef, useState } from 'react';
import type { TimelineEvent } from '../../../shared/views';
import { api, FALLBACK_POLL_MS } from '../client';
import { useInterval, useReconnected } from '../components/ui';
import { useSessionPulse } from './useSessionPulse';

/** How often a fetch that is due but could not start yet (a call under way, a backoff) is tried: no call unless one is due. */
const TICK_MS = 1500;
/** One page of the catch-up; after an outage the missed events come in pages of this many. */
const PAGE = 2000;
/**
 * The most events held: the screens show the latest (the timeline its last 400) and follow new
 * ones by seq, so a session of a million events costs the window a page a change, not the
 * session (issue 13: showing a 1M-event session took 753 s of catch-up).
 */
export const KEPT_EVENTS = 5000;
/** The longest wait between tries while the host fails (1.5 s, 3 s, 6 s, 12 s, then 15 s). */
const MAX_BACKOFF_MS = 15_000;
/** A call with no answer after this long is given up (a host that died mid-answer never replies). */
const STALLED_MS = 10_000;

/** Where a screen's live events start: its latest KEPT_EVENTS, from the session's event count. */
export const liveStart = (eventCount: number): number => Math.max(-1, eventCount - 1 - KEPT_EVENTS);

/** How many events the session holds by the last one seen (seqs run 0, 1, 2…); 0 before any. */
export const liveCount = (events: readonly TimelineEvent[]): number => (events.at(-1)?.seq ?? -1) + 1;

/** The seq of the last event of these types seen (-1: none): what a view reloads on. */
export const lastSeqOf = (events: readonly TimelineEvent[], test: (type: string) => boolean): number => {
  for (let i = events.length - 1; i >= 0; i--) if (test(events[i]!.type)) return events[i]!.seq;
  return -1;
};

export const backoffMs = (failures: number): number => Math.min(MAX_BACKOFF_MS, TICK_MS * 2 ** Math.max(0, failures - 1));

/**
 * New events since the last one shown, appended in order, the latest KEPT_EVENTS kept, while
 * the session is open. `startAfter`: the seq after which to start (the caller passes its event
 * count less a window, so a long session opens on its latest events); -1, every event. Counts of
 * what came are for the caller to take from seqs, not from the length of the list.
 * New events are fetched when the host pushes that the session's head moved past the last one
 * shown (useSessionPulse), whichever process appended them, and every FALLBACK_POLL_MS in case a
 * push was missed. After an error (host unreachable, a failed answer) it tries again with backoff
 * and, once answered, catches up on every event missed meanwhile by seq, without a reload (issue
 * 11: "the live timeline stops updating after an error until a reload").
 */
export function useLiveEvents(id: string, open: boolean, startAfter = -1): TimelineEvent[] {
  const [events, setEvents] = useState<TimelineEvent[]>([]);
  const [retrying, setRetrying] = useState(false);
  const last = useRef(startAfter); // seq of the last event shown; the first event is seq 0
  const call = useRef<{ readonly round: number; readonly startedAt: number } | null>(null);
  const rounds = useRef(0);
  const failures = useRef(0);
  const notBefore = useRef(0);
  /** The host may have events not shown (a fallback tick, a failed try): fetched at the next chance. */
  const due = useRef(true);
  /** The head the host last pushed: the events up to it are fetched at the next chance. */
  const pushedHead = useRef(-1);
  const pulse = useSessionPulse(id);

  const poll = useCallback(
    (now = false) => {
      if (!due.current && pushedHead.current <= last.current) return;
      const started = Date.now();
      const running = call.current;
      if (running && started - running.startedAt < STALLED_MS) return;
      if (!now && started < notBefore.current) return;
      due.current = false;
      const target = pushedHead.current;
      const round = ++rounds.current; // a stalled call that answers late is ignored by its round
      call.current = { round, startedAt: started };
      const catchUp = async (): Promise<void> => {
        for (;;) {
          const more = await api['session.events']({ id, afterSeq: last.current, limit: PAGE });
          if (round !== rounds.current) return;
          const fresh = more.filter((e) => e.seq > last.current);
          if (fresh.length > 0) {
            last.current = fresh[fresh.length - 1]!.seq;
            setEvents((prev) => (prev.length + fresh.length > KEPT_EVENTS ? [...prev, ...fresh].slice(-KEPT_EVENTS) : [...prev, ...fresh]));
          }
          if (more.length < PAGE) return;
        }
      };
      catchUp()
        .then(
          () => {
            if (round !== rounds.current) return;
            // The chain read to its end and still short of a pushed head (never expected): not
            // asked again and again for it; a push that came during the call is above `target`.
            if (last.current < target && pushedHead.current === target) pushedHead.current = last.current;
            failures.current = 0;
            notBefore.current = 0;
            setRetrying(false);
          },
          () => {
            if (round !== rounds.current) return;
            due.current = true;
            failures.current += 1;
            notBefore.current = Date.now() + backoffMs(failures.current);
            setRetrying(true);
          },
        )
        .finally(() => {
          if (call.current?.round !== round) return;
          call.current = null;
          // A push that came while this call ran: fetched now (after a failure, the backoff holds it).
          poll();
        });
    },
    [id],
  );
  const ask = useCallback(
    (now = false) => {
      due.current = true;
      poll(now);
    },
    [poll],
  );
  useEffect(() => ask(true), [ask, open]); // once more when sealed: the session.sealed event
  // The host says the chain grew past what is shown (in this process or another).
  useEffect(() => {
    if (!pulse) return;
    pushedHead.current = Math.max(pushedHead.current, pulse.headSeq);
    poll();
  }, [pulse, poll]);
  // In case a push was missed (the stream dropped): asked anyway, seldom.
  useInterval(ask, FALLBACK_POLL_MS, open);
  // A fetch that is due but waited (a call under way, a backoff): no call unless one is due.
  // Sealed sessions too while a try failed: the last events must still come in.
  useInterval(poll, TICK_MS, open || retrying);
  // The host answers again: ask at once, not at the end of a backoff.
  useReconnected(() => ask(true));
  return events;
}
