import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ProoflineError } from '../../core/errors.js';
import type { RenewResult } from '../../shared/views.js';
import { collect, interruptible, trustFlagPem, ttyProgress, UsageError, type CliContext } from '../cli-context.js';

/** What `renew` was given that is no archive at all: exit 2, as `verify` says UNUSABLE. */
const NOT_AN_ARCHIVE = new Set(['renew.unusable', 'file.not-a-file', 'file.unreadable']);

/**
 * `proofline --tsa URL renew ARCHIVE.zip [--trust ROOT]`: an RFC 4998 evidence record (archive.renew).
 * The TSA is the global --tsa (or $PROOFLINE_TSA_URLS, or Settings), as for every command.
 */
export function registerRenewCommands(program: Command, context: CliContext): void {
  program
    .command('renew')
    .description('renew an archive\'s timestamps before their TSA certificates expire: add or extend proofline/evidence-record.ers (RFC 4998); the bag stays byte-identical')
    .argument('<archive.zip>', 'the archive to renew (rewritten in place, every other entry as it was)')
    .option('--trust <cert>', 'trusted TSA root certificate file (PEM or DER), to judge the chain; repeat for several', collect, [])
    .option('--json', 'print the result as JSON')
    .action(async (archive: string, opts: { trust: string[]; json?: boolean }) => {
      const trustedRoots = await trustFlagPem(opts.trust);
      const progress = ttyProgress('verifying');
      let result: RenewResult;
      try {
        result = await interruptible((signal) =>
          context.withHost(async (host) => {
            const opened = await host.call('archive.open', { path: resolve(archive) });
            return host.call('archive.renew', { archive: opened.archive, ...(trustedRoots.length > 0 && { trustedRoots }) }, { progress: progress?.update, signal });
          }),
        ).finally(() => progress?.end());
      } catch (error) {
        if (error instanceof ProoflineError && NOT_AN_ARCHIVE.has(error.code)) throw new UsageError(error.message);
        throw error;
      }
      if (opts.json) {
        context.out(`${JSON.stringify(result, null, 2)}\n`);
      } else {
        context.out(`${result.action === 'created' ? 'added an evidence record to' : 'renewed the evidence record of'} ${result.path}: ${result.chain.links.length} archive timestamp(s)\n`);
        for (const link of result.chain.links) context.out(`  ${link.position}) ${link.genTime ?? 'no time'} by ${link.tsa ?? 'unknown TSA'}, valid until ${link.until ?? 'unknown'}${link.status === 'ok' ? '' : ` [${link.status}]`}\n`);
        context.out(result.chain.attestedUntil ? `time attested until ${result.chain.attestedUntil}: renew again before then\n` : 'no time attested by trusted TSAs (pass --trust)\n');
      }
      // Untrusted only for want of --trust is said above; a gap, or a link untrusted with roots given, is a warning.
      const broken = result.chain.links.some((l) => l.status === 'gap' || l.status === 'invalid' || (l.status === 'untrusted' && opts.trust.length > 0));
      if (result.warning && broken) process.stderr.write(`warning: ${result.warning}\n`);
    });
}
