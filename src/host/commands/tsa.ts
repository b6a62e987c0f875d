import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { TsaTestResult } from '../../shared/views.js';
import { collect, type CliContext } from '../cli-context.js';

/** `proofline tsa-test [url]`: the app's Test TSA button (`tsa.test`), for a terminal. */
export function registerTsaCommands(program: Command, context: CliContext): void {
  program
    .command('tsa-test')
    .description('ask each TSA (--tsa, PROOFLINE_TSA_URLS or Settings; or the URL given) for a real timestamp over random data; records nothing')
    .argument('[url]', 'test this TSA instead of the configured ones')
    .option('--trust <file>', 'trusted TSA root certificate (PEM or DER), repeatable: says whether the signer chains to it', collect, [])
    .option('--json', 'print the results as JSON')
    .action(async (url: string | undefined, opts: { trust: string[]; json?: boolean }) => {
      const input = { ...(url !== undefined && { url }), ...(opts.trust.length > 0 && { trustedRootFiles: opts.trust.map((f) => resolve(f)) }) };
      const results = await context.withHost((host) => host.call('tsa.test', input));
      context.out(opts.json ? `${JSON.stringify(results, null, 2)}\n` : results.map(formatResult).join(''));
      // Exit 1 when any TSA gave no usable token: a script can refuse to record without one.
      if (results.some((r) => !r.ok)) process.exitCode = 1;
    });
}

function formatResult(r: TsaTestResult): string {
  if (!r.ok) return `FAILED  ${r.url}\n        ${r.error?.message ?? 'no usable token'}\n`;
  const trust = r.trusted ? 'trusted (chains to a given root)' : `not trusted: ${r.trustProblem?.detail ?? 'no path to a trusted root'}`;
  return `OK      ${r.url} (${r.elapsedMs} ms)\n        time    ${r.genTime ?? '?'}\n        signer  ${r.tsaName ?? r.signer ?? '?'}${r.algorithm ? ` (${r.algorithm})` : ''}\n        ${trust}\n`;
}
