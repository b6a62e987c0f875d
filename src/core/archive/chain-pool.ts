import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BlockInput, BlockResult } from './chain-blocks.js';

/**
 * Worker threads for the chain's walk: blocks go out round-robin, results come back in any
 * order (the reader puts them in order). A worker that fails fails the walk; none outlives
 * close().
 */
export class ChainPool {
  private readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (r: BlockResult) => void; reject: (e: unknown) => void }>();
  private nextId = 0;
  private failure: unknown;

  private constructor(script: WorkerScript, count: number) {
    this.workers = Array.from({ length: count }, () => {
      const worker = script.viaTsx
        ? // TypeScript source (the tests): tsx's loader registered in the worker, then the module.
          new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(script.url.href)}); });`, { eval: true })
        : // A small young generation: the blocks are short-lived, and each worker is ~30 MB less.
          new Worker(script.url, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      worker.on('message', (message: { id: number; result: BlockResult }) => {
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        waiter?.resolve(message.result);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0 && this.waiting.size > 0) this.fail(new Error(`A worker of the chain's walk ended with code ${code}.`));
      });
      return worker;
    });
  }

  /** A pool of `count` workers, or undefined where none can run (no worker script beside this module). */
  static open(count: number): ChainPool | undefined {
    const script = count > 0 ? workerScript() : undefined;
    return script ? new ChainPool(script, count) : undefined;
  }

  get size(): number {
    return this.workers.length;
  }

  examine(input: BlockInput): Promise<BlockResult> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    const worker = this.workers[id % this.workers.length]!;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      // The bytes are moved, not copied: the reader gave the block its own buffer.
      worker.postMessage({ id, input }, [input.bytes.buffer as ArrayBuffer]);
    });
  }

  close(): void {
    for (const worker of this.workers) void worker.terminate();
    this.fail(new Error("The chain's walk was closed."));
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    for (const waiter of this.waiting.values()) waiter.reject(this.failure);
    this.waiting.clear();
  }
}

/**
 * How many workers a walk of `bytes` bytes of events earns: none for a short log (starting one
 * costs ~30 ms) or a single core; else one per core beside the reading thread's, at most two
 * (the reading thread judges blocks too when they are busy; each worker costs ~30 MB).
 */
export function chainWorkersFor(bytes: number): number {
  return bytes >= WORKERS_FROM_BYTES ? Math.max(0, Math.min(2, availableParallelism() - 1)) : 0;
}

const YOUNG_GENERATION_MB = 4;

/** About 50,000 events. */
const WORKERS_FROM_BYTES = 8 << 20;

interface WorkerScript {
  readonly url: URL;
  readonly viaTsx?: boolean;
}

/**
 * The worker's module beside this one: compiled (build/, the app's bundle), or the TypeScript
 * source when running from src/ (the tests), loaded through tsx. Neither: the walk runs in place.
 */
function workerScript(): WorkerScript | undefined {
  try {
    // build/ has it beside this module; the app's bundle at out/main/, above the chunk this is in.
    for (const compiled of [new URL('./chain-worker.js', import.meta.url), new URL('../chain-worker.js', import.meta.url)]) {
      if (existsSync(fileURLToPath(compiled))) return { url: compiled };
    }
    const source = new URL('./chain-worker.ts', import.meta.url);
    if (existsSync(fileURLToPath(source))) return { url: source, viaTsx: true };
  } catch {
    // import.meta.url is not a file here (a bundle): in place.
  }
  return undefined;
}
