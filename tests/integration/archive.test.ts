import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/store/canonical-json.js';
import { recomputeManifests, rewriteEvents, sha256, unzipTo, zipFolder } from '../support/bag-files.js';
import { proofline, run } from '../support/cli.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let tsa: RunningTsa;
let root: string;
let data: string;
let archive: string;
let sessionId: string;
let caseNo = 0;

const cli = (...args: string[]) => proofline(['--data', data, '--tsa', tsa.url, ...args]);
const verify = (zip: string, ...extra: string[]) => proofline(['verify', zip, '--trust', tsa.caPath, '--json', ...extra]);
const report = (stdout: string) => JSON.parse(stdout) as { verdict: string; exitCode: number; checks: { id: string; status: string; detail: string; where: string[] }[] };
const failing = (stdout: string) => report(stdout).checks.filter((c) => c.status === 'fail');

/** A fresh copy of the sealed archive, unzipped, for one tampering case. */
async function tamper(edit: (dir: string) => void | Promise<void>): Promise<string> {
  const dir = join(root, `case-${++caseNo}`);
  mkdirSync(dir);
  await unzipTo(archive, dir);
  await edit(dir);
  const zip = join(root, `case-${caseNo}.zip`);
  await zipFolder(dir, zip);
  return zip;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-archive-'));
  data = join(root, 'data');
  tsa = await startTsa({ name: 'Archive' });
  const created = await cli('session', 'new', '--title', '猫 crystal pendant, draft 3', '--creator', 'Li Wei', '--json');
  expect(created.code, created.stderr).toBe(0);
  sessionId = JSON.parse(created.stdout).id;
  writeFileSync(join(root, 'final.png'), Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(40_000, 3)]));
  writeFileSync(join(root, 'prompt.txt'), 'a crystal cat pendant, studio light\n');
  expect((await cli('note', sessionId, 'chose seed 1234 for the pose')).code).toBe(0);
  expect((await cli('attach', sessionId, join(root, 'final.png'), join(root, 'prompt.txt'))).code).toBe(0);
  const sealed = await cli('seal', sessionId, '--json');
  expect(sealed.code, sealed.stderr).toBe(0);
  expect(JSON.parse(sealed.stdout)).toMatchObject({ id: sessionId, sealTokens: 1, pendingTimestamps: 0 });
  archive = join(root, 'evidence.zip');
  const exported = await cli('export', sessionId, '--out', archive);
  expect(exported.code, exported.stderr).toBe(0);
});

