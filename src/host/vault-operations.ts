// The team vault's operations (contract.ts, `vault.*`; docs/FLEET.md), for every host. The
// vault's address comes from the call's `vault`, else $PROOFLINE_VAULT, else Settings; endpoint,
// region and credentials the AWS way (src/core/vault/s3-client.ts), never from the call.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { OperationHandlers } from '../shared/contract.js';
import type { ArchiveHandle, VaultPush } from '../shared/views.js';
import type { HostDeps } from './operations.js';
import { OperationFailure } from './operation-failure.js';

type VaultHandlers = Pick<OperationHandlers, 'vault.push' | 'vault.pushes' | 'vault.list' | 'vault.verify' | 'vault.open' | 'vault.hold'>;

/** What the vault's handlers need of the host beyond its deps: the viewer's open archives. */
export interface VaultHostParts {
  /** The file behind an `archive.open` handle (throws archive.closed). */
  archiveOf(handle: string): string;
  /** Registers a file as an opened archive, as `archive.open` does. */
  openArchive(path: string): Promise<ArchiveHandle>;
  /** Settings' trusted TSA roots, read as `archive.verify` reads them. */
  trustedRoots(): Promise<Buffer[]>;
  /** Where `session.export` puts a session's archive when no path is given. */
  exportPathOf(session: { readonly id: string; readonly sealedAt: string | null; readonly createdAt: string }): string;
}

const vaultCore = (): Promise<typeof import('../core/vault/vault.js')> => import('../core/vault/vault.js');

/** The verifier of an archive in the bucket (ranged reads, src/core/vault/verify-object.ts), loaded when first asked for. */
const objectVerifier = (): Promise<typeof import('../core/vault/verify-object.js')> => import('../core/vault/verify-object.js');

export function vaultHandlers(deps: HostDeps, parts: VaultHostParts): VaultHandlers {
  const { pl } = deps;
  const open = async (given?: string) => (await vaultCore()).openVault(deps.settings.get().vault, given);
  /** A key as given (or s3://BUCKET/KEY in another bucket than the vault's), with its vault. */
  const locate = async (key: string, given?: string) => {
    const core = await vaultCore();
    const vault = await open(given);
    if (/^s3:\/\//i.test(key)) return core.vaultForObject(vault, key);
    return { vault, key: core.keyOf(vault, key) };
  };
  return {
    'vault.push': async ({ id, archive, matter, vault: given }, { progress, signal }): Promise<VaultPush> => {
      const core = await vaultCore();
      const chosen = matter ?? deps.settings.get().vault.matter;
      if (!chosen) throw new OperationFailure('input.invalid', 'Name the matter the archive belongs to (--matter M), or set a default matter in Settings.', {}, [{ path: 'matter', message: 'a matter is needed' }]);
      const vault = await open(given);
      let archivePath = archive;
      let sessionId: string | null = null;
      if (id !== undefined) {
        const session = pl.sessions.get(id);
        if (session.sealedAt === null) {
          throw new OperationFailure('session.not-sealed', `Session ${session.id} is not sealed: only a sealed session's archive goes to the vault. Seal it first ('proofline seal ${session.id}').`, { sessionId: session.id });
        }
        sessionId = session.id;
        // Exports of a sealed session are byte-identical (DESIGN.md): the one in the exports folder, made now if absent.
        archivePath = parts.exportPathOf(session);
        if (!existsSync(archivePath)) {
          mkdirSync(deps.exportDir, { recursive: true });
          await pl.exportSession(session.id, { out: archivePath, signal, onProgress: (p) => progress({ phase: 'export', done: p.done, total: p.total, detail: p.file }) });
        }
      }
      return core.pushToVault(pl, vault, {
        archivePath: archivePath!,
        matter: chosen,
        sessionId,
        outcome: 'sealed',
        signal,
        onProgress: (done, total) => progress({ phase: 'push', done, total }),
      });
    },
    'vault.pushes': async ({ id, archive }) => {
      const core = await vaultCore();
      const device = await pl.device();
      if (id !== undefined) return core.pushesOf(pl.db, { sessionId: pl.sessions.get(id).id }, device);
      if (archive !== undefined) {
        // By its session (another export of it, renewed since) and by its bytes; a file that is
        // not a Proofline bag was never pushed from here, but may still be looked up by SHA-256.
        const path = parts.archiveOf(archive);
        const facts = await core.archiveFacts(path).catch(async (error: unknown) => {
          if ((error as { code?: string }).code !== 'vault.not-archive') throw error;
          return { sessionId: null, sha256: await core.sha256OfFile(path) };
        });
        return core.pushesOf(pl.db, { archiveSha256: facts.sha256, ...(facts.sessionId && { sessionId: facts.sessionId }) }, device);
      }
      return [];
    },
    'vault.list': async ({ matter, vault: given }) => (await vaultCore()).listVault(await open(given), matter),
    'vault.verify': async ({ key, vault: given }, { progress, signal }) => {
      const [{ verifyVaultObject }, { verifyReportView }] = await Promise.all([objectVerifier(), import('./verify-report-view.js')]);
      const where = await locate(key, given);
      const report = await verifyVaultObject(where.vault, where.key, {
        trustedRoots: await parts.trustedRoots(),
        signal,
        onProgress: (p) => progress({ phase: 'verify', done: p.done, total: p.total, detail: p.file }),
      });
      return verifyReportView(report);
    },
    'vault.open': async ({ key, vault: given }, { progress, signal }) => {
      const core = await vaultCore();
      const where = await locate(key, given);
      // The data folder's vault cache: one file per object, named by bucket and key, checked again on every open.
      const cache = join(pl.dataDir, 'vault-cache', where.vault.location.bucket, ...where.key.split('/').filter((part) => part !== '' && part !== '.' && part !== '..'));
      const pushed = core.recordedVersionOf(pl.db, await pl.device(), where.vault.location.bucket, where.key);
      const pulled = await core.pullFromVault(where.vault, where.key, cache, signal, (done, total) => progress({ phase: 'download', done, total }), pushed);
      return parts.openArchive(pulled.path);
    },
    'vault.hold': async ({ key, on, vault: given }) => {
      const where = await locate(key, given);
      return (await vaultCore()).setLegalHold(where.vault, where.key, on);
    },
  };
}
