// A session anchored by an SM2 TSA (GM/T 0033: SM2 over SM3, as Chinese TSAs sign), end to end
// through the built CLI: recorded with PROOFLINE_TSA_URLS pointing at the loopback SM2 TSA
// (tests/support/sm2-tsa-server.ts), sealed, exported, verified. Its root trusted: exit 0;
// not: 3; one byte of an SM2 token altered: 1, naming the token; a token from an SM2 certificate
// that is not a TSA's: not counted. And `proofline tsa-test` judges the SM2 TSA as verify would.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/core/archive/verify-report.js';
import { proofline, run } from '../support/cli.js';
import { checkpointTokens, deviceKey, makeHonestSession, repack, reseal, unpack } from '../support/forge.js';
import { startSm2Tsa, type RunningSm2Tsa } from '../support/sm2-tsa-server.js';

let tsa: RunningSm2Tsa;
let rogue: RunningSm2Tsa;
let root: string;
let data: string;
let archive: string;

const cliWith = (server: RunningSm2Tsa, dataDir: string) => (...args: string[]) => proofline(['--data', dataDir, ...args], { PROOFLINE_TSA_URLS: server.url });

async function verify(zip: string, trust: readonly string[]): Promise<{ code: number; report: VerifyReport; text: string }> {
  const trustArgs = trust.flatMap((p) => ['--trust', p]);
  const json = await proofline(['verify', zip, ...trustArgs, '--json']);
  const human = await proofline(['verify', zip, ...trustArgs]);
  expect(human.code, 'text and --json runs agree on the exit code').toBe(json.code);
  return { code: json.code, report: JSON.parse(json.stdout) as VerifyReport, text: human.stdout + human.stderr };
}

/** The honest archive unzipped, one byte of `path` flipped, zipped again. */
async function altered(name: string, path: string, edit?: (dir: string) => void): Promise<string> {
  const dir = await unpack(archive, join(root, name));
  const bytes = readFileSync(join(dir, path));
  bytes[bytes.length - 5]! ^= 0x01; // inside the SM2 signature, the last field of the token
  writeFileSync(join(dir, path), bytes);
  edit?.(dir);
  return repack(dir, join(root, `${name}.zip`));
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'proofline-sm2-e2e-'));
  data = join(root, 'data');
  [tsa, rogue] = await Promise.all([startSm2Tsa({ name: 'GM TSA' }), startSm2Tsa({ name: 'GM Web', signerProfile: 'tls-server' })]);
  ({ archive } = await makeHonestSession(cliWith(tsa, data), root, 'SM2 anchored'));
}, 120_000);

afterAll(async () => {
  await Promise.all([tsa?.stop(), rogue?.stop()]);
  if (root) await rm(root, { recursive: true, force: true });
});

describe('an archive anchored by an SM2 TSA', () => {
  it('verifies (exit 0) with the SM2 root trusted, every token counted', async () => {
    expect(tsa.requests).toBeGreaterThan(0);
    const { code, report, text } = await verify(archive, [tsa.caPath]);
    expect(code, text).toBe(0);
    const tokens = report.anchoring!.tokens;
    expect(tokens.length).toBeGreaterThanOrEqual(2); // checkpoint tokens and seal.tsr
    expect(tokens.every((t) => t.trusted && t.tsa === 'CN=GM TSA TSA, O=Proofline Test, C=CN')).toBe(true);
    expect(tokens.map((t) => t.path)).toContain('proofline/seal.tsr');
    expect(new Set(tokens.map((t) => t.algorithm))).toEqual(new Set(['SM2 with SM3']));
  });

  it('is intact but not attested (exit 3) without the SM2 root', async () => {
    const { code, text } = await verify(archive, []);
    expect(code, text).toBe(3);
    expect(text).toContain('pass the TSA\'s root certificate with --trust');
  });

  it('fails (exit 1) naming the checkpoint token when one of its bytes is altered, even with the manifests redone', async () => {
    const token = checkpointTokens(await unpack(archive, join(root, 'peek')))[0]!.path;
    const zip = await altered('bad-checkpoint-token', token, (dir) => reseal(dir, deviceKey(data)));
    const { code, report, text } = await verify(zip, [tsa.caPath]);
    expect(code, text).toBe(1);
    const check = report.checks.find((c) => c.id === 'timestamps.checkpoints')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(`${token} is not a valid timestamp`);
    expect(check.detail).toContain('SM2 signature does not verify');
  });

  it('fails (exit 1) naming seal.tsr when one of its bytes is altered', async () => {
    const zip = await altered('bad-seal-token', 'proofline/seal.tsr');
    const { code, report, text } = await verify(zip, [tsa.caPath]);
    expect(code, text).toBe(1);
    const check = report.checks.find((c) => c.id === 'seal.timestamp')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('proofline/seal.tsr is not a valid timestamp');
  });
});