afterAll(async () => {
  await tsa?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('a sealed archive', () => {
  it('verifies with Proofline: exit 0 and every check passes', async () => {
    const result = await verify(archive, '--sm3');
    expect(result.code).toBe(0);
    const r = report(result.stdout);
    expect(r.verdict).toBe('verified');
    // This session has no screen recording, so its continuity check has nothing to prove.
    // This session has no screen recording, no batch capture and no web archive, and the archive no evidence record (it was never renewed): those checks have nothing to check.
    expect(r.checks.filter((c) => c.status !== 'pass' && !(['recording.continuity', 'web.batches', 'web.wacz-signature', 'time.renewal'].includes(c.id) && c.status === 'skip'))).toEqual([]);
    expect(r.checks.find((c) => c.id === 'recording.continuity')?.status).toBe('skip');
    expect(r.checks.find((c) => c.id === 'web.batches')?.status).toBe('skip');
    expect(r.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['bag.payload-manifest', 'events.chain', 'checkpoints.signatures', 'timestamps.checkpoints', 'seal.timestamp']));
  });

  it('verifies with sha256sum -c, openssl ts -verify and openssl pkeyutl alone', async () => {
    const dir = join(root, 'standard-tools');
    await unzipTo(archive, dir);
    const payload = await run('sha256sum', ['-c', 'manifest-sha256.txt'], dir);
    expect(payload.code, payload.stdout + payload.stderr).toBe(0);
    expect(payload.stdout).toMatch(/data\/events\.jsonl: OK/);
    expect((await run('sha256sum', ['-c', 'tagmanifest-sha256.txt'], dir)).code).toBe(0);
    const seal = await run('openssl', ['ts', '-verify', '-data', 'tagmanifest-sha256.txt', '-in', 'proofline/seal.tsr', '-CAfile', tsa.caPath, '-untrusted', 'proofline/tsa-certs/tsa1.pem'], dir);
    expect(seal.stdout + seal.stderr).toMatch(/Verification: OK/);
    const sealSig = await run('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', 'proofline/device-key.pub.pem', '-rawin', '-in', 'tagmanifest-sha256.txt', '-sigfile', 'proofline/seal.sig'], dir);
    expect(sealSig.stdout).toMatch(/Signature Verified Successfully/);
    const keyDer = await run('sh', ['-c', 'openssl pkey -pubin -in proofline/device-key.pub.pem -outform DER | sha256sum'], dir);
    const firstEvent = JSON.parse(readFileSync(join(dir, 'data', 'events.jsonl'), 'utf8').split('\n')[0]!);
    expect(keyDer.stdout.slice(0, 64)).toBe(firstEvent.payload.device.keyId);
    const tokens = readdirSync(join(dir, 'proofline', 'timestamps'));
    expect(tokens.length).toBeGreaterThan(0);
    for (const token of tokens) {
      const statement = `proofline/checkpoints/${token.slice(0, 6)}.json`;
      const cp = await run('openssl', ['ts', '-verify', '-data', statement, '-in', `proofline/timestamps/${token}`, '-CAfile', tsa.caPath, '-untrusted', 'proofline/tsa-certs/tsa1.pem'], dir);
      expect(cp.stdout + cp.stderr, token).toMatch(/Verification: OK/);
    }
  });

  it('is a BagIt 1.0 bag by RFC 8493: declaration, Payload-Oxum, manifests in sha256sum format, every payload file listed', async () => {
    const dir = join(root, 'bagit-rules');
    await unzipTo(archive, dir);
    expect(readFileSync(join(dir, 'bagit.txt'), 'utf8')).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    const info = readFileSync(join(dir, 'bag-info.txt'), 'utf8');
    expect(info).toMatch(/^Payload-Oxum: \d+\.4$/m);
    expect(info).toMatch(new RegExp(`^Proofline-Session-Id: ${sessionId}$`, 'm'));
    expect(info).toMatch(/^Bagging-Date: \d{4}-\d{2}-\d{2}$/m);
    for (const manifest of ['manifest-sha256.txt', 'manifest-sm3.txt', 'tagmanifest-sha256.txt']) {
      for (const line of readFileSync(join(dir, manifest), 'utf8').trimEnd().split('\n')) expect(line).toMatch(/^[0-9a-f]{64}  \S+$/);
    }
    const listed = readFileSync(join(dir, 'manifest-sha256.txt'), 'utf8').trimEnd().split('\n').map((l) => l.slice(66)).sort();
    expect(listed).toEqual(['data/artifacts/' + sha256(readFileSync(join(root, 'final.png'))) + '.png', 'data/artifacts/' + sha256(readFileSync(join(root, 'prompt.txt'))) + '.txt', 'data/events.jsonl', 'data/session.json'].sort());
    const sm3 = await run('openssl', ['dgst', '-sm3', '-r', 'data/events.jsonl'], dir);
    expect(readFileSync(join(dir, 'manifest-sm3.txt'), 'utf8')).toContain(`${sm3.stdout.split(' ')[0]}  data/events.jsonl`);
  });

  it('stores media without deflating and deflates text', async () => {
    const listing = await run('unzip', ['-v', archive]);
    expect(listing.stdout).toMatch(/Stored.*\.png/);
    expect(listing.stdout).toMatch(/Defl:N.*data\/events\.jsonl/);
  });

  it('holds the chain that VERIFY.md tells a lawyer to check with Python alone', async () => {
    const dir = join(root, 'verify-md');
    await unzipTo(archive, dir);
    const guide = readFileSync(join(dir, 'proofline', 'VERIFY.md'), 'utf8');
    const script = /python3 - <<'PY'\n([\s\S]*?)\nPY/.exec(guide)?.[1];
    expect(script).toBeTruthy();
    writeFileSync(join(dir, 'chain.py'), script!);
    const result = await run('python3', ['chain.py'], dir);
    expect(result.code, result.stderr).toBe(0);
    const events = readFileSync(join(dir, 'data', 'events.jsonl'), 'utf8').trimEnd().split('\n');
    const head = sha256(events.at(-1)!);
    expect(result.stdout).toContain(head);
    const lastCheckpoint = readdirSync(join(dir, 'proofline', 'checkpoints')).filter((f) => f.endsWith('.json')).sort().at(-1)!;
    expect(JSON.parse(readFileSync(join(dir, 'proofline', 'checkpoints', lastCheckpoint), 'utf8')).head).toBe(head);
  });

  it('exports byte-identical manifests every time (the bag is fixed at seal)', async () => {
    const again = join(root, 'again.zip');
    expect((await cli('export', sessionId, '--out', again)).code).toBe(0);
    const a = join(root, 'again-a');
    const b = join(root, 'again-b');
    await unzipTo(archive, a);
    await unzipTo(again, b);
    for (const file of ['manifest-sha256.txt', 'manifest-sm3.txt', 'tagmanifest-sha256.txt', 'bag-info.txt', 'proofline/seal.tsr']) {
      expect(readFileSync(join(b, file)).equals(readFileSync(join(a, file))), file).toBe(true);
    }
  });

  it('refuses to overwrite an existing file when exporting', async () => {
    const result = await cli('export', sessionId, '--out', archive);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/already exists|EEXIST/);
    expect((await verify(archive)).code).toBe(0);
  });

  it('says the archive is intact but not attested (exit 3) when the TSA root is not trusted', async () => {
    const result = await proofline(['verify', archive, '--json']);
    expect(result.code).toBe(3);
    const r = report(result.stdout);
    expect(r.verdict).toBe('unattested');
    expect(r.checks.find((c) => c.id === 'seal.timestamp')!.detail).toMatch(/--trust/);
  });
});

