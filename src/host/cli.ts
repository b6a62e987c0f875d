import { Command, CommanderError } from 'commander';
import { APP_VERSION } from '../shared/version.js';
import { collect, createContext, UsageError, type RegisterCommands } from './cli-context.js';
import { registerCreationCommands } from './commands/creation.js';
import { registerEngineCommands } from './commands/engine.js';
import { registerServeCommands } from './commands/serve.js';
import { registerCaptureCommands } from './commands/capture.js';
import { registerRecordCommands } from './commands/record.js';
import { registerCheckEnvCommands } from './commands/check-env.js';
import { registerInspectCommands } from './commands/inspect.js';

/** Every command module; add a new one here. */
const COMMANDS: readonly RegisterCommands[] = [
  registerEngineCommands,
  registerCreationCommands,
  registerServeCommands,
  registerCaptureCommands,
  registerRecordCommands,
  registerCheckEnvCommands,
  registerInspectCommands,
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
    const message = (error as Error).message ?? String(error);
    process.stderr.write(`proofline: ${message.split('\n')[0]}\n`);
    process.exitCode = error instanceof UsageError ? 2 : 1;
  }
}
