// The capture fleet's operations (contract.ts, `fleet.*`; docs/FLEET.md), for every host.
import type { OperationHandlers } from '../shared/contract.js';
import type { HostDeps } from './operations.js';
import { OperationFailure } from './operation-failure.js';

type FleetHandlers = Pick<OperationHandlers, 'fleet.submit' | 'fleet.status'>;

export function fleetHandlers(_deps: HostDeps): FleetHandlers {
  const notYet = (): never => {
    throw new OperationFailure('fleet.failed', 'The capture fleet is not built yet.', { reason: 'not built yet' });
  };
  return {
    'fleet.submit': async () => notYet(),
    'fleet.status': async () => notYet(),
  };
}
