import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ProoflineError } from '../core/errors.js';
import { defaultDataDir, tsaUrlsFromEnv } from '../core/paths.js';
import type { Proofline } from '../core/proofline.js';
import type { CaptureNotice } from '../core/capture/capture-source.js';
import type { CliHost } from './cli-host.js';
import type { SettingsStore } from './settings-store.js';

/** A mistake in how the command was called: one line on stderr and exit code 2 (cli.ts). */
export class UsageError extends ProoflineError {
  constructor(message: string) {
    super('cli.usage', message);
    this.name = 'UsageError';
  }
}

/**
 * A command stopped by Ctrl-C (SIGINT) or SIGTERM: its operation was cancelled through its
 * AbortSignal and cleaned up after itself; the command exits 128 + the signal's number (130 for
 * Ctrl-C), as a shell expects of a program a signal ended.
 */
export class StoppedBySignal extends ProoflineError {
  readonly exitCode: number;
  constructor(readonly signalName: 'SIGINT' | 'SIGTERM', cause: unknown) {
    const said = cause instanceof Error ? cause.message.split('\n')[0] : '';
    super('operation.cancelled', `${signalName === 'SIGINT' ? 'interrupted (Ctrl-C)' : 'stopped (SIGTERM)'}${said ? `: ${said}` : ''}`, {}, { cause });
    this.name = 'StoppedBySignal';
    this.exitCode = signalName === 'SIGINT' ? 130 : 143;
  }
}

/**
 * Runs `work` with a signal that Ctrl-C and SIGTERM abort: the operation stops through the same
 * AbortSignal the app's Cancel button aborts (no partial archive, no child process left), and the
 * command then fails with StoppedBySignal. Further presses while it stops are ignored: the
 * cleanup is short, and cutting it off would leave what it is removing.
 */
