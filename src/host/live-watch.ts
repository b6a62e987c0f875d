// The host's side of the live channel (contract.ts, `watchInput`): the sessions the windows show,
// and a pulse pushed to a window each time one of them changes, whoever changed it. Several
// processes share one data folder (`proofline note` or `record` may append to a session `serve`
// shows), so an in-process hook would miss their appends: instead a short timer asks SQLite
// whether anything was committed since its last look (one statement, no table read), and only
// then reads each watched session's pulse by its keys. Nothing runs while nobody watches.
import type { Database } from '../core/store/database.js';
import { createPulseReader } from '../core/store/session-pulse.js';
import type { SessionPulse } from '../shared/contract.js';

/** How soon a change is pushed; an idle tick costs one PRAGMA (about 10 µs). */
export const LIVE_TICK_MS = 250;

export interface LiveWatch {
  /** Gives `listener` the pulse of each session at once, then each time one changes; returns the unsubscribe. */
  watch(sessions: readonly string[], listener: (pulse: SessionPulse) => void): () => void;
  close(): void;
}

export interface LiveWatchOptions {
  readonly tickMs?: number;
  /** Where a failed look or a listener's error goes (default: stderr); the watch goes on. */
  readonly onError?: (error: Error) => void;
}

interface Watcher {
  readonly sessions: ReadonlySet<string>;
  readonly listener: (pulse: SessionPulse) => void;
}

export function createLiveWatch(db: Database, options: LiveWatchOptions = {}): LiveWatch {
  const reader = createPulseReader(db);
  const onError = options.onError ?? ((error: Error) => process.stderr.write(`live updates: ${error.message}\n`));
  const watchers = new Set<Watcher>();
  /** The last pulse pushed per session watched, as JSON: a pulse is pushed only when it differs. */
  const last = new Map<string, string>();
  let version: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const tell = (watcher: Watcher, pulse: SessionPulse): void => {
    try {
      watcher.listener(pulse);
    } catch (error) {
      onError(error as Error);
    }
  };

  const tick = (): void => {
    // The store closed under us (the host is stopping): nothing more to push.
    if (!db.open) return stop();
    try {
      const now = reader.storeVersion();
      if (now === version) return;
      version = now;
      const watched = new Set([...watchers].flatMap((w) => [...w.sessions]));
      for (const id of last.keys()) if (!watched.has(id)) last.delete(id);
      for (const id of watched) {
        const pulse = reader.pulse(id);
        const json = JSON.stringify(pulse);
        if (last.get(id) === json) continue;
        last.set(id, json);
        for (const watcher of watchers) if (watcher.sessions.has(id)) tell(watcher, pulse);
      }
    } catch (error) {
      onError(error as Error);
    }
  };

  function stop(): void {
    clearInterval(timer);
    timer = undefined;
    version = undefined;
    last.clear();
  }

  return {
    watch(sessions, listener) {
      if (closed || !db.open) return () => undefined;
      const watcher: Watcher = { sessions: new Set(sessions), listener };
      // The version first: a commit between the two reads is then seen again at the next tick.
      if (timer === undefined) version = reader.storeVersion();
      watchers.add(watcher);
      for (const id of watcher.sessions) {
        const pulse = reader.pulse(id);
        // Kept only if nobody watched it: another watcher's next push must still compare with
        // what that watcher was last told.
        if (!last.has(id)) last.set(id, JSON.stringify(pulse));
        tell(watcher, pulse);
      }
      if (timer === undefined) {
        timer = setInterval(tick, options.tickMs ?? LIVE_TICK_MS);
        timer.unref();
      }
      return () => {
        watchers.delete(watcher);
        if (watchers.size === 0) stop();
      };
    },
    close() {
      closed = true;
      watchers.clear();
      stop();
    },
  };
}
