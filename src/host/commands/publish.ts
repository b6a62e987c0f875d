import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';

/**
 * `proofline publish ID SHA256 --out FILE`: a sealed session's final image with C2PA Content
 * Credentials and the TC260 implicit label, through the contract's `image.publish`.
 */
export function registerPublishCommands(program: Command, context: CliContext): void {
  const { out } = context;
  program
    .command('publish')
    .description('write a copy of a sealed session\'s final image (PNG or JPEG) with C2PA Content Credentials (its lineage as ingredients, the evidence archive\'s SHA-256, an RFC 3161 time-stamp from --tsa or Settings when one answers) and the TC260 implicit label in XMP')
    .argument('<id>', 'session id or a unique prefix of it')
    .argument('<sha256>', 'the final image: its SHA-256 or a unique prefix of at least 8 hex digits')
    .option('--out <file>', 'the file to write (default: <image>-published.<ext> in the exports folder)')
    .option('--archive <zip>', 'the session\'s evidence archive (default: its export in the exports folder, made if absent)')
    .option('--no-label', 'leave out the TC260 label "AI-generated" (GB 45438-2025); the Content Credentials still say how the image was made')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, sha256: string, opts: { out?: string; archive?: string; label: boolean; json?: boolean }) => {
      const result = await context.withHost((host) =>
        host.call('image.publish', { id, sha256, label: opts.label, ...(opts.out !== undefined && { out: resolve(opts.out) }), ...(opts.archive !== undefined && { archive: resolve(opts.archive) }) }),
      );
      if (opts.json) {
        out(`${JSON.stringify(result, null, 2)}\n`);
        return;
      }
      out(`published ${result.path} (${result.size} bytes, SHA-256 ${result.sha256})\n`);
      out(`  Content Credentials ${result.c2paManifest}, ${result.ingredients.length} ingredient(s)${result.ingredients.map((i) => `\n    ${i.relationship} ${i.name} ${i.sha256}`).join('')}\n`);
      out(`  TC260 label: ${result.labeled ? 'AI-generated (Label 1), ProduceID = session id, ReservedCode1 = archive SHA-256' : 'none (--no-label)'}\n`);
      out(`  evidence archive ${result.archive} (SHA-256 ${result.archiveSha256})\n`);
      out(`  time-stamp: ${result.timeStamp ? `${result.timeStamp.genTime} by ${result.timeStamp.tsa} (RFC 3161, in the C2PA signature)` : `none, the publication time is only this device's word (${result.noTimeStamp?.kind === 'none-configured' ? 'no TSA is configured: give --tsa URL or add one in Settings' : (result.noTimeStamp?.detail ?? 'no TSA answered')})`}\n`);
      out(`  recorded as publication #${result.publication.seq} ${result.publication.hash}\n`);
    });
}
