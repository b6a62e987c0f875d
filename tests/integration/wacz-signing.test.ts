// A web capture's WACZ signed per WACZ Signing and Verification 0.1.0 (anonymous form), its
// signature timestamped by a real `openssl ts -reply` TSA on loopback, tied to the session's device
// by the chain, and checked by `proofline verify` in the evidence archive and on its own. Every
// forgery is made as an attacker would make it (a well-formed ZIP, hashes recomputed) and must fail
// naming the WACZ.
import { createHash, createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBody } from '../../src/shared/domain.js';
import { openProofline } from '../../src/core/proofline.js';
import { captureUrls } from '../../src/core/capture/web/capture-urls.js';
import { createHost } from '../../src/host/operations.js';
import { SettingsStore } from '../../src/host/settings-store.js';
import { proofline, run } from '../support/cli.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { readZipEntries, startTestSite, type TestSite } from '../support/test-site.js';
import { loadOrCreateWaczSigningKey } from '../../src/core/attest/wacz-signing-key.js';
import { makeServerAuthSigner, mintToken } from '../support/forge.js';
import { attackerKey, editDigest, flipWarcByte, readWacz, rehash, resign, writeWacz, type Entries } from '../support/wacz-forge.js';

let root: string;
let site: TestSite;
let tsa: RunningTsa;
let archivePath: string;
let waczPath: string;
/** The WACZ's path inside the evidence archive (data/artifacts/<sha256>.wacz). */
let waczEntry: string;
let capture: EventBody;
let deviceKeyDir: string;

interface Report {
  exitCode: number;
  summary: string;
  checks: { id: string; status: string; detail: string; where: string[] }[];
}

const verify = async (path: string, ...extra: string[]): Promise<Report & { code: number }> => {
  const result = await proofline(['verify', path, '--json', ...extra]);
  expect(result.stderr).toBe('');
  return { ...(JSON.parse(result.stdout) as Report), code: result.code };
};
const waczCheck = (report: Report): Report['checks'][number] => report.checks.find((c) => c.id === 'web.wacz-signature')!;
const keyId = (publicKey: string): string => createHash('sha256').update(Buffer.from(publicKey, 'base64')).digest('hex');
const digestOf = (entries: Entries): Record<string, any> => JSON.parse(entries.get('datapackage-digest.json')!.toString('utf8'));

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-wacz-sign-'));
  [site, tsa] = await Promise.all([startTestSite(root), startTsa({ dir: root, name: 'WACZ TSA' })]);
  const dataDir = join(root, 'data');
  deviceKeyDir = join(dataDir, 'device');
  const pl = openProofline({ dataDir, tsaUrls: [tsa.url], tsaTimeoutMs: 10_000 });
  try {
    const session = await pl.sessions.create({ kind: 'web', title: 'Signed web archive' });
    const batch = await captureUrls(pl, session.id, [`${site.httpOrigin}/plain`], { retries: 0 });
    expect(batch.results[0]).toMatchObject({ ok: true });
    capture = [...pl.events.iterate(session.id)].map((e) => e.body).find((e) => e.type === 'web.capture')!;
    await pl.sessions.seal(session.id);
    archivePath = join(root, 'evidence.zip');
    await pl.exportSession(session.id, { out: archivePath });
  } finally {
    pl.close();
  }
  const wacz = capture.artifacts.find((a) => a.name === 'capture.wacz')!;
  waczEntry = `data/artifacts/${wacz.sha256}.wacz`;
  waczPath = join(root, 'capture.wacz');
  writeFileSync(waczPath, (await readZipEntries(archivePath)).get(waczEntry)!.data);
}, 120_000);