describe('checking an SM2 token without Proofline (OpenSSL 3.0 alone, as the archive\u2019s VERIFY.md says)', () => {
  /** check-sm2.sh as VERIFY.md's SM2 section writes it: its sh block run in `dir`. */
  const scriptFromGuide = async (dir: string): Promise<string> => {
    const guide = readFileSync(join(dir, 'proofline/VERIFY.md'), 'utf8');
    const at = guide.search(/^## \d+\. Tokens signed with SM2/m);
    expect(at, 'VERIFY.md has an SM2 section').toBeGreaterThan(-1);
    expect(guide.slice(at)).toContain('proofline/timestamps/000000-tsa1.tsr');
    const block = /```sh\n([\s\S]*?)```/.exec(guide.slice(at))![1]!;
    expect((await run('sh', ['-c', block], dir)).code).toBe(0);
    return join(dir, 'check-sm2.sh');
  };
  const check = async (name: string, tsr: Buffer): Promise<{ code: number; stdout: string }> => {
    const script = await scriptFromGuide(await unpack(archive, join(root, `${name}-bag`)));
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'seal.tsr'), tsr);
    return run('sh', [script, join(dir, 'seal.tsr'), tsa.caPath, dir]);
  };

  it('the archive\u2019s seal.tsr: messageDigest, TSA signature and certificate signature all check', async () => {
    const dir = await unpack(archive, join(root, 'manual'));
    const result = await check('manual-good', readFileSync(join(dir, 'proofline/seal.tsr')));
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout.match(/Signature Verified Successfully/g)).toHaveLength(2);
  });

  it('fails on the same token with one byte of its signature altered', async () => {
    const dir = await unpack(archive, join(root, 'manual-2'));
    const bytes = readFileSync(join(dir, 'proofline/seal.tsr'));
    bytes[bytes.length - 5]! ^= 0x01;
    expect((await check('manual-bad', bytes)).code).not.toBe(0);
  });
});

describe('an archive anchored by an SM2 certificate that is not a TSA\u2019s', () => {
  it('is not attested (exit 3) even with its root trusted: the signer has no timeStamping EKU', async () => {
    const rogueData = join(root, 'rogue-data');
    const { archive: rogueArchive } = await makeHonestSession(cliWith(rogue, rogueData), await mkdtemp(join(root, 'rogue-')), 'SM2 web cert');
    const { code, report, text } = await verify(rogueArchive, [rogue.caPath]);
    expect(code, text).toBe(3);
    expect(report.anchoring!.tokens.every((t) => !t.trusted && t.reasonKind === 'notTsaCert')).toBe(true);
    expect(text).toContain('is not a time-stamping certificate');
  }, 120_000);
});

describe('proofline tsa-test against the SM2 TSA', () => {
  it('gets a token and says it chains to the SM2 root given', async () => {
    const result = await proofline(['--data', join(root, 'tsa-test-data'), 'tsa-test', tsa.url, '--trust', tsa.caPath, '--json']);
    expect(result.code, result.stderr).toBe(0);
    const [answer] = JSON.parse(result.stdout) as { ok: boolean; trusted: boolean; signer: string }[];
    expect(answer).toMatchObject({ ok: true, trusted: true, signer: 'CN=GM TSA TSA, O=Proofline Test, C=CN' });
  });

  it('says a non-TSA SM2 signer is not trusted', async () => {
    const result = await proofline(['--data', join(root, 'tsa-test-data'), 'tsa-test', rogue.url, '--trust', rogue.caPath]);
    expect(result.stdout).toContain('not trusted: the signer CN=GM Web TSA, O=Proofline Test, C=CN is not a time-stamping certificate');
  });
});
