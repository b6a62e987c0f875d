// How a token is signed, said to a person wherever tokens are listed outside the app window: a
// session anchored by the loopback SM2 TSA (GM/T 0033) through the built CLI, then `proofline
// verify` (text), `proofline tsa-test` (text and --json) and the court report's token table
// (PDF read back with poppler's pdftotext, in en and zh) name "SM2 with SM3" beside the TSA.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proofline, run } from '../support/cli.js';
import { makeHonestSession } from '../support/forge.js';
import { startSm2Tsa, type RunningSm2Tsa } from '../support/sm2-tsa-server.js';

const TSA_DN = 'CN=GM Shown TSA, O=Proofline Test, C=CN';
let tsa: RunningSm2Tsa;
let root: string;
let data: string;
let archive: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'proofline-sm2-shown-'));
  data = join(root, 'data');
  tsa = await startSm2Tsa({ name: 'GM Shown' });
  ({ archive } = await makeHonestSession((...args) => proofline(['--data', data, ...args], { PROOFLINE_TSA_URLS: tsa.url }), root, 'SM2 shown'));
}, 120_000);

afterAll(async () => {
  await tsa?.stop();
  if (root) await rm(root, { recursive: true, force: true });
});

describe('the signature algorithm of SM2 tokens, named for a person', () => {
  it('proofline verify lists the tokens by TSA and "SM2 with SM3"', async () => {
    const json = await proofline(['verify', archive, '--trust', tsa.caPath, '--json']);
    const count = (JSON.parse(json.stdout) as { anchoring: { tokens: unknown[] } }).anchoring.tokens.length;
    const result = await proofline(['verify', archive, '--trust', tsa.caPath]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`  tokens: ${count} by ${TSA_DN} (SM2 with SM3)\n`);
  });

  it('proofline tsa-test names it beside the signer, and in --json', async () => {
    const text = await proofline(['--data', join(root, 'tsa-test'), 'tsa-test', tsa.url, '--trust', tsa.caPath]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`signer  ${TSA_DN} (SM2 with SM3)\n`);
    const json = await proofline(['--data', join(root, 'tsa-test'), 'tsa-test', tsa.url, '--trust', tsa.caPath, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject([{ ok: true, trusted: true, algorithm: 'SM2 with SM3' }]);
  });

  for (const [lang, header, algorithm] of [
    ['en', 'TSA (signature)', 'SM2 with SM3'],
    ['zh', '时间戳机构（签名算法）', 'SM2（SM3 摘要）'],
  ] as const) {
    it(`the court report's token table says "${algorithm}" under the TSA (${lang})`, async () => {
      const pdf = join(root, `report-${lang}.pdf`);
      const made = await proofline(['--data', data, 'report', archive, '--out', pdf, '--lang', lang, '--trust', tsa.caPath, '--json']);
      expect(made.code, made.stderr).toBe(0);
      const text = (await run('pdftotext', ['-layout', pdf, '-'])).stdout;
      expect(text).toContain(header);
      // One line per token: its TSA's name, then under it the algorithm (the seal's and each checkpoint's).
      expect(text.split(algorithm).length - 1).toBeGreaterThanOrEqual(2);
    }, 240_000);
  }
});
