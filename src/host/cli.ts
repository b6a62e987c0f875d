import { Command, CommanderError } from 'commander';
import { asProoflineError } from '../core/errors.js';
import type { ErrorKind } from '../shared/errors.js';
import { APP_VERSION } from '../shared/version.js';
import { collect, createContext, StoppedBySignal, type RegisterCommands } from './cli-context.js';
import { registerCreationCommands } from './commands/creation.js';
import { registerEngineCommands } from './commands/engine.js';
import { registerServeCommands } from './commands/serve.js';
import { registerCaptureCommands } from './commands/capture.js';
import { registerRecordCommands } from './commands/record.js';
import { registerCheckEnvCommands } from './commands/check-env.js';
import { registerInspectCommands } from './commands/inspect.js';
import { registerReportCommands } from './commands/report.js';
import { registerTsaCommands } from './commands/tsa.js';
import { registerRenewCommands } from './commands/renew.js';
import { registerPublishCommands } from './commands/publish.js';
import { registerFleetCommands } from './commands/fleet.js';
import { registerVaultCommands } from './commands/vault.js';

/** Every command module; add a new one here. */
const COMMANDS: readonly RegisterCommands[] = [
  registerEngineCommands,
  registerCreationCommands,
  registerServeCommands,
  registerCaptureCommands,
  registerRecordCommands,
  registerCheckEnvCommands,
  registerInspectCommands,
  registerTsaCommands,
  registerReportCommands,
  registerRenewCommands,
  registerPublishCommands,
  registerFleetCommands,
  registerVaultCommands,
];

export function buildCli(out: (text: string) => void = (t) => process.stdout.write(t)): Command {
  const program = new Command('proofline')
    .description('Record, seal and verify evidence: hash-chained, signed, timestamped BagIt archives.')
    .version(APP_VERSION)
    .option('--data <dir>', 'data folder (default: $PROOFLINE_DATA or the desktop app\'s user-data folder)')
    .option('--tsa <url>', 'RFC 3161 time-stamping authority; repeat for several (default: $PROOFLINE_TSA_URLS, comma-separated)', collect, [])
    .option('--anchor-seconds <n>', 'every new event is signed and timestamped within N seconds (default: $PROOFLINE_ANCHOR_SECONDS, Settings, or 60)')
    .showHelpAfterError('(run with --help for usage)');
  const context = createContext(program, out);
  for (const register of COMMANDS) register(program, context);
  return program;
}

/**
 * The exit code of each kind of error, the one place the CLI maps them (STYLE.md habit 9): 2 for
 * a command called wrongly (a UsageError, code `cli.usage`), 1 for every other failure, as
 * before the error family, so scripts keep working. `verify` and `check-env` set their own codes
 * from their verdict, not from an error.
 */
export const EXIT_CODE_OF_KIND: Readonly<Record<ErrorKind | 'usage', number>> = {
  usage: 2,
  'invalid-input': 1,
  'not-found': 1,
  conflict: 1,
  unavailable: 1,
  interrupted: 1,
  damaged: 1,
  failed: 1,
};

/** The exit code and the one line on stderr for a failed command; 130 after Ctrl-C (cli-context.ts). */
export function describeFailure(error: unknown): { exitCode: number; line: string } {
  const failure = asProoflineError(error);
  return {
    exitCode: error instanceof StoppedBySignal ? error.exitCode : EXIT_CODE_OF_KIND[failure.code === 'cli.usage' ? 'usage' : failure.kind],
    line: `proofline: ${failure.message.split('\n')[0]}\n`,
  };
}

export async function main(argv: string[]): Promise<void> {
  const program = buildCli();
  program.exitOverride();
  program.configureOutput({ writeErr: (text) => process.stderr.write(text) });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      process.exitCode = error.exitCode;
      return;
    }
    const { exitCode, line } = describeFailure(error);
    process.stderr.write(line);
    process.exitCode = exitCode;
  }
}