afterAll(async () => {
  await Promise.all([site?.stop(), tsa?.stop()]);
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a signed WACZ', () => {
  it('carries the anonymous signedData that ReplayWeb.page verifies, by a P-384 key kept beside the device key', async () => {
    const digest = digestOf(await readWacz(waczPath));
    const signed = digest['signedData'];
    // wacz-auth 0.1.0: signedData "MUST not contain any property that is not listed".
    expect(Object.keys(signed).sort()).toEqual(['created', 'hash', 'publicKey', 'signature', 'software', 'version']);
    expect(signed.hash).toBe(digest['hash']);
    // Exactly as wabac's verifyWACZSignature checks it (src/wacz/certutils.ts), with WebCrypto.
    const key = await crypto.subtle.importKey('spki', Buffer.from(signed.publicKey, 'base64'), { name: 'ECDSA', namedCurve: 'P-384' }, true, ['verify']);
    const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, Buffer.from(signed.signature, 'base64'), new TextEncoder().encode(signed.hash));
    expect(ok).toBe(true);

    const keyFile = join(deviceKeyDir, 'wacz-key.pem');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(deviceKeyDir, 'device-key.pem')).isFile()).toBe(true);
    const filed = createPublicKey(readFileSync(keyFile)).export({ type: 'spki', format: 'der' }).toString('base64');
    expect(filed).toBe(signed.publicKey);
    // The chain names the key: the capture event the device's checkpoints sign.
    const recorded = (capture.payload['wacz'] as any).signature;
    expect(recorded.signer).toEqual({ publicKey: signed.publicKey, keyId: keyId(signed.publicKey), algorithm: 'ECDSA P-384 SHA-256' });
    expect(recorded.timestamp.tsa).toBe(tsa.url);
  });

  it('has its signature timestamped by the TSA, checkable with openssl ts -verify', async () => {
    const digest = digestOf(await readWacz(waczPath));
    const stamp = digest['signatureTimestamp'];
    const imprint = createHash('sha256').update(Buffer.from(digest['signedData'].signature, 'base64')).digest('hex');
    expect(stamp.imprint).toBe(`sha256:${imprint}`);
    const reply = join(root, 'wacz.tsr');
    writeFileSync(reply, Buffer.from(stamp.response, 'base64'));
    const checked = await run('openssl', ['ts', '-verify', '-digest', imprint, '-sha256', '-in', reply, '-CAfile', tsa.caPath, '-untrusted', tsa.tsaCertPath]);
    expect(checked.stdout + checked.stderr).toMatch(/Verification: OK/);
  });

  it('verifies inside the evidence archive, and on its own for a reader who has only the WACZ', async () => {
    const inArchive = await verify(archivePath, '--trust', tsa.caPath);
    expect(inArchive.code).toBe(0);
    expect(waczCheck(inArchive)).toMatchObject({ status: 'pass' });
    expect(waczCheck(inArchive).detail).toMatch(/signed by this device's WACZ key .* timestamped/);

    const alone = await verify(waczPath, '--trust', tsa.caPath);
    expect(alone.code).toBe(0);
    expect(alone.summary).toMatch(/^VERIFIED: every file of capture\.wacz matches/);
    expect(alone.summary).toContain(keyId(digestOf(await readWacz(waczPath))['signedData'].publicKey));
    // Without the TSA's root the time is not attested: exit 3, as for an evidence archive.
    const untrusted = await verify(waczPath);
    expect(untrusted.code).toBe(3);
    expect(untrusted.summary).toMatch(/^INTACT, SIGNED, TIME NOT ATTESTED/);
  });

  it('is judged the same through the contract, as the app and serve reach it (archive.open, archive.verify)', async () => {
    const dataDir = join(root, 'host');
    const pl = openProofline({ dataDir });
    try {
      const host = createHost({ pl, settings: new SettingsStore(dataDir), host: 'web', exportDir: join(root, 'exports') });
      const context = { signal: new AbortController().signal, progress: () => undefined };
      const opened = await host.handlers['archive.open']({ path: waczPath }, context);
      const report = await host.handlers['archive.verify']({ archive: opened.archive }, context);
      // No roots in Settings: signed and intact, its time not attested.
      expect(report).toMatchObject({ verdict: 'unattested', exitCode: 3 });
      expect(report.checks).toContainEqual(expect.objectContaining({ id: 'web.wacz-signature', title: 'Web archives (WACZ) signed by this device and intact', status: 'warn' }));
    } finally {
      pl.close();
    }
  });
});