describe('tampering is caught and named', () => {
  it('a flipped byte in an artifact, manifests left alone', async () => {
    const png = `data/artifacts/${sha256(readFileSync(join(root, 'final.png')))}.png`;
    const zip = await tamper((dir) => {
      const bytes = readFileSync(join(dir, png));
      bytes[1000] ^= 0x01;
      writeFileSync(join(dir, png), bytes);
    });
    const result = await verify(zip);
    expect(result.code).toBe(1);
    const manifest = failing(result.stdout).find((c) => c.id === 'bag.payload-manifest')!;
    expect(manifest.detail).toContain(png);
    expect(failing(result.stdout).map((c) => c.id)).toContain('events.artifacts');
  });

  it('names the altered file as the session recorded it, in --json and in the text output', async () => {
    const png = `data/artifacts/${sha256(readFileSync(join(root, 'final.png')))}.png`;
    const zip = await tamper((dir) => {
      const bytes = readFileSync(join(dir, png));
      bytes[2000] ^= 0x01;
      writeFileSync(join(dir, png), bytes);
    });
    const json = JSON.parse((await verify(zip)).stdout) as { altered: { path: string; kind: string; name: string; seq: number; time: string; checks: string[] }[]; summary: string };
    expect(json.altered).toEqual([expect.objectContaining({ path: png, kind: 'attachment', name: 'final.png', checks: expect.arrayContaining(['bag.payload-manifest']) })]);
    const { seq, time } = json.altered[0]!;
    const said = `attached file final.png, recorded ${time.slice(0, 10)} ${time.slice(11, 19)} UTC (event #${seq})`;
    expect(json.summary).toContain(`Altered: ${said}.`);
    const text = await proofline(['verify', zip, '--trust', tsa.caPath]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`altered:\n  ${said} — ${png}`);
  });

  it('a flipped byte inside the ZIP itself (CRC no longer matches)', async () => {
    const zip = join(root, 'crc.zip');
    const bytes = readFileSync(archive);
    const at = bytes.indexOf(Buffer.alloc(64, 3));
    expect(at).toBeGreaterThan(0);
    bytes[at + 10] ^= 0xff;
    writeFileSync(zip, bytes);
    const result = await verify(zip);
    expect(result.code).toBe(1);
    expect(failing(result.stdout)[0]!.detail).toMatch(/data\/artifacts\/.*\.png/);
  });

  it('an added file, even one added to the manifest', async () => {
    const zip = await tamper((dir) => writeFileSync(join(dir, 'data', 'later.txt'), 'added after sealing'));
    const result = await verify(zip);
    expect(result.code).toBe(1);
    expect(failing(result.stdout).find((c) => c.id === 'bag.completeness')!.where).toContain('data/later.txt');

    const zip2 = await tamper((dir) => {
      writeFileSync(join(dir, 'data', 'later.txt'), 'added after sealing');
      recomputeManifests(dir);
    });
    const result2 = await verify(zip2);
    expect(result2.code).toBe(1);
    expect(failing(result2.stdout).map((c) => c.id)).toContain('seal.signature');
  });

  it('an event removed, with every manifest recomputed', async () => {
    const zip = await tamper((dir) => {
      rewriteEvents(dir, (lines) => lines.filter((_, i) => i !== 2));
      recomputeManifests(dir);
    });
    const result = await verify(zip);
    expect(result.code).toBe(1);
    const chain = failing(result.stdout).find((c) => c.id === 'events.chain')!;
    expect(chain.detail).toMatch(/seq 3, expected 2/);
    expect(chain.where).toEqual(['data/events.jsonl:3']);
  });

  it('an event edited and the whole chain re-hashed, with every manifest recomputed', async () => {
    const zip = await tamper((dir) => {
      rewriteEvents(dir, (lines) => {
        let prev = '0'.repeat(64);
        return lines.map((line) => {
          const event = JSON.parse(line);
          if (event.type === 'note') event.payload.text = 'chose seed 9999 for the pose';
          event.prev = prev;
          const text = canonicalJson(event);
          prev = sha256(text);
          return text;
        });
      });
      recomputeManifests(dir);
    });
    const result = await verify(zip);
    expect(result.code).toBe(1);
    const ids = failing(result.stdout).map((c) => c.id);
    expect(ids).toContain('checkpoints.coverage');
    expect(ids).toContain('seal.signature');
    expect(ids).toContain('seal.timestamp');
    expect(ids).not.toContain('events.chain');
  });

  it('a removed seal timestamp: no longer fully attested, and says which file is absent', async () => {
    const zip = await tamper((dir) => unlinkSync(join(dir, 'proofline', 'seal.tsr')));
    const result = await verify(zip);
    expect(result.code).toBe(3);
    expect(report(result.stdout).checks.find((c) => c.id === 'seal.timestamp')!.where).toEqual(['proofline/seal.tsr']);
  });

  it('a removed checkpoint timestamp', async () => {
    const zip = await tamper((dir) => {
      const token = readdirSync(join(dir, 'proofline', 'timestamps'))[0]!;
      unlinkSync(join(dir, 'proofline', 'timestamps', token));
    });
    const result = await verify(zip);
    expect(result.code).toBe(1);
    expect(failing(result.stdout).find((c) => c.id === 'bag.tag-manifest')!.detail).toMatch(/proofline\/timestamps\/.*missing/);
  });

  it('a swapped timestamp: a checkpoint token put in place of the seal token', async () => {
    const zip = await tamper((dir) => {
      const token = readdirSync(join(dir, 'proofline', 'timestamps'))[0]!;
      copyFileSync(join(dir, 'proofline', 'timestamps', token), join(dir, 'proofline', 'seal.tsr'));
    });
    const result = await verify(zip);
    expect(result.code).toBe(1);
    const seal = failing(result.stdout).find((c) => c.id === 'seal.timestamp')!;
    expect(seal.where).toContain('proofline/seal.tsr');
    expect(seal.detail).toMatch(/imprint/);
  });

  it('a device public key file that is not the certificate\'s key', async () => {
    const zip = await tamper((dir) => {
      writeFileSync(join(dir, 'proofline', 'device-key.pub.pem'), generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }));
      recomputeManifests(dir);
    });
    const result = await verify(zip);
    expect(result.code).toBe(1);
    expect(failing(result.stdout).find((c) => c.id === 'device.identity')!.detail).toMatch(/device-key\.pub\.pem is not the key of/);
  });

  it('a signature from another device key', async () => {
    const other = join(root, 'other-device');
    const created = await proofline(['--data', other, 'session', 'new', '--title', 'other', '--json']);
    const otherId = JSON.parse(created.stdout).id;
    await proofline(['--data', other, 'seal', otherId]);
    const otherZip = join(root, 'other.zip');
    await proofline(['--data', other, 'export', otherId, '--out', otherZip]);
    const otherDir = join(root, 'other-bag');
    await unzipTo(otherZip, otherDir);
    const zip = await tamper((dir) => {
      for (const file of ['proofline/device-cert.pem', 'proofline/device-key.pub.pem', 'proofline/seal.sig']) {
        copyFileSync(join(otherDir, file), join(dir, file));
      }
      recomputeManifests(dir);
    });
    const result = await verify(zip);
    expect(result.code).toBe(1);
    const device = failing(result.stdout).find((c) => c.id === 'device.identity')!;
    expect(device.detail).toMatch(/but the session was created by/);
    expect(failing(result.stdout).map((c) => c.id)).toEqual(expect.arrayContaining(['checkpoints.signatures', 'seal.signature']));
  });
});

describe('unusable input', () => {
  it('a file that is not a zip: exit 2 with a clear message', async () => {
    const path = join(root, 'notes.zip');
    writeFileSync(path, 'just some text, not an archive\n');
    const result = await verify(path);
    expect(result.code).toBe(2);
    expect(report(result.stdout).verdict).toBe('unusable');
  });

  it('a truncated archive: exit 2', async () => {
    const path = join(root, 'truncated.zip');
    const bytes = readFileSync(archive);
    writeFileSync(path, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const result = await verify(path);
    expect(result.code).toBe(2);
    expect(report(result.stdout).checks[0]!.detail).toMatch(/truncat|cut short|end of central directory/i);
  });

  it('a path that does not exist: exit 2', async () => {
    const result = await verify(join(root, 'nowhere.zip'));
    expect(result.code).toBe(2);
    expect(existsSync(join(root, 'nowhere.zip'))).toBe(false);
  });
});
