// The command line as a host (STYLE.md habit 11): a command reaches the core as the app's window
// does, through an operation of the contract: its input parsed by the operation's zod schema,
// then the same handler (operations.ts), over the same capture lifecycle. Loaded only by the
// commands that run an operation, so that `--help` stays light.
import type { CaptureNotice } from '../core/capture/capture-source.js';
import { ProoflineError } from '../core/errors.js';
import type { Proofline } from '../core/proofline.js';
import { parseInput, settingsSchema, type InputOf, type OperationName, type ProgressOf, type ResultOf, type Settings, type SettingsPatch } from '../shared/contract.js';
import { createHost, type Host } from './operations.js';
import type { SettingsSource } from './settings-store.js';

export interface CallOptions<P> {
  readonly progress?: (progress: P) => void;
  readonly signal?: AbortSignal;
}

/** What a command holds while it runs. */
export interface CliHost {
  readonly pl: Proofline;
  /** Parses `input` with the operation's schema (a refusal is one line and exit 1), then runs its handler. */
  call<N extends OperationName>(name: N, input: InputOf<N>, options?: CallOptions<ProgressOf<N>>): Promise<ResultOf<N>>;
  /** Closes out recordings a crash left open, one line each on stderr (before record, seal and export). */
  recover(): Promise<void>;
  /** Stops every capture source and waits for what is under way (an environment snapshot). */
  shutdown(): Promise<void>;
}

export interface CliHostOptions {
  /** The TSAs of the flags, the environment or the app's Settings (cli-context.ts). */
  readonly tsaUrls: readonly string[];
  /** Where the capture sources' notices go (progress lines on stderr). */
  readonly onNotice?: (sessionId: string, notice: CaptureNotice) => void;
}

export function createCliHost(pl: Proofline, options: CliHostOptions): CliHost {
  const host: Host = createHost({ pl, settings: cliSettings(options.tsaUrls), host: 'cli', exportDir: process.cwd(), onNotice: options.onNotice });
  return {
    pl,
    async call(name, input, { progress, signal } = {}) {
      const parsed = parseInput(name, input);
      if (!parsed.ok) throw new ProoflineError('input.invalid', parsed.error.message, {}, { issues: parsed.error.issues });
      // The handlers are typed per operation; `name` ties this one to its input and result.
      const handler = host.handlers[name] as unknown as (input: unknown, context: { progress: (p: unknown) => void; signal: AbortSignal }) => Promise<ResultOf<typeof name>>;
      return handler(parsed.value, { progress: (progress ?? (() => {})) as (p: unknown) => void, signal: signal ?? new AbortController().signal });
    },
    async recover() {
      for (const line of await host.capture.recoverInterrupted({ strict: true })) process.stderr.write(`proofline: ${line}\n`);
    },
    shutdown: () => host.shutdown(),
  };
}

/**
 * The CLI's Settings: the defaults, with the TSAs it was given. The rest of the app's Settings
 * (watched folders, ComfyUI, recording quality) are the window's; the CLI takes them as flags,
 * which the operations' inputs carry.
 */
function cliSettings(tsaUrls: readonly string[]): SettingsSource {
  let current: Settings = { ...settingsSchema.parse({}), tsaUrls: [...tsaUrls] };
  return {
    get: () => current,
    update: (patch: SettingsPatch) => (current = { ...current, ...patch, recording: { ...current.recording, ...patch.recording } }),
  };
}