export async function interruptible<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let received: 'SIGINT' | 'SIGTERM' | undefined;
  const on = (name: 'SIGINT' | 'SIGTERM') => (): void => {
    if (received) return;
    received = name;
    process.stderr.write(`\nproofline: stopping (${name === 'SIGINT' ? 'Ctrl-C' : name})…\n`);
    controller.abort();
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    return await work(controller.signal);
  } catch (error) {
    throw received ? new StoppedBySignal(received, error) : error;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

export interface GlobalOptions {
  data?: string;
  tsa: string[];
  anchorSeconds?: string;
}

/** What every command module gets: where to print and how to open the store. */
export interface CliContext {
  readonly out: (text: string) => void;
  readonly program: Command;
  dataDir(): string;
  tsaUrls(): Promise<string[]>;
  /** Opens the store; `defaults` fill in what no flag or environment variable gave (the app's Settings). */
  open(defaults?: { anchorSeconds?: number }): Promise<Proofline>;
  /**
   * Opens the store, runs `work`, anchors what it added (a checkpoint and a bounded wait for the
   * TSAs: no process stays behind to do it later), and always closes it.
   */
  withStore<T>(work: (pl: Proofline) => Promise<T>): Promise<T>;
  /**
   * The same around a host (cli-host.ts): `work` calls the operations of the contract. At the end
   * every capture source stops, then what was added is anchored. `timers`: a long-running
   * command (record, capture) anchors on the way too, as the app does.
   */
  withHost<T>(work: (host: CliHost) => Promise<T>, options?: WithHostOptions): Promise<T>;
}

export interface WithHostOptions {
  readonly timers?: boolean;
  readonly onNotice?: (sessionId: string, notice: CaptureNotice) => void;
}

/** Adds one command (or a group of them) to the program. */
export type RegisterCommands = (program: Command, context: CliContext) => void;

export const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * The store and the Settings, loaded when a command first needs them, not at start-up: the core
 * brings better-sqlite3, the archive and attestation layers, and `proofline --help` should not
 * wait for them (tests/integration/cli-startup.test.ts).
 */
const loadStore = async (): Promise<{ core: typeof import('../core/proofline.js'); settings: typeof import('./settings-store.js') }> => {
  const [core, settings] = await Promise.all([import('../core/proofline.js'), import('./settings-store.js')]);
  return { core, settings };
};

export function createContext(program: Command, out: (text: string) => void): CliContext {
  const options = (): GlobalOptions => program.opts<GlobalOptions>();
  // The app's Settings live in the data folder: the CLI uses their TSAs and interval unless a
  // flag or environment variable says otherwise, so a session anchors the same whoever adds to it.
  let settings: SettingsStore | undefined;
  const saved = async (): Promise<SettingsStore> => (settings ??= new (await loadStore()).settings.SettingsStore(dataDir()));
  const tsaUrls = async (): Promise<string[]> => {
    const given = options().tsa;
    const fromEnv = tsaUrlsFromEnv();
    const urls = given.length > 0 ? given : process.env['PROOFLINE_TSA_URLS'] !== undefined ? fromEnv : (await saved()).get().tsaUrls;
    for (const url of urls) {
      if (!/^https?:\/\//.test(url)) throw new UsageError(`TSA URL '${url}' must start with http:// or https://`);
    }
    return urls;
  };
  const dataDir = (): string => resolve(options().data ?? defaultDataDir());
  const open = async (defaults: { anchorSeconds?: number } = {}): Promise<Proofline> => {
    const { ANCHOR_SECONDS_RANGE, openProofline } = (await loadStore()).core;
    const given = options().anchorSeconds ?? process.env['PROOFLINE_ANCHOR_SECONDS'];
    const seconds = given !== undefined && given !== '' ? Number(given) : (defaults.anchorSeconds ?? (await saved()).get().anchorSeconds);
    if (!Number.isInteger(seconds) || seconds < ANCHOR_SECONDS_RANGE.min || seconds > ANCHOR_SECONDS_RANGE.max) {
      throw new UsageError(`--anchor-seconds must be a whole number from ${ANCHOR_SECONDS_RANGE.min} to ${ANCHOR_SECONDS_RANGE.max}, not '${given}'`);
    }
    return openProofline({ dataDir: dataDir(), tsaUrls: await tsaUrls(), anchorSeconds: seconds, tsaTimeoutMs: 10_000 });
  };
  return {
    out,
    program,
    dataDir,
    tsaUrls,
    open,
    async withStore(work) {
      const pl = await open();
      try {
        const result = await work(pl);
        await pl.anchorTouched();
        return result;
      } catch (error) {
        // What was added before the failure is evidence too: anchor it, then report the failure.
        await pl.anchorTouched().catch(() => undefined);
        throw error;
      } finally {
        pl.close();
      }
    },
    async withHost(work, hostOptions = {}) {
      // Loaded here, not at start-up: the operations bring the archive and capture layers.
      const { createCliHost } = await import('./cli-host.js');
      const urls = await tsaUrls();
      const pl = await open();
      const host = createCliHost(pl, { tsaUrls: urls, onNotice: hostOptions.onNotice });
      try {
        if (hostOptions.timers) pl.startTimers();
        const result = await work(host);
        await host.shutdown();
        await pl.anchorTouched();
        return result;
      } catch (error) {
        // What was added before the failure is evidence too: stop, anchor it, then report.
        await host.shutdown().catch(() => undefined);
        await pl.anchorTouched().catch(() => undefined);
        throw error;
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

/**
 * The `--trust` files as the certificates they hold (DER), read when a command needs them, not at
 * start-up (X.509 parsing); a file that holds no certificate is the caller's mistake (exit 2).
 */
export async function readTrustFlag(files: readonly string[]): Promise<Buffer[]> {
  const { readTrustedRoots, TrustedRootError } = await import('../core/attest/trusted-roots.js');
  try {
    return readTrustedRoots(files);
  } catch (error) {
    if (error instanceof TrustedRootError) throw new UsageError(`--trust ${error.message}`);
    throw error;
  }
}

/** The `--trust` files as one PEM bundle for an operation's `trustedRoots` input; none: []. */
export async function trustFlagPem(files: readonly string[]): Promise<string[]> {
  const roots = await readTrustFlag(files);
  if (roots.length === 0) return [];
  const { certificatesPem } = await import('../core/attest/tsa-pem.js');
  return [certificatesPem(roots)];
}
