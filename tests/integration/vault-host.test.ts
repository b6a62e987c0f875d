// The vault.* operations as the app and `serve` call them (operations.ts over the same core),
// with the vault in Settings as a user sets it, and their failures as the window shows them: in
// Chinese, from the code and params, through the errors locale.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import i18next from 'i18next';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Proofline } from '../../src/core/proofline.js';
import { initVault, openVault } from '../../src/core/vault/vault.js';
import { createHost, toOperationError, type Host } from '../../src/host/operations.js';
import { SettingsStore } from '../../src/host/settings-store.js';
import errorsLocale from '../../src/renderer/src/locales/errors.js';
import type { Progress } from '../../src/shared/views.js';
import { freshBucket } from '../support/services.js';
import { openData, sealedArchive, vaultSettings } from '../support/vault-archive.js';

let dir: string;
let pl: Proofline;
let settings: SettingsStore;
let host: Host;
let url: string;

const context = (progress: (p: Progress) => void = () => {}) => ({ progress, signal: new AbortController().signal });
const pushCount = (): number => (pl.db.prepare('SELECT count(*) AS n FROM vault_pushes').get() as { n: number }).n;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-vault-host-'));
  pl = openData(join(dir, 'data'));
  settings = new SettingsStore(join(dir, 'data'));
  url = `s3://${freshBucket('host')}/team`;
  settings.update({ vault: vaultSettings(url, { matter: 'default-matter' }) });
  await initVault(await openVault(settings.get().vault), { retentionDays: 1, mode: 'COMPLIANCE' });
  host = createHost({ pl, settings, host: 'web', exportDir: join(dir, 'exports') });
});

afterAll(async () => {
  await host.shutdown();
  pl.close();
  rmSync(dir, { recursive: true, force: true });
});

async function failure(work: () => Promise<unknown>) {
  try {
    await work();
  } catch (error) {
    return toOperationError(error);
  }
  throw new Error('expected a failure, got none');
}

/** The error as the Chinese window says it: its code's words in locales/errors.ts, filled with its params. */
async function inChinese(error: { code: string; params?: Record<string, string | number> }): Promise<string> {
  const i18n = i18next.createInstance();
  await i18n.init({ lng: 'zh', resources: { zh: { errors: errorsLocale.zh } }, interpolation: { escapeValue: false } });
  return i18n.t(`errors:${error.code}`, error.params ?? {});
}

