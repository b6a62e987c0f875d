// Helpers of the fleet tests: a worker process of the real CLI, and the status it reports.
import { join } from 'node:path';
import type { FleetStatus } from '../../src/shared/views.js';
import { proofline, startProofline, type RunningCli } from './cli.js';
import { services } from './services.js';

export interface FleetWorker extends RunningCli {
  readonly data: string;
  /** The device key id the worker announced on its first line. */
  device(): string | undefined;
}

/** A `proofline worker` with its own data folder (its own device key), fast stall settings, offline environment check. */
export function startWorker(root: string, name: string, options: { queue: string; vault: string; tsaUrl: string; extra?: readonly string[]; env?: Record<string, string> }): FleetWorker {
  const data = join(root, name);
  const cli = startProofline(
    [
      '--data', data, '--tsa', options.tsaUrl,
      'worker', '--queue', options.queue, '--vault', options.vault,
      // Loopback only: no public-IP service, each probe cut short so no job waits on the network.
      '--no-public-ip', '--check-timeout', '800',
      '--lock-seconds', '8', '--stalled-seconds', '2', '--timeout', '20', '--retries', '0',
      ...(options.extra ?? []),
    ],
    { ...services().s3Env, ...options.env },
  );
  return { ...cli, data, device: () => /device ([0-9a-f]{16,}): taking jobs/.exec(cli.stderr())?.[1] };
}

/** `batch status SUBMISSION --json` of the real CLI. */
export async function cliStatus(queue: string, data: string, submission: string): Promise<FleetStatus['submissions'][number]> {
  const result = await proofline(['--data', data, 'batch', 'status', submission, '--queue', queue, '--json']);
  if (result.code !== 0) throw new Error(`batch status failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as FleetStatus).submissions[0]!;
}

/** The same status read in-process (cheap enough to poll every half second while workers run). */
export async function polledStatus(queue: string, submission: string): Promise<FleetStatus['submissions'][number]> {
  const { fleetStatus } = await import('../../src/core/fleet/status.js');
  return (await fleetStatus(queue, submission)).submissions[0]!;
}

/**
 * The loopback Redis, database `db`: each test file has a queue of its own (workers take any job
 * of their queue, and test files run side by side).
 */
export function queueOf(db: number): string {
  return `${services().queue.replace(/\/\d*$/, '')}/${db}`;
}

/** queueOf(db), emptied of any job an earlier run left (the services may be reused between runs). */
export async function freshQueue(db: number): Promise<string> {
  const url = queueOf(db);
  const { openQueue } = await import('../../src/core/fleet/queue-connection.js');
  const queue = await openQueue(url);
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
  return url;
}

export async function until<T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function testVault(bucket: string): Promise<import('../../src/core/vault/vault.js').VaultContext> {
  const [{ openVault }, { settingsSchema }] = await Promise.all([import('../../src/core/vault/vault.js'), import('../../src/shared/contract.js')]);
  return openVault(settingsSchema.parse({}).vault, `s3://${bucket}`, { ...process.env, ...services().s3Env });
}

/** A vault bucket of the test's own: Object Lock, COMPLIANCE, one day. */
export async function initTestVault(bucket: string): Promise<void> {
  const { initVault } = await import('../../src/core/vault/vault.js');
  await initVault(await testVault(bucket), { retentionDays: 1, mode: 'COMPLIANCE' });
}

export async function listTestVault(bucket: string): Promise<import('../../src/shared/views.js').VaultListing> {
  const { listVault } = await import('../../src/core/vault/vault.js');
  return listVault(await testVault(bucket));
}
