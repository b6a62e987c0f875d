import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Settings } from '../../shared/contract.js';
import type { VaultArchive, VaultListing, VaultPush } from '../../shared/views.js';
import { interruptible, ttyProgress, UsageError, type CliContext } from '../cli-context.js';
import type { CliHost } from '../cli-host.js';

// The vault's core and the S3 SDK load only when a vault command runs.
const vaultCore = () => import('../../core/vault/vault.js');

/** The data folder's Settings' vault block (endpoint, region, profile, retention, mode, matter, URL): the app's, shared with the CLI. */
async function savedVault(context: CliContext): Promise<Settings['vault']> {
  const { SettingsStore } = await import('../settings-store.js');
  return new SettingsStore(context.dataDir()).get().vault;
}

/** The operations see the data folder's vault Settings, as the app's window does. */
async function withVaultSettings(context: CliContext, host: CliHost, patch: Partial<Settings['vault']> = {}): Promise<void> {
  await host.call('settings.update', { vault: { ...(await savedVault(context)), ...patch } });
}

/** s3://BUCKET of s3://BUCKET/KEY: the vault of an archive named by its address. */
const bucketUrl = (url: string): string => url.replace(/^(s3:\/\/[^/]+).*$/i, '$1');

/** An archive named by s3://BUCKET/KEY (its own bucket), or by KEY in the vault of --vault, $PROOFLINE_VAULT or Settings. */
async function locate(context: CliContext, key: string, flag: string | undefined) {
  const core = await vaultCore();
  const isUrl = /^s3:\/\//i.test(key);
  const vault = await core.openVault(await savedVault(context), flag ?? (isUrl ? bucketUrl(key) : undefined));
  return isUrl ? core.vaultForObject(vault, key) : { vault, key: core.keyOf(vault, key) };
}

function retentionDays(value: string): number {
  const days = Number(value);
  if (!Number.isInteger(days) || days < 1 || days > 36_500) throw new UsageError(`--retention-days must be a whole number of days from 1 to 36500, not '${value}'`);
  return days;
}

function mode(value: string | undefined): 'COMPLIANCE' | 'GOVERNANCE' | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (upper !== 'COMPLIANCE' && upper !== 'GOVERNANCE') throw new UsageError(`--mode must be COMPLIANCE or GOVERNANCE, not '${value}'`);
  return upper;
}

const lock = (a: { mode: string | null; retainUntil: string | null; legalHold: boolean }): string =>
  `${a.mode ? `${a.mode} until ${a.retainUntil}` : 'no retention'}${a.legalHold ? ', legal hold' : ''}`;

function printPush(out: (text: string) => void, push: VaultPush): void {
  out(`${push.alreadyThere ? 'already in the vault (same SHA-256 under this key), not sent again' : 'pushed'}: ${push.url}\n`);
  out(`  version ${push.versionId ?? '(none)'}, ${push.bytes} bytes, SHA-256 ${push.archiveSha256}\n`);
  out(`  retained: ${lock(push)}\n`);
  out(`  matter ${push.matter}, session ${push.sessionId ?? '(unknown)'}, ${push.outcome}, device ${push.device ?? '(unknown)'}\n`);
}

function printArchive(out: (text: string) => void, a: VaultArchive, verdict?: string): void {
  out(`  ${a.key}\n    ${a.title ?? '(no title)'} · session ${a.sessionId ?? '?'} · ${a.bytes} bytes · ${lock(a)} · ${a.outcome ?? '?'} · device ${a.device?.slice(0, 16) ?? '?'}${a.job ? ` · job ${a.job.submission} attempt ${a.job.attempt}` : ''}${verdict ? `\n    ${verdict}` : ''}\n`);
  const history = a.history;
  if (history?.hidden) out(`    ! hidden by a delete marker: a plain GET of this key finds nothing, but the locked version ${a.versionId ?? ''} is still there (shown)\n`);
  if (history && history.versions > 1) out(`    ! written over: ${history.versions} versions under this key; the newest is shown, and \`vault pull\` of a recorded push fetches the version pushed\n`);
}

function printListing(out: (text: string) => void, listing: VaultListing, verdicts: ReadonlyMap<string, string>): void {
  const { enabled, mode: lockMode, days } = listing.objectLock;
  out(`${listing.vault}: Object Lock ${enabled ? `on${lockMode ? `, default ${lockMode} ${days} days` : ', no default retention'}` : 'OFF'}\n`);
  out(`matters: ${listing.matters.length === 0 ? '(none)' : listing.matters.map((m) => `${m.name} (${m.archives})`).join(', ')}\n`);
  out(`archives: ${listing.archives.length}\n`);
  for (const archive of listing.archives) printArchive(out, archive, verdicts.get(archive.key));
  out(`devices: ${listing.devices.length}\n`);
  for (const device of listing.devices) out(`  ${device.keyId} ${device.subject}\n`);
}

