// A GM/T 0033 TSA may time-stamp only SM3 imprints. Proofline's client asks for SHA-256 (the
// digest every other tool can check: `openssl ts -verify`, the checkpoint files, VERIFY.md), so
// against such a TSA it must fail plainly, naming the refusal; and a token such a TSA issues for
// a client that did send SM3 (built here as a GM/T 0033 client would) must verify against the
// SM3 of the data, and not against the SM3 of anything else.

import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sm3 } from '../../src/core/attest/sm2-cms.js';
import { OID_SM3 } from '../../src/core/attest/sm2-signature.js';
import { requestTimestamp, TsaError } from '../../src/core/attest/tsa-client.js';
import { parseTimestampResponse } from '../../src/core/attest/tsa-response.js';
import { testTsa } from '../../src/core/attest/tsa-test.js';
import { verifyTimestampResponse } from '../../src/core/attest/tsa-verify.js';
import { startSm2Tsa, type RunningSm2Tsa } from '../support/sm2-tsa-server.js';

const data = Buffer.from('tagmanifest-sha256.txt, as sealed');
const digest = createHash('sha256').update(data).digest();
let tsa: RunningSm2Tsa;

beforeAll(async () => {
  tsa = await startSm2Tsa({ name: 'SM3 Only', imprints: 'sm3' });
});

afterAll(async () => {
  await tsa?.stop();
});

/** A TimeStampReq over the SM3 of `bytes` (GM/T 0033 style), POSTed as RFC 3161 §3.4 says. */
async function askSm3(bytes: Uint8Array): Promise<Buffer> {
  const imprint = new pkijs.MessageImprint({ hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM3, algorithmParams: new asn1js.Null() }), hashedMessage: new asn1js.OctetString({ valueHex: Uint8Array.from(sm3(bytes)) }) });
  const request = new pkijs.TimeStampReq({ version: 1, messageImprint: imprint, nonce: new asn1js.Integer({ value: 4242 }), certReq: true });
  const res = await fetch(tsa.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: Buffer.from(request.toSchema().toBER()) });
  return Buffer.from(await res.arrayBuffer());
}

describe('a TSA that time-stamps only SM3 imprints', () => {
  it('refuses Proofline\u2019s SHA-256 request, and the client says so: rejected, badAlg, check the hash algorithm', async () => {
    const error = await requestTimestamp(tsa.url, digest).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TsaError);
    expect((error as TsaError).reason).toBe('rejected');
    expect((error as TsaError).message).toContain('badAlg');
    expect((error as TsaError).message).toContain('only SM3 message imprints are accepted');
    expect((error as TsaError).message).toContain('hash algorithm');
  });

  it('Test TSA reports it as giving no usable token before anything is recorded', async () => {
    const result = await testTsa(tsa.url, { trustedRoots: [] });
    expect(result).toMatchObject({ ok: false, error: { reason: 'rejected' } });
  });

  it('answers an SM3 request with a token over that SM3 imprint, which verifies against the SM3 of the data', async () => {
    const response = await askSm3(data);
    expect(parseTimestampResponse(response).imprintAlgorithm).toBe('sm3');
    const verdict = await verifyTimestampResponse(response, { digest, sm3Digest: sm3(data), trustedRoots: [tsa.root.pem] });
    expect(verdict.status).toBe('verified');
    expect(verdict.checks.find((c) => c.name === 'imprint')!.detail).toBe(`messageImprint is sm3:${sm3(data).toString('hex')}`);
  });

  it('the same token does not verify against the SM3 of other data, nor without an SM3 digest to compare', async () => {
    const response = await askSm3(data);
    const other = await verifyTimestampResponse(response, { digest, sm3Digest: sm3(Buffer.concat([data, Buffer.from('\n')])), trustedRoots: [tsa.root.pem] });
    expect(other.status).toBe('invalid');
    expect(other.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['imprint']);
    const none = await verifyTimestampResponse(response, { digest, trustedRoots: [tsa.root.pem] });
    expect(none.status).toBe('invalid');
    expect(none.checks.find((c) => c.name === 'imprint')!.detail).toContain('no SM3 digest of the data was given');
  });

  it('a token over an SM3 imprint whose bytes equal the data\u2019s SHA-256 does not pass as SHA-256', async () => {
    // The imprint's algorithm decides what it is compared with: 32 bytes named SM3 are never a SHA-256.
    const imprint = new pkijs.MessageImprint({ hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM3, algorithmParams: new asn1js.Null() }), hashedMessage: new asn1js.OctetString({ valueHex: Uint8Array.from(digest) }) });
    const request = new pkijs.TimeStampReq({ version: 1, messageImprint: imprint, certReq: true });
    const res = await fetch(tsa.url, { method: 'POST', headers: { 'content-type': 'application/timestamp-query' }, body: Buffer.from(request.toSchema().toBER()) });
    const verdict = await verifyTimestampResponse(Buffer.from(await res.arrayBuffer()), { digest, sm3Digest: sm3(data), trustedRoots: [tsa.root.pem] });
    expect(verdict.status).toBe('invalid');
    expect(verdict.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(['imprint']);
  });
});
