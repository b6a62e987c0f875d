// `proofline renew`: RFC 4998 evidence records over a real archive, with real TSAs on loopback
// (`openssl ts -reply`; "years later" is the TSA's clock moved with libfaketime) and judged by the
// real `proofline verify`, plus `unzip`, `sha256sum -c`, `openssl asn1parse` and
// `openssl ts -verify` as independent referees.
//
// TSA A's certificate is valid for 365 days from now, TSA B's for 3650: a renewal by B 300 days
// on is in time; one 400 days on comes after A's certificate expired, a gap.

import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addZipEntry } from '../../src/core/archive/add-zip-entry.js';
import { decodeEvidenceRecord, encodeEvidenceRecord, OID_SHA256 } from '../../src/core/archive/evidence-record.js';
import type { VerifyReport } from '../../src/core/archive/verify-report.js';
import { requestTimestamp, tokenFromResponse } from '../../src/core/attest/tsa-client.js';
import { nodeHash } from '../../src/core/archive/evidence-hash-tree.js';
import { proofline, run, startProofline } from '../support/cli.js';
import { makeHonestSession } from '../support/forge.js';
import { createPki, EXT, type TestPki } from '../support/pki.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

const ERS = 'proofline/evidence-record.ers';
const DAY = 86_400_000;
let root: string;
let tsaA: RunningTsa;
let tsaB: RunningTsa;
let honest: string;
let other: string;
let data: string;

const sha256 = (bytes: Uint8Array): Buffer => createHash('sha256').update(bytes).digest();
/** As the issue writes it: `proofline renew ARCHIVE.zip --tsa URL [--trust ROOT...]`. */
const renew = (zip: string, tsa: RunningTsa, trust: readonly string[] = []) => proofline(['--data', data, 'renew', zip, '--tsa', tsa.url, ...trust.flatMap((t) => ['--trust', t])]);

async function verify(zip: string, trust: readonly string[]): Promise<{ code: number; report: VerifyReport; text: string }> {
  const args = trust.flatMap((t) => ['--trust', t]);
  const [json, human] = await Promise.all([proofline(['verify', zip, ...args, '--json']), proofline(['verify', zip, ...args])]);
  expect(json.code, json.stderr).toBe(human.code);
  return { code: json.code, report: JSON.parse(json.stdout) as VerifyReport, text: human.stdout };
}

const renewal = (report: VerifyReport) => report.checks.find((c) => c.id === 'time.renewal')!;

/** The archive's entries as unzip gives them, by name. */
async function unzipped(zip: string): Promise<{ dir: string; files: Map<string, Buffer> }> {
  const dir = mkdtempSync(join(root, 'x-'));
  const result = await run('unzip', ['-q', zip, '-d', dir]);
  expect(result.code, result.stderr).toBe(0);
  const files = new Map<string, Buffer>();
  const walk = (rel: string): void => {
    for (const entry of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const name = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(name);
      else files.set(name, readFileSync(join(dir, name)));
    }
  };
  walk('');
  return { dir, files };
}

/** APPNOTE 4.3.16: where the central directory starts (no archive comment). */
const directoryOffset = (zip: Buffer): number => zip.readUInt32LE(zip.length - 22 + 16);

function copy(name: string, from = honest): string {
  const path = join(root, name);
  copyFileSync(from, path);
  return path;
}

function notAfter(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
  return pkijs.Certificate.fromBER(der).notAfter.value.toISOString();
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-renew-'));
  [tsaA, tsaB] = await Promise.all([startTsa({ dir: root, name: 'Renew A', certDays: 365 }), startTsa({ dir: root, name: 'Renew B', certDays: 3650 })]);
  data = join(root, 'data');
  const cli = (...args: string[]) => proofline(['--data', data, '--tsa', tsaA.url, ...args]);
  honest = (await makeHonestSession(cli, root, 'Poster for the harbour festival')).archive;
  const otherRoot = mkdtempSync(join(root, 'other-'));
  other = (await makeHonestSession(cli, otherRoot, 'Another session')).archive;
}, 180_000);

