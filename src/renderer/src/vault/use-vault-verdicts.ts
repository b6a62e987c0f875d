// The vault screen's verdict column: each archive verified straight from the bucket
// (`vault.verify`, ranged reads, never a whole download), one at a time so "Verify all shown"
// does not start a hundred reads at once on a two-core machine. Leaving the screen aborts them.
import { useCallback, useEffect, useRef, useState } from 'react';
import type { Progress, VerifyReport } from '../../../shared/views';
import { api } from '../client';

export interface VaultVerdict {
  readonly state: 'queued' | 'verifying' | 'done' | 'failed';
  readonly report?: VerifyReport;
  readonly error?: unknown;
  readonly progress?: Progress;
}

export function useVaultVerdicts(): { readonly verdicts: Readonly<Record<string, VaultVerdict>>; readonly verify: (keys: readonly string[]) => void } {
  const [verdicts, setVerdicts] = useState<Record<string, VaultVerdict>>({});
  const queue = useRef<string[]>([]);
  const running = useRef(false);
  const controller = useRef(new AbortController());
  useEffect(() => {
    const mine = controller.current;
    return () => mine.abort();
  }, []);
  const set = (key: string, verdict: VaultVerdict): void => setVerdicts((all) => ({ ...all, [key]: verdict }));

  const drain = useCallback(async () => {
    if (running.current) return;
    running.current = true;
    try {
      for (let key = queue.current.shift(); key !== undefined; key = queue.current.shift()) {
        if (controller.current.signal.aborted) return;
        const current = key;
        set(current, { state: 'verifying' });
        try {
          const report = await api['vault.verify']({ key: current }, { onProgress: (progress) => set(current, { state: 'verifying', progress }), signal: controller.current.signal });
          set(current, { state: 'done', report });
        } catch (error) {
          set(current, { state: 'failed', error });
        }
      }
    } finally {
      running.current = false;
    }
  }, []);

  const verify = useCallback(
    (keys: readonly string[]) => {
      for (const key of keys) {
        if (queue.current.includes(key)) continue;
        queue.current.push(key);
        set(key, { state: 'queued' });
      }
      void drain();
    },
    [drain],
  );
  return { verdicts, verify };
}
