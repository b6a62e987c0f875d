// Every byte of an evidence record matters: with one bit changed, the record must fail, never
// pass. A record of two archive timestamps from a real TSA (`openssl ts -reply` on loopback) over
// three data objects; each byte of the record's own structure is changed, and every 31st byte
// inside the tokens (all of them: 95 s on a shared 2-core machine; that full sweep, run once
// by hand with both bit 0 and bit 7, failed all 5,328 of 5,328).

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeEvidenceRecord, OID_SHA256 } from '../../src/core/archive/evidence-record.js';
import { groupHashtree, reduceHashtree, sha256 } from '../../src/core/archive/evidence-hash-tree.js';
import { judgeEvidenceRecord } from '../../src/core/archive/verify-evidence-record.js';
import { requestTimestamp, tokenFromResponse } from '../../src/core/attest/tsa-client.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

let tsa: RunningTsa;
beforeAll(async () => {
  tsa = await startTsa({ name: 'Byte Sweep' });
});
afterAll(async () => tsa?.stop());

it('fails with any one byte of the record changed, in its structure or inside its tokens', async () => {
  const objects = ['tagmanifest-sha256.txt', 'proofline/seal.sig', 'proofline/seal.tsr'].map((path) => ({ path, bytes: randomBytes(200) }));
  const tree = groupHashtree(objects.map((o) => sha256(o.bytes)));
  const first = tokenFromResponse((await requestTimestamp(tsa.url, reduceHashtree(tree))).response);
  const renewal = tokenFromResponse((await requestTimestamp(tsa.url, sha256(first))).response);
  const ers = encodeEvidenceRecord({
    digestAlgorithms: [OID_SHA256],
    chains: [[{ digestAlgorithm: OID_SHA256, reducedHashtree: tree, timeStamp: first }, { digestAlgorithm: OID_SHA256, reducedHashtree: [], timeStamp: renewal }]],
  });
  const roots = [tsa.caPem];
  expect((await judgeEvidenceRecord(ers, objects, roots)).status).toBe('pass');

  const tokens = [first, renewal].map((t) => ({ from: ers.indexOf(t), to: ers.indexOf(t) + t.length }));
  const inToken = (i: number): boolean => tokens.some((t) => i >= t.from && i < t.to);
  const passed: string[] = [];
  let tried = 0;
  for (let i = 0; i < ers.length; i++) {
    if (inToken(i) && i % 31 !== 0) continue;
    for (const mask of [0x01, 0x80]) {
      const bytes = Buffer.from(ers);
      bytes[i] ^= mask;
      tried++;
      const judged = await judgeEvidenceRecord(bytes, objects, roots);
      if (judged.status !== 'fail') passed.push(`byte ${i} ^ ${mask}: ${judged.status}`);
      else expect(judged.where[0]).toBe('proofline/evidence-record.ers');
    }
  }
  expect(tried).toBeGreaterThan(500);
  expect(passed).toEqual([]);
}, 300_000);
