// The team vault through the real command line (bin/proofline, built from src/), as a law
// firm's clerk would use it, against the loopback Ceph gateway; the credentials only ever in the
// environment, never in what Proofline writes or prints.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VaultListing, VaultPush } from '../../src/shared/views.js';
import { proofline, type CliResult } from '../support/cli.js';
import { freshBucket, services } from '../support/services.js';
import { openData, sealedArchive } from '../support/vault-archive.js';

let dir: string;
let data: string;
let sessionId: string;
let unsealedId: string;
let archive: string;
let archiveSession: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-vault-cli-'));
  data = join(dir, 'data');
  const pl = openData(data);
  // One sealed session whose archive is made by `push` itself, one exported here, one unsealed.
  const first = await sealedArchive(pl, join(dir, 'given'));
  archive = first.archive;
  archiveSession = first.id;
  const second = await pl.sessions.create({ kind: 'creation', title: 'Sealed, not exported' });
  await pl.sessions.note(second.id, 'a note');
  await pl.sessions.seal(second.id);
  sessionId = second.id;
  unsealedId = (await pl.sessions.create({ kind: 'creation', title: 'still open' })).id;
  pl.close();
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = (args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> => proofline(['--data', data, ...args], { ...services().s3Env, ...env }, dir);

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Every file under `root`, the SQLite database and its WAL included. */
function filesUnder(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('proofline vault and push', () => {
  it('inits, pushes a session and an archive, lists, pulls the same bytes, holds, and names the devices', async () => {
    const url = `s3://${freshBucket('cli')}/firm`;
    const outputs: CliResult[] = [];
    const run = async (args: readonly string[]): Promise<CliResult> => {
      const result = await cli(args);
      outputs.push(result);
      expect(result.code, result.stderr).toBe(0);
      return result;
    };
    expect((await run(['vault', 'init', url, '--retention-days', '1'])).stdout).toContain(`created ${url}: Object Lock on, default retention COMPLIANCE 1 days`);
    expect((await run(['vault', 'init', url, '--retention-days', '2'])).stdout).toContain('kept');

    const bySession = JSON.parse((await run(['push', sessionId.slice(0, 8), '--matter', 'acme-v-copycat', '--vault', url, '--retention-days', '1', '--json'])).stdout) as VaultPush;
    expect(bySession).toMatchObject({ sessionId, matter: 'acme-v-copycat', mode: 'COMPLIANCE', outcome: 'sealed', alreadyThere: false });
    expect(bySession.key).toMatch(new RegExp(`^firm/matters/acme-v-copycat/${sessionId}/proofline-${sessionId.slice(0, 8)}-.*\\.zip$`));
    const byFile = await run(['push', archive, '--matter', 'acme-v-copycat', '--vault', url, '--retention-days', '1']);
    expect(byFile.stdout).toMatch(/^pushed: s3:\/\//);
    expect(byFile.stdout).toContain('retained: COMPLIANCE until');
    const again = await run(['push', archive, '--matter', 'acme-v-copycat', '--vault', url, '--retention-days', '1']);
    expect(again.stdout).toMatch(/^already in the vault \(same SHA-256 under this key\), not sent again/);

    const listing = JSON.parse((await run(['vault', 'list', '--vault', url, '--json'])).stdout) as VaultListing;
    expect(listing.objectLock).toEqual({ enabled: true, mode: 'COMPLIANCE', days: 2 });
    expect(listing.matters).toEqual([{ name: 'acme-v-copycat', archives: 2 }]);
    expect(listing.archives.map((a) => a.sessionId).sort()).toEqual([sessionId, archiveSession].sort());
    expect(listing.archives.every((a) => a.mode === 'COMPLIANCE' && a.retainUntil !== null && a.outcome === 'sealed')).toBe(true);
    expect(listing.devices).toHaveLength(1);
    const text = (await run(['vault', 'list', '--vault', url, '--matter', 'acme-v-copycat'])).stdout;
    expect(text).toContain('matters: acme-v-copycat (2)');
    expect(text).toContain('Harbour poster 海港海报');

    // Verified straight from the bucket: sealed without a TSA, so intact but not attested in time (verify's exit 3).
    const verified = await cli(['vault', 'list', '--vault', url, '--verify']);
    outputs.push(verified);
    expect(verified.code, verified.stderr).toBe(3);
    expect(verified.stdout.match(/^ {4}unattested: INTACT, TIME NOT FULLY ATTESTED/gm)).toHaveLength(2);

    const pushedFile = listing.archives.find((a) => a.sessionId === archiveSession)!;
    const out = join(dir, 'pulled.zip');
    expect((await run(['vault', 'pull', pushedFile.url, '--out', out])).stdout).toContain(`pulled ${pushedFile.url} (version ${pushedFile.versionId}, as pushed from here) to ${out}`);
    expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(createHash('sha256').update(readFileSync(archive)).digest('hex'));
    expect((await cli(['vault', 'pull', pushedFile.url, '--out', out])).code).toBe(2); // never over an existing file

    expect((await run(['vault', 'hold', pushedFile.url, '--on'])).stdout).toMatch(/^legal hold ON: .*legal hold\)/);
    expect((await run(['vault', 'hold', pushedFile.key, '--off', '--vault', url])).stdout).toMatch(/^legal hold off: /);
    // The vault from $PROOFLINE_VAULT when no --vault is given.
    const devices = (await cli(['vault', 'devices'], { PROOFLINE_VAULT: url })).stdout;
    expect(devices).toMatch(/^devices: 1\n {2}[0-9a-f]{64} CN=Proofline device /);

    // The credentials were in the environment only: not in any archive, file of the data folder
    // (the database and its WAL included), or anything printed.
    const { AWS_ACCESS_KEY_ID: keyId, AWS_SECRET_ACCESS_KEY: secret } = services().s3Env;
    const written = [...filesUnder(data), archive, out].filter((file) => statSync(file).size < 256 << 20);
    expect(written.some((file) => file.endsWith('/proofline.sqlite'))).toBe(true);
    for (const file of written) {
      const bytes = readFileSync(file);
      expect(bytes.includes(secret!), file).toBe(false);
      expect(bytes.includes(keyId!), file).toBe(false);
    }
    for (const result of outputs) {
      expect(result.stdout + result.stderr).not.toContain(secret);
      expect(result.stdout + result.stderr).not.toContain(keyId);
    }
  });

  it('refuses an unsealed session and a file that is not an evidence archive, sending nothing', async () => {
    const url = `s3://${freshBucket('refuse')}`;
    expect((await cli(['vault', 'init', url, '--retention-days', '1'])).code).toBe(0);
    const unsealed = await cli(['push', unsealedId, '--matter', 'm', '--vault', url]);
    expect(unsealed.code).toBe(1);
    expect(unsealed.stderr).toContain(`Session ${unsealedId} is not sealed`);
    const notBag = join(dir, 'notes.zip');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(notBag, 'PK not really a zip');
    const wrong = await cli(['push', notBag, '--matter', 'm', '--vault', url]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('is not a Proofline evidence archive');
    const listing = JSON.parse((await cli(['vault', 'list', '--vault', url, '--json'])).stdout) as VaultListing;
    expect(listing.archives).toEqual([]);
  });

  it('says an unreachable vault and refused credentials plainly, exit 1, recording nothing', async () => {
    const url = `s3://${freshBucket('down')}`;
    const port = await closedPort();
    const pushes = (): number => {
      const pl = openData(data);
      try {
        return (pl.db.prepare('SELECT count(*) AS n FROM vault_pushes').get() as { n: number }).n;
      } finally {
        pl.close();
      }
    };
    const recorded = pushes();
    const down = await cli(['push', archive, '--matter', 'm', '--vault', url], { AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${port}` });
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(new RegExp(`^proofline: The team vault ${url}.* cannot be reached \\(ECONNREFUSED at http://127.0.0.1:${port}\\)`));
    expect(pushes()).toBe(recorded);
    expect((await cli(['vault', 'init', url, '--retention-days', '1'])).code).toBe(0);
    const denied = await cli(['vault', 'list', '--vault', url], { AWS_SECRET_ACCESS_KEY: 'not-the-secret-of-this-user' });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(`The team vault ${url} refused the credentials (SignatureDoesNotMatch`);
    expect(denied.stderr).not.toContain('not-the-secret-of-this-user');
    const none = await cli(['vault', 'list', '--vault', url], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', HOME: dir, AWS_EC2_METADATA_DISABLED: 'true' });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`No credentials for the team vault ${url}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
    const missing = await cli(['vault', 'list', '--vault', `s3://${freshBucket('nobucket')}`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/does not exist at http:\/\/127\.0\.0\.1:\d+: create it with proofline vault init/);
  });
});
