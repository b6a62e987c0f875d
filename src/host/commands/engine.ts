import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { collect, interruptible, readTrustFlag, ttyProgress, UsageError, type CliContext } from '../cli-context.js';

/**
 * The evidence engine's commands: sessions, notes, attachments, seal, export, verify. Notes,
 * attachments, seal and export run the contract's operations, as the app does (cli-host.ts);
 * `session new` opens the store itself, since the app's session.create also starts an environment
 * snapshot that a one-shot command would wait for, and `verify` reads a file, not the store.
 */
export function registerEngineCommands(program: Command, context: CliContext): void {
  const { out } = context;
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
      const created = await context.withStore((pl) => pl.sessions.create(opts));
      out(opts.json ? `${JSON.stringify({ id: created.id, kind: created.kind, title: created.title, createdAt: created.createdAt })}\n` : `${created.id}\n`);
    });
  session
    .command('list')
    .description('list sessions, newest first')
    .option('--json', 'print a JSON array')
    .action(async (opts: { json?: boolean }) => {
      const list = await context.withHost((host) => host.call('session.list', {}));
      const { formatSessions } = await import('../cli-output.js');
      out(opts.json ? `${JSON.stringify(list, null, 2)}\n` : formatSessions(list));
    });

  program
    .command('note')
    .description('add a note (intent, reasons) to an open session')
    .argument('<id>', 'session id or a unique prefix of it')
    .argument('<text>', 'the note')
    .action(async (id: string, text: string) => {
      const event = await context.withHost((host) => host.call('session.note', { id, text }));
      out(`event ${event.seq} ${event.hash}\n`);
    });

  program
    .command('attach')
    .description('store files in an open session, each by its SHA-256, and record them')
    .argument('<id>', 'session id or a unique prefix of it')
    .argument('<files...>', 'files to attach')
    .action(async (id: string, files: string[]) => {
      const events = await context.withHost((host) => host.call('session.attach', { id, files: files.map((f) => resolve(f)) }));
      for (const event of events) {
        const artifact = event.artifacts[0]!;
        out(`${artifact.sha256}  ${artifact.name} (${artifact.size} bytes, event ${event.seq})\n`);
      }
    });

  program
    .command('seal')
    .description('seal a session: final checkpoint, signed tag manifest and its timestamp (again: retry a missing timestamp)')
    .argument('<id>', 'session id or a unique prefix of it')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      // A recording a crash left open is closed out first, so that the seal covers its interruption.
      const sealed = await context.withHost(async (host) => (await host.recover(), host.call('session.seal', { id })));
      const { warning } = sealed;
      if (opts.json) {
        const summary = { id: sealed.id, sealedAt: sealed.sealedAt, events: sealed.events, tagManifestSha256: sealed.tagManifestSha256, sealTokens: sealed.sealTokens, sealCheckpointTokens: sealed.sealCheckpointTokens, abandonedTimestamps: sealed.abandonedTimestamps, pendingTimestamps: sealed.pendingTimestamps, errors: sealed.errors, ...(warning && { warning }) };
        out(`${JSON.stringify(summary, null, 2)}\n`);
      } else {
        out(`sealed ${sealed.id} at ${sealed.sealedAt}: ${sealed.events} events\n`);
        out(`tag manifest ${sealed.tagManifestSha256}; ${sealed.sealCheckpointTokens} timestamp(s) over the final checkpoint, ${sealed.sealTokens} over the seal\n`);
      }
      if (warning) process.stderr.write(`warning: ${warning.replace('in Settings', 'with --tsa (or in Settings)').replace('Seal again', `Run 'proofline seal ${sealed.id}' again`)} verify will report exit 3.\n`);
    });

  program
    .command('export')
    .description('write a sealed session as a BagIt ZIP evidence archive')
    .argument('<id>', 'session id or a unique prefix of it')
    .requiredOption('--out <file.zip>', 'archive to write (not overwritten if it exists)')
    .option('--json', 'print the result as JSON')
    .action(async (id: string, opts: { out: string; json?: boolean }) => {
      const progress = ttyProgress('exporting');
      // Ctrl-C cancels the export: the partial file is removed, no archive is left, exit 130.
      const result = await interruptible((signal) =>
        context.withHost(async (host) => (await host.recover(), host.call('session.export', { id, out: resolve(opts.out) }, { progress: progress?.update, signal }))),
      ).finally(() => progress?.end());
      out(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `wrote ${result.path}: ${result.files} files, ${result.payloadBytes} payload bytes\n`);
    });

  program
    .command('verify')
    .description('verify an evidence archive, or a web archive (WACZ) on its own; exit 0 verified, 1 tampered or invalid, 2 unusable, 3 intact but not fully attested (a WACZ: unsigned)')
    .argument('<archive.zip>', 'the archive (or .wacz) to check, or s3://BUCKET/KEY: an archive in the team vault, read in place with ranged reads')
    .option('--trust <cert>', 'trusted TSA root certificate file (PEM, one or many, or DER); repeat for several', collect, [])
    .option('--sm3', 'also recompute the SM3 digest of every payload file')
    .option('--signer <sha256>', "a WACZ only: the SHA-256 (16+ hex digits) of the key that must have signed it, as the evidence archive's WACZ check names it")
    .option('--json', 'print the full report as JSON')
    .action(async (archive: string, opts: { trust: string[]; sm3?: boolean; signer?: string; json?: boolean }) => {
      // Loaded here, not at start-up (cli-context.ts, loadStore): the verifier and X.509.
      const [{ verifyEvidenceFile }, { formatReport }] = await Promise.all([import('../../core/archive/verify-file.js'), import('../cli-output.js')]);
      if (opts.signer !== undefined && !/^[0-9a-fA-F]{16,64}$/.test(opts.signer)) throw new UsageError('--signer takes the SHA-256 of the signing key: 16 to 64 hex digits');
      const trustedRoots = await readTrustFlag(opts.trust);
      const progress = ttyProgress('verifying');
      // Ctrl-C stops it between entries and inside a large one: no verdict, exit 130.
      const report = await interruptible((signal) =>
        /^s3:\/\//i.test(archive)
          ? verifyInVault(context, archive, { trustedRoots, sm3: opts.sm3, onProgress: progress?.update, signal })
          : verifyEvidenceFile(resolve(archive), { trustedRoots, sm3: opts.sm3, onProgress: progress?.update, signal, ...(opts.signer && { waczSigner: opts.signer }) }),
      ).finally(() => progress?.end());
      if (report === undefined) return;
      // Piece by piece: a long session's report lists every event's anchoring (~140 MB at 1M events).
      if (opts.json) (await import('../json-stream.js')).writeJson(report, out);
      else out(formatReport(report));
      process.exitCode = report.exitCode;
    });

}

/**
 * `verify s3://BUCKET/KEY`: read in place from the bucket with ranged GETs (verify-object.ts), with
 * Settings' vault endpoint, region and profile and the AWS environment's credentials. When the
 * store cannot be read (unreachable, denied, the object replaced meanwhile) there is no verdict:
 * the reason on stderr, exit 2 (unusable input), as for a file that cannot be read.
 */
async function verifyInVault(context: CliContext, url: string, options: import('../../core/archive/verify-archive.js').VerifyOptions): Promise<import('../../core/archive/verify-report.js').VerifyReport | undefined> {
  const [core, { verifyVaultObject }, { SettingsStore }] = await Promise.all([import('../../core/vault/vault.js'), import('../../core/vault/verify-object.js'), import('../settings-store.js')]);
  const { vault, key } = core.vaultForObject(await core.openVault(new SettingsStore(context.dataDir()).get().vault, url.replace(/^(s3:\/\/[^/]+).*$/i, '$1')), url);
  try {
    return await verifyVaultObject(vault, key, options);
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    if (!code.startsWith('vault.')) throw error;
    process.stderr.write(`proofline: ${(error as Error).message.split('\n')[0]}\n`);
    process.exitCode = 2;
    return undefined;
  }
}