describe('forged WACZ', () => {
  /** A forged copy of the capture's WACZ, on its own and put back into the evidence archive. */
  async function forge(name: string, edit: (entries: Entries) => void): Promise<{ alone: string; archive: string }> {
    const entries = await readWacz(waczPath);
    edit(entries);
    const alone = join(root, `${name}.wacz`);
    await writeWacz(alone, entries);
    const bag = new Map([...(await readZipEntries(archivePath))].map(([n, e]) => [n, e.data]));
    bag.set(waczEntry, readFileSync(alone));
    const archive = join(root, `${name}.zip`);
    await writeWacz(archive, bag);
    return { alone, archive };
  }

  async function expectArchiveNamesWacz(archive: string, detail: RegExp): Promise<void> {
    const report = await verify(archive, '--trust', tsa.caPath);
    expect(report.code).toBe(1);
    expect(waczCheck(report)).toMatchObject({ status: 'fail', where: [waczEntry] });
    expect(waczCheck(report).detail).toMatch(/capture\.wacz \(event #\d+\)/);
    expect(waczCheck(report).detail).toMatch(detail);
  }

  it('fails a WARC with one byte changed, as copied (its CRC-32 broken) and as re-zipped', async () => {
    const raw = readFileSync(waczPath);
    const warc = (await readWacz(waczPath)).get('archive/data.warc.gz')!;
    const at = raw.indexOf(warc.subarray(Math.floor(warc.length / 2), Math.floor(warc.length / 2) + 32));
    expect(at).toBeGreaterThan(0);
    raw[at] = raw[at]! ^ 0x01;
    const copied = join(root, 'flipped.wacz');
    writeFileSync(copied, raw);
    const alone = await verify(copied, '--trust', tsa.caPath);
    expect(alone.code).toBe(1);
    expect(alone.summary).toMatch(/^NOT VERIFIED: flipped\.wacz was altered .*archive\/data\.warc\.gz/);

    const { alone: rezipped, archive } = await forge('warc-byte', (entries) => void flipWarcByte(entries));
    const report = await verify(rezipped, '--trust', tsa.caPath);
    expect(report.code).toBe(1);
    expect(waczCheck(report)).toMatchObject({ status: 'fail', where: ['warc-byte.wacz'] });
    expect(waczCheck(report).detail).toMatch(/archive\/data\.warc\.gz: SHA-256 is sha256:[0-9a-f]{64}, datapackage\.json says/);
    await expectArchiveNamesWacz(archive, /archive\/data\.warc\.gz: SHA-256/);
  });

  it('fails datapackage.json edited with its hash recomputed but not re-signed', async () => {
    const { alone, archive } = await forge('rehashed', (entries) => {
      flipWarcByte(entries);
      rehash(entries);
    });
    const report = await verify(alone, '--trust', tsa.caPath);
    expect(report.code).toBe(1);
    expect(waczCheck(report).detail).toMatch(/signedData\.hash sha256:[0-9a-f]{64} is not the hash of datapackage\.json/);
    await expectArchiveNamesWacz(archive, /signedData\.hash/);
  });

  it('fails a signedData whose hash was replaced too (the signature no longer verifies)', async () => {
    const { alone } = await forge('hash-swapped', (entries) => {
      flipWarcByte(entries);
      rehash(entries);
      editDigest(entries, (d) => void (d['signedData'].hash = d['hash']));
    });
    const report = await verify(alone, '--trust', tsa.caPath);
    expect(report.code).toBe(1);
    expect(waczCheck(report).detail).toMatch(/the signature does not verify with signedData\.publicKey/);
  });

  it("fails an edit re-signed with someone else's P-384 key: not the key the chain names", async () => {
    const attacker = attackerKey();
    const { alone, archive } = await forge('resigned', (entries) => {
      flipWarcByte(entries);
      rehash(entries);
      resign(entries, attacker);
    });
    // On its own the WACZ is well signed, by the attacker: the verdict names that key, and it is
    // not the device's, which is why a reader compares it with the archive's.
    const report = await verify(alone, '--trust', tsa.caPath);
    expect(report.summary).toContain(keyId(attacker.publicKey));
    const deviceKey = keyId(digestOf(await readWacz(waczPath))['signedData'].publicKey);
    expect(report.summary).not.toContain(deviceKey);
    // Told which key must have signed it (the 16 digits the archive's check shows), it fails.
    const told = await verify(alone, '--trust', tsa.caPath, '--signer', deviceKey.slice(0, 16));
    expect(told.code).toBe(1);
    expect(waczCheck(told)).toMatchObject({ status: 'fail', where: ['resigned.wacz'] });
    expect(waczCheck(told).detail).toBe(`signed by key ${keyId(attacker.publicKey)}, not by the key ${deviceKey.slice(0, 16)} it must be signed by`);
    // The genuine WACZ passes the same test.
    expect((await verify(waczPath, '--trust', tsa.caPath, '--signer', deviceKey)).code).toBe(0);
    await expectArchiveNamesWacz(archive, new RegExp(`signed by key ${keyId(attacker.publicKey).slice(0, 16)}…, not by the key`));
  });

  it('fails a WACZ whose signature was removed when its capture event says it was signed', async () => {
    const { alone, archive } = await forge('unsigned', (entries) => editDigest(entries, (d) => {
      delete d['signedData'];
      delete d['signatureTimestamp'];
    }));
    const report = await verify(alone, '--trust', tsa.caPath);
    expect(report.code).toBe(3);
    expect(report.summary).toMatch(/^INTACT, NOT SIGNED/);
    await expectArchiveNamesWacz(archive, /carries no signature \(signedData removed\)/);
  });

  it('fails a timestamp token with one byte changed', async () => {
    const { alone } = await forge('token-byte', (entries) => editDigest(entries, (d) => {
      const token = Buffer.from(d['signatureTimestamp'].response, 'base64');
      token[token.length - 40] = token[token.length - 40]! ^ 0x01;
      d['signatureTimestamp'].response = token.toString('base64');
    }));
    const report = await verify(alone, '--trust', tsa.caPath);
    expect(report.code).toBe(1);
    expect(waczCheck(report).detail).toMatch(/the signature's timestamp is invalid/);
  });

  it("as the device key's holder: an edit re-signed with the device's own WACZ key and a back-dated token from a certificate that is not a TSA's is not verified", async () => {
    // The holder can sign anything with their key: only a trusted timestamp bounds when. A token
    // minted with a TLS server certificate (no timeStamping EKU), dated at the capture, must not count.
    const rogue = await makeServerAuthSigner(join(root, 'rogue'), new Date(Date.now() - 30 * 86_400_000));
    const holder = loadOrCreateWaczSigningKey({ keyPath: join(deviceKeyDir, 'device-key.pem') });
    const entries = await readWacz(waczPath);
    flipWarcByte(entries);
    rehash(entries);
    resign(entries, holder);
    const signature = digestOf(entries)['signedData'].signature as string;
    const imprint = createHash('sha256').update(Buffer.from(signature, 'base64')).digest('hex');
    const token = await mintToken(rogue, imprint, new Date(capture.time));
    editDigest(entries, (d) => void (d['signatureTimestamp'] = { tsa: 'https://shop.example.test/tsa', imprint: `sha256:${imprint}`, response: token.toString('base64') }));
    const forged = join(root, 'holder.wacz');
    await writeWacz(forged, entries);
    const report = await verify(forged, '--trust', rogue.caPath, '--trust', tsa.caPath);
    expect(report.code).toBe(3);
    expect(report.summary).toMatch(/^INTACT, SIGNED, TIME NOT ATTESTED/);
    expect(waczCheck(report)).toMatchObject({ status: 'warn', where: ['holder.wacz'] });
    expect(waczCheck(report).detail).toMatch(/its timestamp is untrusted: chain: .*timeStamping/);
  }, 60_000);
});