describe('vault operations', () => {
  it('pushes a sealed session (exported first), under Settings\' matter, and shows the push by session and by opened archive', async () => {
    const session = await pl.sessions.create({ kind: 'creation', title: 'Pushed by the app' });
    await pl.sessions.note(session.id, 'approved');
    await pl.sessions.seal(session.id);
    const phases = new Set<string>();
    const push = await host.handlers['vault.push']({ id: session.id }, context((p) => phases.add(p.phase)));
    expect(push).toMatchObject({ matter: 'default-matter', sessionId: session.id, mode: 'COMPLIANCE', outcome: 'sealed' });
    expect(phases).toEqual(new Set(['export', 'push']));
    expect(await host.handlers['vault.pushes']({ id: session.id }, context())).toEqual([expect.objectContaining({ key: push.key, versionId: push.versionId })]);
    const exported = join(dir, 'exports', readdirSync(join(dir, 'exports')).find((file) => file.startsWith(`proofline-${session.id.slice(0, 8)}`))!);
    const opened = await host.handlers['archive.open']({ path: exported }, context());
    expect(await host.handlers['vault.pushes']({ archive: opened.archive }, context())).toEqual([expect.objectContaining({ key: push.key, archiveSha256: push.archiveSha256 })]);

    const listing = await host.handlers['vault.list']({}, context());
    expect(listing.archives.map((a) => a.key)).toContain(push.key);
    expect(await host.handlers['vault.hold']({ key: push.key, on: true }, context())).toMatchObject({ legalHold: true });
    expect(await host.handlers['vault.hold']({ key: push.url, on: false }, context())).toMatchObject({ legalHold: false });

    // Opened from the vault: brought into the data folder's cache, checked, and opened as the viewer opens a file.
    const handle = await host.handlers['vault.open']({ key: push.key }, context());
    expect(handle.path.startsWith(join(dir, 'data', 'vault-cache'))).toBe(true);
    expect(createHash('sha256').update(readFileSync(handle.path)).digest('hex')).toBe(push.archiveSha256);
    expect(handle.size).toBe(push.bytes);
    // Again: the cached copy is brought down afresh and checked, not trusted as it lies.
    expect((await host.handlers['vault.open']({ key: push.key }, context())).path).toBe(handle.path);
  });

  it('verifies an archive straight from the vault with the verdict its file has on disk, and fails one changed in the bucket', async () => {
    const sealed = await sealedArchive(pl, join(dir, 'verify'));
    const push = await host.handlers['vault.push']({ archive: sealed.archive, matter: 'verify' }, context());
    const fromVault = await host.handlers['vault.verify']({ key: push.key }, context());
    const opened = await host.handlers['archive.open']({ path: sealed.archive }, context());
    const onDisk = await host.handlers['archive.verify']({ archive: opened.archive }, context());
    expect(fromVault.verdict).toBe(onDisk.verdict);
    expect(fromVault.exitCode).toBe(onDisk.exitCode);
    expect(fromVault.checks.map((c) => [c.id, c.status])).toEqual(onDisk.checks.map((c) => [c.id, c.status]));

    // The same archive with one byte of the attached file changed, put in the bucket by someone
    // with write access under another key: the verdict says it is not intact.
    const bytes = readFileSync(sealed.archive);
    const payload = Buffer.alloc(4096);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 131 + 7) % 251;
    const at = bytes.indexOf(payload.subarray(0, 64));
    expect(at).toBeGreaterThan(0);
    const forged = Buffer.from(bytes);
    forged[at + 100] = forged[at + 100]! ^ 0x01;
    const vault = await openVault(settings.get().vault);
    const key = push.key.replace(/\.zip$/, '-forged.zip');
    await vault.client.send(new PutObjectCommand({ Bucket: vault.location.bucket, Key: key, Body: forged, Metadata: { sha256: push.archiveSha256 } }));
    const report = await host.handlers['vault.verify']({ key: `s3://${vault.location.bucket}/${key}` }, context());
    expect(report.exitCode).toBe(1);
    expect(report.verdict).not.toBe(onDisk.verdict);
  });

  it('opens the version it pushed, not a newer one someone put over the key with matching metadata', async () => {
    const sealed = await sealedArchive(pl, join(dir, 'shadow'));
    const push = await host.handlers['vault.push']({ archive: sealed.archive, matter: 'shadow' }, context());
    // Object Lock keeps the pushed version; a writer may still add a version on top, claiming its hash.
    const vault = await openVault(settings.get().vault);
    const other = await sealedArchive(pl, join(dir, 'shadow-other'));
    await vault.client.send(new PutObjectCommand({ Bucket: vault.location.bucket, Key: push.key, Body: readFileSync(other.archive), Metadata: { sha256: push.archiveSha256, session: sealed.id } }));
    const handle = await host.handlers['vault.open']({ key: push.key }, context());
    expect(readFileSync(handle.path).equals(readFileSync(sealed.archive))).toBe(true);
  });

  it('refuses an unsealed session, and a push without a matter when Settings name none', async () => {
    const open = await pl.sessions.create({ kind: 'creation', title: 'still recording' });
    expect(await failure(() => host.handlers['vault.push']({ id: open.id }, context()))).toMatchObject({ code: 'session.not-sealed', params: { sessionId: open.id } });
    settings.update({ vault: { ...settings.get().vault, matter: '' } });
    try {
      const sealed = await sealedArchive(pl, join(dir, 'nomatter'));
      expect(await failure(() => host.handlers['vault.push']({ archive: sealed.archive }, context()))).toMatchObject({ code: 'input.invalid', issues: [{ path: 'matter' }] });
    } finally {
      settings.update({ vault: { ...settings.get().vault, matter: 'default-matter' } });
    }
  });

  it('leaves the session and archive untouched and records nothing when the vault is unreachable, and says so in Chinese', async () => {
    const sealed = await sealedArchive(pl, join(dir, 'down'));
    const before = readFileSync(sealed.archive);
    const count = pushCount();
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    settings.update({ vault: { ...settings.get().vault, endpoint: `http://127.0.0.1:${port}` } });
    try {
      const error = await failure(() => host.handlers['vault.push']({ archive: sealed.archive, matter: 'm' }, context()));
      expect(error).toMatchObject({ kind: 'unavailable', code: 'vault.unreachable', params: { vault: expect.stringContaining(url.replace('s3://', '')), reason: `ECONNREFUSED at http://127.0.0.1:${port}` } });
      const zh = await inChinese(error);
      expect(zh).toMatch(new RegExp(`^无法连接团队证据库 s3://.*：ECONNREFUSED at http://127.0.0.1:${port}。本机的证据未受影响，稍后可再次发送。$`));
    } finally {
      settings.update({ vault: { ...settings.get().vault, endpoint: '' } });
    }
    expect(pushCount()).toBe(count);
    expect(readFileSync(sealed.archive).equals(before)).toBe(true);
    expect(pl.sessions.get(sealed.id).sealedAt).not.toBeNull();
    expect(existsSync(sealed.archive)).toBe(true);
  });

  it('says refused credentials as vault.denied, in Chinese too, without the secret', async () => {
    const secret = process.env.AWS_SECRET_ACCESS_KEY!;
    process.env.AWS_SECRET_ACCESS_KEY = 'a-wrong-secret-for-this-test';
    try {
      const error = await failure(() => host.handlers['vault.list']({}, context()));
      expect(error).toMatchObject({ kind: 'unavailable', code: 'vault.denied', params: { reason: 'the secret key does not match the access key' } });
      const zh = await inChinese(error);
      expect(zh).toBe(`团队证据库 ${url} 拒绝了这些凭据：the secret key does not match the access key。`);
      expect(JSON.stringify(error)).not.toContain('a-wrong-secret-for-this-test');
      expect(JSON.stringify(error)).not.toContain(process.env.AWS_ACCESS_KEY_ID);
    } finally {
      process.env.AWS_SECRET_ACCESS_KEY = secret;
    }
  });
});
