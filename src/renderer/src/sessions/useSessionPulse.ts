import { useEffect, useState } from 'react';
import type { SessionPulse } from '../../../shared/contract';
import { live } from '../client';

/**
 * The last pulse the host pushed for the session (null until the first): a screen fetches what it
 * shows when the field it depends on moves, instead of asking on a timer (contract.ts, the live
 * channel). Every component of a screen shares one watch of the session.
 */
export function useSessionPulse(sessionId: string): SessionPulse | null {
  const [pulse, setPulse] = useState<SessionPulse | null>(null);
  useEffect(() => {
    setPulse(null);
    return live.watch(sessionId, setPulse);
  }, [sessionId]);
  return pulse;
}