/**
 * `proofline push`, `proofline vault init|list|pull|hold|devices`: the team vault (docs/FLEET.md).
 * push, list and hold go through the contract's vault.* operations; init, pull and devices have
 * no operation (the app has no button for them) and call the vault's core directly.
 */
export function registerVaultCommands(program: Command, context: CliContext): void {
  const { out } = context;
  program
    .command('push')
    .description('send a sealed session\'s archive (exported first if it has none) or an archive file to the team vault, with its Object Lock retention; the push is recorded in the data folder')
    .argument('<target>', 'a sealed session (id or unique prefix) or an exported archive (.zip)')
    .option('--matter <name>', 'the matter it belongs to (default: Settings\' matter)')
    .option('--vault <url>', 's3://BUCKET[/PREFIX] (default: $PROOFLINE_VAULT, then Settings)')
    .option('--retention-days <n>', 'days the store keeps it undeletable (default: Settings, 3650)')
    .option('--mode <mode>', 'COMPLIANCE (no one can shorten it) or GOVERNANCE (default: Settings, COMPLIANCE)')
    .option('--json', 'print the push as JSON')
    .action(async (target: string, opts: { matter?: string; vault?: string; retentionDays?: string; mode?: string; json?: boolean }) => {
      const patch = { ...(opts.retentionDays !== undefined && { retentionDays: retentionDays(opts.retentionDays) }), ...(opts.mode !== undefined && { mode: mode(opts.mode)! }) };
      // A file, or what can only be meant as one (a .zip or a path), else a session id.
      const file = (existsSync(target) && statSync(target).isFile()) || /\.zip$/i.test(target) || /[\\/]/.test(target);
      const progress = ttyProgress('pushing');
      const push = await context.withHost((host) =>
        interruptible(async (signal) => {
          await withVaultSettings(context, host, patch);
          const input = { ...(file ? { archive: resolve(target) } : { id: target }), ...(opts.matter !== undefined && { matter: opts.matter }), ...(opts.vault !== undefined && { vault: opts.vault }) };
          return host.call('vault.push', input, { progress: progress?.update, signal });
        }).finally(() => progress?.end()),
      );
      if (opts.json) out(`${JSON.stringify(push, null, 2)}\n`);
      else printPush(out, push);
    });

  const vault = program.command('vault').description('the team vault: an S3 bucket with Object Lock (AWS S3, MinIO, Ceph); endpoint, region and credentials the AWS way (AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profiles)');

  vault
    .command('init')
    .description('create the bucket with Object Lock and a default retention, or set the default retention of one that has Object Lock; a bucket without Object Lock is refused')
    .argument('<url>', 's3://BUCKET[/PREFIX]')
    .requiredOption('--retention-days <n>', 'default retention of what is written to it, in days')
    .option('--mode <mode>', 'COMPLIANCE (default) or GOVERNANCE')
    .option('--json', 'print the result as JSON')
    .action(async (url: string, opts: { retentionDays: string; mode?: string; json?: boolean }) => {
      const days = retentionDays(opts.retentionDays);
      const core = await vaultCore();
      const result = await core.initVault(await core.openVault(await savedVault(context), url), { retentionDays: days, mode: mode(opts.mode) ?? 'COMPLIANCE' });
      if (opts.json) return out(`${JSON.stringify(result, null, 2)}\n`);
      out(`${result.created ? 'created' : 'kept'} ${result.vault}: Object Lock on, default retention ${result.mode} ${result.days} days${result.before && (result.before.mode !== result.mode || result.before.days !== result.days) ? ` (was ${result.before.mode} ${result.before.days} days)` : ''}\n`);
    });

  vault
    .command('list')
    .description('the matters, the archives (retention, legal hold, session, device) and the fleet\'s device certificates')
    .option('--matter <name>', 'only this matter')
    .option('--vault <url>', 's3://BUCKET[/PREFIX] (default: $PROOFLINE_VAULT, then Settings)')
    .option('--verify', 'verify each archive straight from the bucket (ranged reads) and print its verdict; exit code as verify\'s for the worst one')
    .option('--json', 'print the listing as JSON')
    .action(async (opts: { matter?: string; vault?: string; verify?: boolean; json?: boolean }) => {
      const verdicts = new Map<string, string>();
      const codes: number[] = [];
      const listing = await context.withHost(async (host) => {
        await withVaultSettings(context, host);
        const given = { ...(opts.vault !== undefined && { vault: opts.vault }) };
        const result = await host.call('vault.list', { ...(opts.matter !== undefined && { matter: opts.matter }), ...given });
        if (opts.verify) {
          for (const archive of result.archives) {
            const report = await interruptible((signal) => host.call('vault.verify', { key: archive.key, ...given }, { signal })).catch((error: Error) => ({ verdict: 'error', exitCode: 2, summary: error.message.split('\n')[0] }));
            verdicts.set(archive.key, `${report.verdict}: ${report.summary}`);
            codes.push(report.exitCode);
          }
        }
        return result;
      });
      // With --verify, the exit code is verify's for the worst archive: 1 tampered, 2 unusable, 3 not fully attested.
      process.exitCode = [1, 2, 3].find((code) => codes.includes(code)) ?? 0;
      if (opts.json) return out(`${JSON.stringify(opts.verify ? { ...listing, verdicts: Object.fromEntries(verdicts) } : listing, null, 2)}\n`);
      printListing(out, listing, verdicts);
    });

  vault
    .command('pull')
    .description('download an archive, checked against the SHA-256 recorded when it was pushed (nothing is kept on a mismatch)')
    .argument('<key>', 's3://BUCKET/KEY, or KEY in the vault of --vault')
    .option('--out <file>', 'where to write it (default: its name, here)')
    .option('--vault <url>', 's3://BUCKET[/PREFIX] (default: $PROOFLINE_VAULT, then Settings)')
    .action(async (key: string, opts: { out?: string; vault?: string }) => {
      const core = await vaultCore();
      const where = await locate(context, key, opts.vault);
      const target = resolve(opts.out ?? basename(where.key));
      if (existsSync(target)) throw new UsageError(`${target} exists: give --out with a new file name`);
      const progress = ttyProgress('pulling');
      // This data folder's record of the push, if it made it: that version, held to that hash.
      const pushed = await context.withStore(async (pl) => core.recordedVersionOf(pl.db, await pl.device(), where.vault.location.bucket, where.key));
      const pulled = await interruptible((signal) => core.pullFromVault(where.vault, where.key, target, signal, (done, total) => progress?.update({ done, total }), pushed)).finally(() => progress?.end());
      out(`pulled s3://${where.vault.location.bucket}/${where.key}${pushed?.versionId ? ` (version ${pushed.versionId}, as pushed from here)` : ''} to ${pulled.path} (${pulled.bytes} bytes, SHA-256 ${pulled.sha256}, as recorded at its push)\n`);
    });

  vault
    .command('hold')
    .description('put a legal hold on an archive (the store refuses to delete it, whatever its retention) or take it off')
    .argument('<key>', 's3://BUCKET/KEY, or KEY in the vault of --vault')
    .option('--on', 'put the hold on')
    .option('--off', 'take the hold off')
    .option('--vault <url>', 's3://BUCKET[/PREFIX] (default: $PROOFLINE_VAULT, then Settings)')
    .action(async (key: string, opts: { on?: boolean; off?: boolean; vault?: string }) => {
      if (opts.on === opts.off) throw new UsageError('give --on or --off');
      const archive = await context.withHost(async (host) => {
        await withVaultSettings(context, host);
        const given = opts.vault ?? (/^s3:\/\//i.test(key) ? bucketUrl(key) : undefined);
        return host.call('vault.hold', { key, on: opts.on === true, ...(given !== undefined && { vault: given }) });
      });
      out(`legal hold ${archive.legalHold ? 'ON' : 'off'}: ${archive.url} (${lock(archive)})\n`);
    });

  vault
    .command('devices')
    .description('the device certificates in the vault: which machine (key id, subject) captured what')
    .option('--vault <url>', 's3://BUCKET[/PREFIX] (default: $PROOFLINE_VAULT, then Settings)')
    .option('--json', 'print them as JSON')
    .action(async (opts: { vault?: string; json?: boolean }) => {
      const core = await vaultCore();
      const devices = await core.listDevices(await core.openVault(await savedVault(context), opts.vault));
      if (opts.json) return out(`${JSON.stringify(devices, null, 2)}\n`);
      out(`devices: ${devices.length}\n`);
      for (const device of devices) out(`  ${device.keyId} ${device.subject} (${device.key})\n`);
    });
}