afterAll(async () => {
  await Promise.all([tsaA?.stop(), tsaB?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

describe('proofline renew', () => {
  it('renews an archive twice; verify shows the chain and until when the time is attested (exit 0 with the roots trusted)', async () => {
    const zip = copy('twice.zip');
    const original = readFileSync(zip);
    const first = await renew(zip, tsaA, [tsaA.caPath]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('added an evidence record');
    // Every existing entry's bytes copied as they are: the file is the same up to its old directory.
    const once = readFileSync(zip);
    expect(once.subarray(0, directoryOffset(original)).equals(original.subarray(0, directoryOffset(original)))).toBe(true);

    tsaB.setFakeTime(new Date(Date.now() + 300 * DAY));
    const second = await renew(zip, tsaB, [tsaA.caPath, tsaB.caPath]);
    tsaB.setFakeTime(null);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('renewed the evidence record');
    expect(second.stdout).toMatch(/2\) \d{4}-.* by .*Renew B TSA/);

    const { code, report, text } = await verify(zip, [tsaA.caPath, tsaB.caPath]);
    expect(code, report.summary).toBe(0);
    const check = renewal(report);
    expect(check.status).toBe('pass');
    expect(check.renewal!.links.map((l) => l.status)).toEqual(['ok', 'ok']);
    expect(check.renewal!.links[0]!.tsa).toContain('Renew A TSA');
    expect(check.renewal!.links[0]!.until).toBe(notAfter(tsaA.tsaCertPem));
    expect(check.renewal!.attestedUntil).toBe(notAfter(tsaB.tsaCertPem));
    expect(text).toContain(`evidence record (RFC 4998): time attested until ${notAfter(tsaB.tsaCertPem)}`);
    expect(text).toMatch(/ok +1\) .* by .*Renew A TSA.*, valid until/);
    expect(text).toMatch(/ok +2\) .* by .*Renew B TSA.*, valid until/);

    // The bag is byte-identical: every entry of the original, the same bytes; sha256sum agrees.
    const before = await unzipped(copy('before.zip'));
    const after = await unzipped(zip);
    expect([...after.files.keys()].sort()).toEqual([...before.files.keys(), ERS].sort());
    for (const [name, bytes] of before.files) expect(after.files.get(name)!.equals(bytes), name).toBe(true);
    for (const manifest of ['manifest-sha256.txt', 'tagmanifest-sha256.txt']) {
      const checked = await run('sha256sum', ['-c', '--strict', manifest], after.dir);
      expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    }

    // Independent referees: openssl reads the record, and verifies each archive timestamp's token
    // against what it covers, computed here from the extracted files.
    const ersFile = join(after.dir, ERS);
    const parsed = await run('openssl', ['asn1parse', '-inform', 'DER', '-in', ersFile]);
    expect(parsed.code, parsed.stderr).toBe(0);
    expect(parsed.stdout).toContain('sha256');
    expect(parsed.stdout).toContain('id-smime-ct-TSTInfo');
    const record = decodeEvidenceRecord(readFileSync(ersFile));
    const [ats1, ats2] = record.chains[0]!;
    const objects = [...after.files.keys()].filter((n) => n === 'tagmanifest-sha256.txt' || n === 'proofline/seal.sig' || (n.endsWith('.tsr') && n.startsWith('proofline/')));
    expect(objects.length).toBeGreaterThan(3);
    const hashes = objects.map((n) => sha256(after.files.get(n)!)).sort(Buffer.compare);
    const covered = [sha256(Buffer.concat(hashes)), sha256(ats1!.timeStamp)];
    for (const [i, ats] of [ats1!, ats2!].entries()) {
      const tokenFile = join(after.dir, `ats${i + 1}.der`);
      writeFileSync(tokenFile, ats.timeStamp);
      const tsa = i === 0 ? tsaA : tsaB;
      const checked = await run('openssl', ['ts', '-verify', '-token_in', '-in', tokenFile, '-digest', covered[i]!.toString('hex'), '-CAfile', tsa.caPath, '-untrusted', tsa.chainPath]);
      expect(checked.code, checked.stdout + checked.stderr).toBe(0);
      expect(checked.stdout).toContain('Verification: OK');
    }

    // The archive's own VERIFY.md, written at seal, says how to check a record added later: its
    // commands, run as they stand with the two TSAs' roots, accept both archive timestamps.
    const guide = readFileSync(join(after.dir, 'proofline/VERIFY.md'), 'utf8');
    const at = guide.search(/^## \d+\. If the archive was renewed/m);
    expect(at).toBeGreaterThan(-1);
    const script = /```sh\n([\s\S]*?)```/.exec(guide.slice(at))![1]!;
    writeFileSync(join(after.dir, 'roots.pem'), readFileSync(tsaA.caPath, 'utf8') + readFileSync(tsaB.caPath, 'utf8'));
    writeFileSync(join(after.dir, 'chains.pem'), readFileSync(tsaA.chainPath, 'utf8') + readFileSync(tsaB.chainPath, 'utf8'));
    const byHand = spawnSync('sh', ['-c', script.replaceAll('<RENEWAL-ROOTS.pem>', 'roots.pem')], { cwd: after.dir, env: { ...process.env, UNTRUSTED: 'chains.pem' }, encoding: 'utf8' });
    expect(byHand.stdout.match(/Verification: OK/g), byHand.stdout + byHand.stderr).toHaveLength(2);
    expect(byHand.stdout).toMatch(/archive timestamp 2: Time stamp: /);
  }, 180_000);

  it('fails an evidence record with one altered byte, naming it (exit 1)', async () => {
    const zip = copy('altered-base.zip');
    expect((await renew(zip, tsaA)).code).toBe(0);
    tsaB.setFakeTime(new Date(Date.now() + 100 * DAY));
    expect((await renew(zip, tsaB)).code).toBe(0);
    tsaB.setFakeTime(null);
    const ers = (await unzipped(zip)).files.get(ERS)!;
    const record = decodeEvidenceRecord(ers);
    const firstHash = record.chains[0]![0]!.reducedHashtree[0]![0]!;
    const firstToken = record.chains[0]![0]!.timeStamp;
    // A byte of the hash list, one inside the first token (its TSTInfo's genTime), the last byte
    // (the renewal token's signature).
    const genTime = /\d{14}Z/.exec(firstToken.toString('latin1'))!.index; // the first GeneralizedTime: TSTInfo's
    const positions = [ers.indexOf(firstHash) + 5, ers.indexOf(firstToken) + genTime + 3, ers.length - 1];
    for (const at of positions) {
      const forged = copy(`altered-${at}.zip`, zip);
      const bytes = Buffer.from(ers);
      bytes[at] ^= 0x01;
      await addZipEntry(forged, ERS, bytes);
      const { code, report, text } = await verify(forged, [tsaA.caPath, tsaB.caPath]);
      expect(code, `byte ${at}: ${report.summary}`).toBe(1);
      expect(renewal(report).status).toBe('fail');
      expect(renewal(report).where).toContain(ERS);
      expect(text).toContain(ERS);
    }
  }, 180_000);

  it('fails a record whose first archive timestamp does not cover this archive (taken from another)', async () => {
    const donor = copy('donor.zip', other);
    expect((await renew(donor, tsaA)).code).toBe(0);
    const zip = copy('transplant.zip');
    await addZipEntry(zip, ERS, (await unzipped(donor)).files.get(ERS)!);
    const { code, report } = await verify(zip, [tsaA.caPath]);
    expect(code).toBe(1);
    expect(renewal(report).detail).toMatch(/does not cover .*tagmanifest-sha256\.txt/);
    expect(renewal(report).where).toEqual(expect.arrayContaining([ERS, 'tagmanifest-sha256.txt']));
  }, 120_000);

  it('reports a renewal dated after the previous TSA certificate expired as a gap (exit 3)', async () => {
    const zip = copy('gap.zip');
    expect((await renew(zip, tsaA)).code).toBe(0);
    tsaB.setFakeTime(new Date(Date.now() + 400 * DAY));
    const late = await renew(zip, tsaB, [tsaA.caPath, tsaB.caPath]);
    tsaB.setFakeTime(null);
    expect(late.code, late.stderr).toBe(0);
    expect(late.stderr).toMatch(/warning: .*broken at archive timestamp 2/);
    const { code, report, text } = await verify(zip, [tsaA.caPath, tsaB.caPath]);
    expect(code, report.summary).toBe(3);
    const check = renewal(report);
    expect(check.status).toBe('warn');
    expect(check.renewal!.links.map((l) => l.status)).toEqual(['ok', 'gap']);
    expect(check.detail).toContain(`expired at ${notAfter(tsaA.tsaCertPem)}`);
    expect(check.renewal!.attestedUntil).toBe(notAfter(tsaA.tsaCertPem));
    expect(text).toMatch(/GAP +2\)/);
  }, 120_000);

  describe('a renewal token signed with a certificate that is not a TSA\'s', () => {
    let pki: TestPki;
    beforeAll(async () => {
      pki = await createPki();
    });
    afterAll(async () => pki?.cleanup());

    it('is not trusted, and the chain attests only until the last trusted link (exit 3)', async () => {
      const zip = copy('tls-renewal.zip');
      expect((await renew(zip, tsaA)).code).toBe(0);
      const rootCa = await pki.issue({ name: 'Web Root', ext: EXT.root });
      const tls = await pki.issue({ name: 'www.example.test', issuer: rootCa, ext: EXT.serverAuth });
      const record = decodeEvidenceRecord((await unzipped(zip)).files.get(ERS)!);
      const chain = record.chains[0]!;
      const digest = sha256(chain.at(-1)!.timeStamp);
      const token = tokenFromResponse(await pki.forge({ signer: tls, certs: [rootCa], digest, at: new Date(Date.now() + 100 * DAY) }));
      await addZipEntry(zip, ERS, encodeEvidenceRecord({ ...record, chains: [[...chain, { digestAlgorithm: OID_SHA256, reducedHashtree: [], timeStamp: token }]] }));
      const { code, report } = await verify(zip, [tsaA.caPath, rootCa.certPath]);
      expect(code, report.summary).toBe(3);
      const check = renewal(report);
      expect(check.status).toBe('warn');
      expect(check.renewal!.links.map((l) => l.status)).toEqual(['ok', 'untrusted']);
      expect(check.renewal!.links[1]!.reason).toMatch(/timeStamping/);
      expect(check.renewal!.attestedUntil).toBe(notAfter(tsaA.tsaCertPem));
    }, 120_000);
  });

  it('says a hash-tree renewal (a second chain) is not checked, never that it verified (exit 3)', async () => {
    const zip = copy('two-chains.zip');
    expect((await renew(zip, tsaA)).code).toBe(0);
    const record = decodeEvidenceRecord((await unzipped(zip)).files.get(ERS)!);
    await addZipEntry(zip, ERS, encodeEvidenceRecord({ ...record, chains: [...record.chains, record.chains[0]!] }));
    const { code, report } = await verify(zip, [tsaA.caPath]);
    expect(code, report.summary).toBe(3);
    expect(renewal(report).status).toBe('warn');
    expect(renewal(report).detail).toMatch(/1 later chain\(s\) \(hash-tree renewal.*does not check/);
    expect(renewal(report).renewal!.attestedUntil).toBe(notAfter(tsaA.tsaCertPem));
  }, 60_000);

  it('accepts a renewal that carries its own hash tree (as §5.2 allows), and fails one whose tree leaves out what it renews', async () => {
    const zip = copy('tree-renewal.zip');
    expect((await renew(zip, tsaA)).code).toBe(0);
    const record = decodeEvidenceRecord((await unzipped(zip)).files.get(ERS)!);
    const chain = record.chains[0]!;
    const renewed = sha256(chain[0]!.timeStamp);
    const renewWith = async (name: string, list: Buffer[]): Promise<string> => {
      const tree = [list];
      const token = tokenFromResponse((await requestTimestamp(tsaA.url, nodeHash(list))).response);
      const target = copy(name, zip);
      await addZipEntry(target, ERS, encodeEvidenceRecord({ ...record, chains: [[...chain, { digestAlgorithm: OID_SHA256, reducedHashtree: tree, timeStamp: token }]] }));
      return target;
    };
    // Another archive's record renewed in the same request: two values in the first list.
    const good = await verify(await renewWith('tree-ok.zip', [renewed, sha256(Buffer.from('another record'))]), [tsaA.caPath]);
    expect(good.code, good.report.summary).toBe(0);
    expect(renewal(good.report).renewal!.links.map((l) => l.status)).toEqual(['ok', 'ok']);
    const bad = await verify(await renewWith('tree-bad.zip', [sha256(Buffer.from('one')), sha256(Buffer.from('two'))]), [tsaA.caPath]);
    expect(bad.code).toBe(1);
    expect(renewal(bad.report).detail).toMatch(/archive timestamp 2 .* does not renew the one before it/);
  }, 60_000);

  it('leaves the archive untouched when the TSA is down, with a clear error', async () => {
    const zip = copy('dead-tsa.zip');
    const before = readFileSync(zip);
    tsaA.setDown(true);
    const result = await renew(zip, tsaA);
    tsaA.setDown(false);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/was not renewed: the TSA gave no timestamp .*503.*The archive was not changed/);
    expect(readFileSync(zip).equals(before)).toBe(true);
    expect(readdirSync(root).filter((n) => n.includes('dead-tsa.zip.renew'))).toEqual([]);
  }, 60_000);

  it('refuses to renew an archive that does not verify', async () => {
    const zip = copy('tampered.zip');
    const dir = (await unzipped(zip)).dir;
    writeFileSync(join(dir, 'data/session.json'), readFileSync(join(dir, 'data/session.json'), 'utf8').replace('harbour', 'harbor'));
    const tampered = join(root, 'tampered-2.zip');
    expect((await run('zip', ['-q', '-r', '-X', tampered, '.'], dir)).code).toBe(0);
    const before = readFileSync(tampered);
    const result = await renew(tampered, tsaA);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/does not verify, so it was not renewed/);
    expect(readFileSync(tampered).equals(before)).toBe(true);
  }, 60_000);

  it('leaves the original intact when the renew is killed while writing', async () => {
    // A large payload, so that the copy takes long enough to be killed in the middle of it.
    const bigRoot = mkdtempSync(join(root, 'big-'));
    const bigData = join(bigRoot, 'data');
    const cli = (...args: string[]) => proofline(['--data', bigData, '--tsa', tsaA.url, ...args]);
    const id = (JSON.parse((await cli('session', 'new', '--title', 'large', '--json')).stdout) as { id: string }).id;
    const payload = join(bigRoot, 'footage.bin');
    writeFileSync(payload, randomBytes(160 << 20));
    expect((await cli('attach', id, payload)).code).toBe(0);
    rmSync(payload);
    expect((await cli('seal', id)).code).toBe(0);
    const zip = join(bigRoot, 'big.zip');
    expect((await cli('export', id, '--out', zip)).code).toBe(0);
    const digest = sha256(readFileSync(zip));

    const running = startProofline(['--data', bigData, '--tsa', tsaA.url, 'renew', zip]);
    let killed = false;
    for (let i = 0; i < 6000 && !killed; i++) {
      if (readdirSync(bigRoot).some((n) => n.startsWith('.big.zip.renew-') && n.endsWith('.tmp'))) {
        running.child.kill('SIGKILL');
        killed = true;
      } else await new Promise((r) => setTimeout(r, 5));
    }
    const exit = await running.exited;
    expect(killed && exit === null, `killed mid-write (exit ${exit}): ${running.stderr()}`).toBe(true);
    expect(sha256(readFileSync(zip)).equals(digest)).toBe(true);
    expect(existsSync(zip)).toBe(true);
    const { code, report } = await verify(zip, [tsaA.caPath]);
    expect(code, report.summary).toBe(0);
    expect(renewal(report).status).toBe('skip');
  }, 300_000);
});
