import { resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultDataDir, tsaUrlsFromEnv } from '../core/paths.js';
import { openProofline, type Proofline } from '../core/proofline.js';

/** A mistake in how the command was called: one line on stderr and exit code 2. */
export class UsageError extends Error {}

export interface GlobalOptions {
  data?: string;
  tsa: string[];
  checkpointMinutes?: string;
}

/** What every command module gets: where to print and how to open the store. */
export interface CliContext {
  readonly out: (text: string) => void;
  readonly program: Command;
  dataDir(): string;
  tsaUrls(): string[];
  /** Opens the store; `defaults` fill in what no flag or environment variable gave (the app's Settings). */
  open(defaults?: { checkpointMinutes?: number }): Proofline;
  /** Opens the store, runs `work`, and always closes it. */
  withStore<T>(work: (pl: Proofline) => Promise<T>): Promise<T>;
}

/** Adds one command (or a group of them) to the program. */
export type RegisterCommands = (program: Command, context: CliContext) => void;

export const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function createContext(program: Command, out: (text: string) => void): CliContext {
  const options = (): GlobalOptions => program.opts<GlobalOptions>();
  const tsaUrls = (): string[] => {
    const given = options().tsa;
    const urls = given.length > 0 ? given : tsaUrlsFromEnv();
    for (const url of urls) {
      if (!/^https?:\/\//.test(url)) throw new UsageError(`TSA URL '${url}' must start with http:// or https://`);
    }
    return urls;
  };
  const dataDir = (): string => resolve(options().data ?? defaultDataDir());
  const open = (defaults: { checkpointMinutes?: number } = {}): Proofline => {
    const minutes = options().checkpointMinutes ?? process.env['PROOFLINE_CHECKPOINT_MINUTES'] ?? defaults.checkpointMinutes?.toString();
    if (minutes !== undefined && !(Number(minutes) > 0)) throw new UsageError(`--checkpoint-minutes must be a positive number, not '${minutes}'`);
    return openProofline({
      dataDir: dataDir(),
      tsaUrls: tsaUrls(),
      checkpointIntervalMinutes: minutes === undefined ? undefined : Number(minutes),
      tsaTimeoutMs: 10_000,
    });
  };
  return {
    out,
    program,
    dataDir,
    tsaUrls,
    open,
    async withStore(work) {
      const pl = open();
      try {
        return await work(pl);
      } finally {
        pl.close();
      }
    },
  };
}

/** A percentage on stderr when a person is watching; nothing in scripts and pipes. */
export function ttyProgress(label: string): { update: (p: { done: number; total: number }) => void; end: () => void } | undefined {
  if (!process.stderr.isTTY) return undefined;
  let shown = -1;
  return {
    update: ({ done, total }) => {
      const percent = Math.floor((100 * done) / Math.max(1, total));
      if (percent !== shown) process.stderr.write(`\r${label} ${(shown = percent)}%`);
    },
    end: () => process.stderr.write('\r\x1b[K'),
  };
}
