import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ProoflineError } from '../../core/errors.js';
import { collect, interruptible, trustFlagPem, ttyProgress, UsageError, type CliContext } from '../cli-context.js';

/** What `report` was given that is no archive at all: exit 2, as `verify` says UNUSABLE. */
const NOT_AN_ARCHIVE = new Set(['report.not-an-archive', 'file.not-a-file', 'file.unreadable']);

/** `proofline report ARCHIVE.zip --out report.pdf`: the signed court report (archive.report). */
export function registerReportCommands(program: Command, context: CliContext): void {
  program
    .command('report')
    .description('write a signed PDF report of an evidence archive for a court: verdict first, then the session, appendices; exit 2 if it is not an archive')
    .argument('<archive.zip>', 'the archive to report on')
    .requiredOption('--out <report.pdf>', 'PDF to write (not overwritten if it exists)')
    .option('--lang <lang>', 'language of the report: zh or en', 'en')
    .option('--trust <cert>', 'trusted TSA root certificate file (PEM or DER); repeat for several', collect, [])
    .option('--json', 'print the result as JSON')
    .action(async (archive: string, opts: { out: string; lang: string; trust: string[]; json?: boolean }) => {
      if (opts.lang !== 'zh' && opts.lang !== 'en') throw new UsageError(`--lang must be zh or en, not '${opts.lang}'`);
      const lang = opts.lang;
      const trustedRoots = await trustFlagPem(opts.trust);
      const progress = ttyProgress('verifying');
      try {
        const result = await interruptible((signal) =>
          context.withHost(async (host) => {
            const opened = await host.call('archive.open', { path: resolve(archive) });
            return host.call('archive.report', { archive: opened.archive, lang, out: resolve(opts.out), trustedRoots }, { progress: progress?.update, signal });
          }),
        ).finally(() => progress?.end());
        const signed = result.signature.timestampedBy ? `signed, timestamped by ${result.signature.timestampedBy}` : 'signed, no signature timestamp (no TSA answered)';
        context.out(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `wrote ${result.path}: ${result.pages} pages, ${result.verdict.toUpperCase()}, ${signed}\n`);
      } catch (error) {
        if (error instanceof ProoflineError && NOT_AN_ARCHIVE.has(error.code)) throw new UsageError(error.message);
        throw error;
      }
    });
}
