// The capture fleet's operations (contract.ts, `fleet.*`; docs/FLEET.md), for every host.
import type { OperationHandlers } from '../shared/contract.js';
import type { HostDeps } from './operations.js';

type FleetHandlers = Pick<OperationHandlers, 'fleet.submit' | 'fleet.status'>;

// BullMQ and ioredis load when a fleet operation first runs, not at the host's start.
const fleet = () => Promise.all([import('../core/fleet/queue-connection.js'), import('../core/fleet/submit.js'), import('../core/fleet/status.js')]);

export function fleetHandlers(deps: HostDeps): FleetHandlers {
  return {
    'fleet.submit': async ({ urls, matter, queue, submission, attempts, backoffSeconds }) => {
      const [{ resolveQueueUrl }, { submitUrls }] = await fleet();
      const backoffMs = backoffSeconds === undefined ? undefined : Math.round(backoffSeconds * 1000);
      return submitUrls({ queueUrl: resolveQueueUrl(queue, deps.settings.get().queueUrl), matter, urls, submission, attempts, backoffMs });
    },
    'fleet.status': async ({ submission, queue }) => {
      const [{ resolveQueueUrl }, , { fleetStatus }] = await fleet();
      return fleetStatus(resolveQueueUrl(queue, deps.settings.get().queueUrl), submission);
    },
  };
}
