// A GM/T 0033 TSA may time-stamp an SM3 imprint of the data rather than a SHA-256 one (RFC 3161
// §2.4.1 lets the hash be any the TSA accepts). An archive whose checkpoint tokens and seal.tsr
// carry SM3 imprints, signed by the loopback SM2 TSA, must verify through the built CLI as the
// SHA-256 ones do: the verifier compares each imprint with the SM3 of the checkpoint statement or
// of tagmanifest-sha256.txt. A genuine TSA token over the SM3 of other bytes must fail, naming it.

import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/core/archive/verify-report.js';
import * as layout from '../../src/core/archive/bag-layout.js';
import { sm3 } from '../../src/core/attest/sm2-cms.js';
import { OID_SM3 } from '../../src/core/attest/sm2-signature.js';
import { parseTimestampResponse } from '../../src/core/attest/tsa-response.js';
import { proofline } from '../support/cli.js';
import { checkpointTokens, deviceKey, makeHonestSession, readCheckpoints, repack, reseal, unpack } from '../support/forge.js';
import { sm2TimestampResponse, startSm2Tsa, type RunningSm2Tsa } from '../support/sm2-tsa-server.js';

let tsa: RunningSm2Tsa;
let root: string;
let data: string;
let archive: string;

const sm3Imprint = (hash: Uint8Array): pkijs.MessageImprint =>
  new pkijs.MessageImprint({ hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM3, algorithmParams: new asn1js.Null() }), hashedMessage: new asn1js.OctetString({ valueHex: Uint8Array.from(hash) }) });

let serial = 1000;
/** What the SM2 TSA answers to a request with an SM3 imprint of `hashed`, dated as the token it replaces. */
const sm3Token = (hashed: Uint8Array, replaces: Buffer): Buffer =>
  sm2TimestampResponse({ signer: tsa.signer, certs: [tsa.root], imprint: sm3Imprint(hashed), serial: ++serial, genTime: parseTimestampResponse(replaces).genTime! });

/**
 * The honest archive with every token replaced by one over an SM3 imprint (each checkpoint's
 * statement; then, resealed with the device key, the new tag manifest). `checkpointData` and
 * `sealData` choose what each token's SM3 is of: the right bytes by default.
 */
async function sm3Archive(name: string, choose: { checkpointData?: (bytes: Buffer, index: number) => Buffer; sealData?: (tagManifest: Buffer) => Buffer } = {}): Promise<string> {
  const dir = await unpack(archive, join(root, name));
  const statements = new Map(readCheckpoints(dir).map((c) => [c.index, c.bytes]));
  for (const token of checkpointTokens(dir)) {
    const statement = statements.get(token.index)!;
    const path = join(dir, token.path);
    writeFileSync(path, sm3Token(sm3((choose.checkpointData ?? ((b) => b))(statement, token.index)), readFileSync(path)));
  }
  const sealed = readFileSync(join(dir, layout.sealTokenPath(0)));
  reseal(dir, deviceKey(data)); // the checkpoint tokens are tag files; drops the old seal.tsr
  const tagManifest = readFileSync(join(dir, layout.TAGMANIFEST_SHA256));
  writeFileSync(join(dir, layout.sealTokenPath(0)), sm3Token(sm3((choose.sealData ?? ((b) => b))(tagManifest)), sealed));
  return repack(dir, join(root, `${name}.zip`));
}

async function verify(zip: string): Promise<{ code: number; report: VerifyReport; text: string }> {
  const json = await proofline(['verify', zip, '--trust', tsa.caPath, '--json']);
  return { code: json.code, report: JSON.parse(json.stdout) as VerifyReport, text: json.stdout + json.stderr };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'proofline-sm3-imprint-'));
  data = join(root, 'data');
  tsa = await startSm2Tsa({ name: 'GM SM3' });
  ({ archive } = await makeHonestSession((...args) => proofline(['--data', data, ...args], { PROOFLINE_TSA_URLS: tsa.url }), root, 'SM3 imprints'));
}, 120_000);

afterAll(async () => {
  await tsa?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('an archive whose SM2 tokens time-stamp SM3 imprints', () => {
  it('verifies (exit 0), every token counted, each carrying an SM3 imprint', async () => {
    const zip = await sm3Archive('sm3-good');
    const dir = await unpack(zip, join(root, 'sm3-good-peek'));
    const tokens = [...checkpointTokens(dir).map((t) => t.path), layout.sealTokenPath(0)];
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(tokens.map((p) => parseTimestampResponse(readFileSync(join(dir, p))).imprintAlgorithm)).toEqual(tokens.map(() => 'sm3'));

    const { code, report, text } = await verify(zip);
    expect(code, text).toBe(0);
    expect(report.anchoring!.tokens.map((t) => [t.path, t.trusted]).sort()).toEqual(tokens.map((p) => [p, true]).sort());
    expect(report.checks.find((c) => c.id === 'timestamps.checkpoints')!.status).toBe('pass');
    expect(report.checks.find((c) => c.id === 'seal.timestamp')!.status).toBe('pass');
  });

  it('fails (exit 1) naming seal.tsr when its SM3 imprint is of other bytes than the tag manifest', async () => {
    const zip = await sm3Archive('sm3-bad-seal', { sealData: (manifest) => Buffer.concat([manifest, Buffer.from('\n')]) });
    const { code, report, text } = await verify(zip);
    expect(code, text).toBe(1);
    const check = report.checks.find((c) => c.id === 'seal.timestamp')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('proofline/seal.tsr');
    expect(check.detail).toContain('messageImprint is sm3:');
    expect(report.checks.find((c) => c.id === 'timestamps.checkpoints')!.status).toBe('pass');
  });

  it('fails (exit 1) naming the checkpoint token whose SM3 imprint is of another checkpoint', async () => {
    let forged = '';
    const zip = await sm3Archive('sm3-bad-checkpoint', {
      checkpointData: (bytes, index) => {
        if (forged) return bytes;
        forged = `${layout.TIMESTAMPS_DIR}${String(index).padStart(6, '0')}`;
        return Buffer.from(bytes.toString('utf8').replace(/"index":\s*\d+/, `"index":${index + 1}`));
      },
    });
    const { code, report, text } = await verify(zip);
    expect(code, text).toBe(1);
    const check = report.checks.find((c) => c.id === 'timestamps.checkpoints')!;
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(forged);
    expect(check.detail).toContain('messageImprint is sm3:');
  });
});
