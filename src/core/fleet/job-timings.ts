// Where a job's time goes, returned with its result (bench/fleet.mjs reads it): the queue's own
// calls (the attempt records), the session's creation, the environment check, the capture, the
// seal, the export and the push to the vault.
import { performance } from 'node:perf_hooks';

export const PHASES = ['queue', 'session', 'check', 'capture', 'seal', 'export', 'push'] as const;
export type Phase = (typeof PHASES)[number];
export type PhaseTimes = Readonly<Record<Phase, number>>;

export class JobTimings {
  private readonly ms: Record<Phase, number> = { queue: 0, session: 0, check: 0, capture: 0, seal: 0, export: 0, push: 0 };

  async time<T>(phase: Phase, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.ms[phase] += performance.now() - start;
    }
  }

  /** Whole milliseconds per phase. */
  get(): PhaseTimes {
    return Object.fromEntries(PHASES.map((p) => [p, Math.round(this.ms[p])])) as PhaseTimes;
  }
}
