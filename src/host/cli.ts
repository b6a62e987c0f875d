import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { verifyArchive } from '../core/archive/verify-archive.js';
import { defaultDataDir, tsaUrlsFromEnv } from '../core/paths.js';
import { openProofline, type Proofline } from '../core/proofline.js';
import { APP_VERSION } from '../shared/version.js';
import { formatReport, formatSessions } from './cli-output.js';

interface GlobalOptions {
  data?: string;
  tsa: string[];
  checkpointMinutes?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function tsaUrls(options: GlobalOptions): string[] {
  const urls = options.tsa.length > 0 ? options.tsa : tsaUrlsFromEnv();
  for (const url of urls) {
    if (!/^https?:\/\//.test(url)) throw new UsageError(`TSA URL '${url}' must start with http:// or https://`);
  }
  return urls;
}

class UsageError extends Error {}

/** A percentage on stderr when a person is watching; nothing in scripts and pipes. */
function ttyProgress(label: string): { update: (p: { done: number; total: number }) => void; end: () => void } | undefined {
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

export function buildCli(out: (text: string) => void = (t) => process.stdout.write(t)): Command {
  const program = new Command('proofline')
    .description('Record, seal and verify evidence: hash-chained, signed, timestamped BagIt archives.')
    .version(APP_VERSION)
    .option('--data <dir>', 'data folder (default: $PROOFLINE_DATA or the desktop app\'s user-data folder)')
    .option('--tsa <url>', 'RFC 3161 time-stamping authority; repeat for several (default: $PROOFLINE_TSA_URLS, comma-separated)', collect, [])
    .option('--checkpoint-minutes <n>', 'minutes between checkpoints while a session is open (default 5)')
    .showHelpAfterError('(run with --help for usage)');

  const open = (): Proofline => {
    const options = program.opts<GlobalOptions>();
    const minutes = options.checkpointMinutes ?? process.env['PROOFLINE_CHECKPOINT_MINUTES'];
    if (minutes !== undefined && !(Number(minutes) > 0)) throw new UsageError(`--checkpoint-minutes must be a positive number, not '${minutes}'`);
    return openProofline({
      dataDir: resolve(options.data ?? defaultDataDir()),
      tsaUrls: tsaUrls(options),
      checkpointIntervalMinutes: minutes === undefined ? undefined : Number(minutes),
      tsaTimeoutMs: 10_000,
    });
  };
  const withStore = async <T>(work: (pl: Proofline) => Promise<T>): Promise<T> => {
    const pl = open();
    try {
      return await work(pl);
    } finally {
      pl.close();
    }
  };

  const session = program.command('session').description('create and list sessions');
  session
    .command('new')
    .description('start a new session (records the device, environment and a first checkpoint)')
    .requiredOption('--title <title>', 'what is being recorded')
    .addOption(new Option('--kind <kind>', 'creation (an AI drawing session) or web (a web capture)').choices(['creation', 'web']).default('creation'))
    .option('--creator <name>', 'who is recording')
    .option('--description <text>', 'free text')
    .option('--json', 'print {"id": …}')
    .action(async (opts: { title: string; kind: 'creation' | 'web'; creator?: string; description?: string; json?: boolean }) => {
      const created = await withStore((pl) => pl.sessions.create(opts));
      out(opts.json ? `${JSON.stringify({ id: created.id, kind: created.kind, title: created.title, createdAt: created.createdAt })}\n` : `${created.id}\n`);
    });
  session
    .command('list')
    .description('list sessions, newest first')
    .option('--json', 'print a JSON array')
    .action(async (opts: { json?: boolean }) => {
      const list = await withStore(async (pl) => pl.sessions.list());
      out(opts.json ? `${JSON.stringify(list, null, 2)}\n` : formatSessions(list));
    });

  program
    .command('note')
    .description('add a note (intent, reasons) to an open session')
    .argument('<id>', 'session id or a unique prefix of it')
    .argument('<text>', 'the note')
    .action(async (id: string, text: string) => {
      const event = await withStore((pl) => pl.sessions.note(id, text));
      out(`event ${event.body.seq} ${event.hash}\n`);
    });

  program
    .command('attach')
    .description('store files in an open session, each by its SHA-256, and record them')
    .argument('<id>', 'session id or a unique prefix of it')
    .argument('<files...>', 'files to attach')
    .action(async (id: string, files: string[]) => {
      const events = await withStore((pl) => pl.sessions.attach(id, files.map((f) => resolve(f))));
      for (const event of events) {
        const artifact = event.body.artifacts[0]!;
        out(`${artifact.sha256}  ${artifact.name} (${artifact.size} bytes, event ${event.body.seq})\n`);
      }
    });

  program
    .command('seal')
    .description('seal a session: final checkpoint, signed tag manifest and its timestamp (again: retry a missing timestamp)')
    .argument('<id>', 'session id or a unique prefix of it')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      const result = await withStore((pl) => pl.sessions.seal(id));
      const { pending, errors } = result.sealTimestamps;
      if (opts.json) {
        const summary = { id: result.session.id, sealedAt: result.session.sealedAt, events: result.checkpoint.statement.treeSize, tagManifestSha256: result.tagManifestSha256, sealTokens: result.sealTokens, pendingTimestamps: pending, errors };
        out(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      out(`sealed ${result.session.id} at ${result.session.sealedAt}: ${result.checkpoint.statement.treeSize} events\n`);
      out(`tag manifest ${result.tagManifestSha256}; ${result.sealTokens} seal timestamp(s)\n`);
      if (pending > 0) {
        process.stderr.write(`warning: ${pending} timestamp request(s) still pending (${errors[0] ?? 'TSA not reached'}). Run 'proofline seal ${result.session.id}' again when the TSA is reachable.\n`);
      } else if (result.sealTokens === 0) {
        process.stderr.write('warning: no TSA is configured (--tsa or PROOFLINE_TSA_URLS): the seal has no trusted timestamp; verify will report exit 3.\n');
      }
    });

  program
    .command('export')
    .description('write a sealed session as a BagIt ZIP evidence archive')
    .argument('<id>', 'session id or a unique prefix of it')
    .requiredOption('--out <file.zip>', 'archive to write (not overwritten if it exists)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { out: string; json?: boolean }) => {
      const progress = ttyProgress('exporting');
      const result = await withStore((pl) => pl.exportSession(id, { out: resolve(opts.out), onProgress: progress?.update }));
      progress?.end();
      out(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `wrote ${result.path}: ${result.files} files, ${result.payloadBytes} payload bytes\n`);
    });

  program
    .command('verify')
    .description('verify an evidence archive; exit 0 verified, 1 tampered or invalid, 2 unusable, 3 intact but not fully attested')
    .argument('<archive.zip>', 'the archive to check')
    .option('--trust <pem>', 'trusted TSA root certificate (PEM); repeat for several', collect, [])
    .option('--sm3', 'also recompute the SM3 digest of every payload file')
    .option('--json', 'print the full report as JSON')
    .action(async (archive: string, opts: { trust: string[]; sm3?: boolean; json?: boolean }) => {
      const trustedRoots = opts.trust.map((file) => {
        try {
          return readFileSync(file, 'utf8');
        } catch (error) {
          throw new UsageError(`cannot read trusted root ${file}: ${(error as Error).message}`);
        }
      });
      const progress = ttyProgress('verifying');
      const report = await verifyArchive(resolve(archive), { trustedRoots, sm3: opts.sm3, onProgress: progress?.update });
      progress?.end();
      out(opts.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      process.exitCode = report.exitCode;
    });

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
