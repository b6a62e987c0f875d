// A token's ContentInfo may name SignedData by GM/T 0010's own OID, 1.2.156.10197.6.1.4.2.2, as
// CFCA SADK does (tests/fixtures/sm2/cfca-sadk-signed-attached.p7) and Chinese TSAs may: the same
// SignedData re-wrapped under that OID verifies exactly as under RFC 5652's id-signedData, and
// any other content type is still refused before its bytes are trusted as a token.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTimestampResponse } from '../../src/core/attest/tsa-response.js';
import { verifyTimestampResponse } from '../../src/core/attest/tsa-verify.js';
import { sm2Certificate, type Sm2Cert } from '../support/sm2-pki.js';
import { sm2TimestampResponse } from '../support/sm2-tsa-server.js';

const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const OID_GM_SIGNED_DATA = '1.2.156.10197.6.1.4.2.2';
const data = Buffer.from('the checkpoint statement');
const digest = createHash('sha256').update(data).digest();

let root: Sm2Cert;
let original: Buffer;

beforeAll(async () => {
  root = await sm2Certificate({ name: 'GM Root', profile: 'ca' });
  const signer = await sm2Certificate({ name: 'GM TSA', profile: 'tsa', issuer: root });
  const imprint = new pkijs.MessageImprint({ hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID_SHA256 }), hashedMessage: new asn1js.OctetString({ valueHex: Uint8Array.from(digest) }) });
  original = sm2TimestampResponse({ signer, certs: [root], imprint, serial: 11, genTime: new Date('2026-04-02T03:04:05Z') });
});

/** The same TimeStampResp with its token's ContentInfo naming `contentType`; the SignedData bytes untouched. */
function rewrapped(contentType: string): Buffer {
  const response = pkijs.TimeStampResp.fromBER(original);
  const token = response.timeStampToken!;
  const wrapped = new pkijs.ContentInfo({ contentType, content: token.content });
  const out = Buffer.from(new pkijs.TimeStampResp({ status: response.status, timeStampToken: wrapped }).toSchema().toBER());
  return out;
}

/** The DER of the [0] content of the token's ContentInfo. */
const signedDataBytes = (response: Buffer): Buffer => {
  const token = parseTimestampResponse(response).token!;
  const info = asn1js.fromBER(Uint8Array.from(token)).result as asn1js.Sequence;
  return Buffer.from((info.valueBlock.value[1] as asn1js.Constructed).valueBeforeDecodeView);
};

describe('a time-stamp token wrapped as GM/T 0010 SignedData (1.2.156.10197.6.1.4.2.2)', () => {
  it('is the very same SignedData as the original, only the content type differs', () => {
    const gm = rewrapped(OID_GM_SIGNED_DATA);
    expect(gm.equals(original)).toBe(false);
    expect(signedDataBytes(gm).equals(signedDataBytes(original))).toBe(true);
    const tokenOid = (der: Buffer): string => pkijs.TimeStampResp.fromBER(der).timeStampToken!.contentType;
    expect([tokenOid(original), tokenOid(gm)]).toEqual([OID_SIGNED_DATA, OID_GM_SIGNED_DATA]);
  });

  it('verifies exactly as the id-signedData original does', async () => {
    const options = { digest, trustedRoots: [root.pem] };
    const [plain, gm] = await Promise.all([verifyTimestampResponse(original, options), verifyTimestampResponse(rewrapped(OID_GM_SIGNED_DATA), options)]);
    expect(plain.status).toBe('verified');
    expect(gm.status).toBe('verified');
    expect(gm.algorithm).toBe('SM2 with SM3');
    expect(gm.checks).toEqual(plain.checks);
    expect(gm.genTime).toEqual(plain.genTime);
  });

  it('still fails with one byte of its SM2 signature altered', async () => {
    const gm = rewrapped(OID_GM_SIGNED_DATA);
    gm[gm.length - 5]! ^= 0x01;
    const verdict = await verifyTimestampResponse(gm, { digest, trustedRoots: [root.pem] });
    expect(verdict.status).toBe('invalid');
    expect(verdict.checks.find((c) => !c.ok)?.name).toBe('signature');
  });

  it('the CFCA SADK vector names SignedData by the same OID (what real SM2 signers write)', () => {
    const vector = readFileSync(new URL('../fixtures/sm2/cfca-sadk-signed-attached.p7', import.meta.url));
    expect(pkijs.ContentInfo.fromBER(vector).contentType).toBe(OID_GM_SIGNED_DATA);
  });
});

describe('a token under any other content type', () => {
  for (const [name, oid] of [
    ['id-data', '1.2.840.113549.1.7.1'],
    ['id-envelopedData', '1.2.840.113549.1.7.3'],
    ['GM/T 0010 data', '1.2.156.10197.6.1.4.2.1'],
    ['GM/T 0010 envelopedData', '1.2.156.10197.6.1.4.2.3'],
  ] as const) {
    it(`is refused as not SignedData: ${name} (${oid})`, async () => {
      const verdict = await verifyTimestampResponse(rewrapped(oid), { digest, trustedRoots: [root.pem] });
      expect(verdict.status).toBe('invalid');
      expect(verdict.checks).toHaveLength(1);
      expect(verdict.checks[0]!.detail).toContain(`token content type ${oid} is not SignedData`);
    });
  }
});
