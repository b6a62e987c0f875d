// Where the fleet's queue is, and a connection to it: redis://HOST:PORT from --queue,
// $PROOFLINE_QUEUE or Settings, in that order (docs/FLEET.md). Redis is the fleet's one
// coordination point; a command that cannot reach it says so (fleet.unreachable) and queues nothing.
import type { ConnectionOptions, Queue } from 'bullmq';
import { ProoflineError } from '../errors.js';
import { QUEUE_NAME, QUEUE_PREFIX } from './fleet-jobs.js';

/** The queue to use: the one given, else $PROOFLINE_QUEUE, else Settings'; fleet.no-queue if none. */
export function resolveQueueUrl(given: string | undefined, settingsUrl: string, env: NodeJS.ProcessEnv = process.env): string {
  const url = given || env['PROOFLINE_QUEUE'] || settingsUrl;
  if (!url) throw new ProoflineError('fleet.no-queue', 'No capture queue is set: give --queue redis://HOST:PORT, set PROOFLINE_QUEUE, or set one in Settings.');
  if (!/^rediss?:\/\/[^/]/.test(url)) throw new ProoflineError('input.invalid', `${publicQueueUrl(url)} is not a redis://HOST:PORT address.`);
  return url;
}

/** The address without a password, for messages and logs. */
export function publicQueueUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

/**
 * A connection for a command that asks and ends (submit, status): it gives up after a few
 * seconds instead of waiting for Redis forever, as a worker does.
 */
export function commandConnection(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: 1, connectTimeout: 5_000, retryStrategy: (times: number) => (times > 2 ? null : 200 * times) };
}

/** A worker's connection: it waits for Redis however long it is away (BullMQ requires no retry limit). */
export function workerConnection(url: string): ConnectionOptions {
  return { url, maxRetriesPerRequest: null, retryStrategy: (times: number) => Math.min(30_000, 500 * 2 ** Math.min(times, 6)) };
}

/**
 * The few Redis commands our own keys use. BullMQ's client type names only what BullMQ needs;
 * the object is its proxy over ioredis, which has them all.
 */
export interface RedisCommands {
  ping(): Promise<string>;
  hget(key: string, field: string): Promise<string | null>;
  hgetall(key: string): Promise<Record<string, string>>;
  hsetnx(key: string, field: string, value: string): Promise<number>;
  zadd(key: string, flag: 'NX', score: number, member: string): Promise<number>;
  zrange(key: string, start: number, stop: number): Promise<string[]>;
  rpush(key: string, ...values: string[]): Promise<number>;
  lrange(key: string, start: number, stop: number): Promise<string[]>;
}

export async function redisOf(queue: Queue): Promise<RedisCommands> {
  return (await queue.client) as unknown as RedisCommands;
}

export async function openQueue(url: string): Promise<Queue> {
  const { Queue } = await import('bullmq');
  const queue = new Queue(QUEUE_NAME, { connection: commandConnection(url), prefix: QUEUE_PREFIX });
  // A connection error is reported by the call that needed it; the event must have a listener.
  queue.on('error', () => undefined);
  try {
    const client = await withTimeout(redisOf(queue), 6_000);
    await withTimeout(client.ping(), 6_000);
  } catch (error) {
    await queue.close().catch(() => undefined);
    throw unreachable(url, error);
  }
  return queue;
}

export function unreachable(url: string, error: unknown): ProoflineError {
  const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  return new ProoflineError('fleet.unreachable', `The capture queue ${publicQueueUrl(url)} cannot be reached (${reason}): start Redis or check the address; nothing was changed in the queue.`, { queue: publicQueueUrl(url), reason }, { cause: error });
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    work.then((v) => (clearTimeout(timer), resolve(v)), (e: unknown) => (clearTimeout(timer), reject(e)));
  });
}
