// SM2-over-SM3 time-stamp tokens (GM/T 0033) from our loopback SM2 TSA
// (tests/support/sm2-tsa-server.ts): verified as RSA and ECDSA tokens are, with the same named
// checks, and every forgery a device-key holder or a holder of a non-TSA SM2 certificate could
// make refused. OpenSSL 3.0 cannot verify SM2 certificates or SM2 CMS, but its SM2 pkeyutl can
// check one signature: it referees ours over the same signed attributes.

import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sm3 } from '../../src/core/attest/sm2-cms.js';
import { OID_SM2_WITH_SM3, OID_SM3 } from '../../src/core/attest/sm2-signature.js';
import { requestTimestamp } from '../../src/core/attest/tsa-client.js';
import { verifyTimestampResponse, type TimestampVerdict } from '../../src/core/attest/tsa-verify.js';
import { run } from '../support/cli.js';
import { sm2Certificate, sm2Key, type Sm2Cert } from '../support/sm2-pki.js';
import { sm2TimestampResponse, startSm2Tsa, type RunningSm2Tsa } from '../support/sm2-tsa-server.js';

const data = Buffer.from('the tag manifest');
const digest = createHash('sha256').update(data).digest();
const OID_SHA256 = '2.16.840.1.101.3.4.2.1';
const failed = (v: TimestampVerdict): string[] => v.checks.filter((c) => !c.ok).map((c) => c.name);
const detail = (v: TimestampVerdict, name: string): string => v.checks.find((c) => c.name === name)?.detail ?? '';

const imprint = (oid: string, hash: Uint8Array): pkijs.MessageImprint =>
  new pkijs.MessageImprint({ hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: oid }), hashedMessage: new asn1js.OctetString({ valueHex: Uint8Array.from(hash) }) });

let root: Sm2Cert;
let tsaCert: Sm2Cert;
let tsa: RunningSm2Tsa;

beforeAll(async () => {
  root = await sm2Certificate({ name: 'SM2 Root', profile: 'ca' });
  tsaCert = await sm2Certificate({ name: 'SM2 TSA', profile: 'tsa', issuer: root });
  tsa = await startSm2Tsa({ name: 'Loopback' });
});

afterAll(async () => {
  await tsa?.stop();
});

const token = (signer: Sm2Cert = tsaCert, extra: Partial<Parameters<typeof sm2TimestampResponse>[0]> = {}): Buffer =>
  sm2TimestampResponse({ signer, certs: [root], imprint: imprint(OID_SHA256, digest), serial: 7, genTime: new Date('2026-03-01T08:00:00Z'), ...extra });

describe('an SM2 token from a TSA whose SM2 root is trusted', () => {
  it('asked for over HTTP, verifies with every named check passing and names SM2 with SM3', async () => {
    const reply = await requestTimestamp(tsa.url, digest);
    const verdict = await verifyTimestampResponse(reply.response, { digest, nonce: reply.nonce, trustedRoots: [tsa.root.pem] });
    expect(verdict.status).toBe('verified');
    expect(verdict.checks.map((c) => [c.name, c.ok])).toEqual([['status', true], ['imprint', true], ['nonce', true], ['signature', true], ['chain', true]]);
    expect(verdict.algorithm).toBe('SM2 with SM3');
    expect(detail(verdict, 'signature')).toContain('(SM2 with SM3)');
    expect(detail(verdict, 'chain')).toContain('CN=Loopback TSA, O=Proofline Test, C=CN → CN=Loopback Root CA, O=Proofline Test, C=CN');
  });

  it('is untrusted, not invalid, with no root given', async () => {
    const verdict = await verifyTimestampResponse(token(), { digest, trustedRoots: [] });
    expect(verdict.status).toBe('untrusted');
    expect(verdict.checks.find((c) => c.name === 'chain')?.cause).toBe('no-roots');
  });

  it('also verifies when SignerInfo names the algorithm SM2-with-SM3 (1.2.156.10197.1.501)', async () => {
    const verdict = await verifyTimestampResponse(token(tsaCert, { signatureOid: OID_SM2_WITH_SM3 }), { digest, trustedRoots: [root.pem] });
    expect(verdict.status).toBe('verified');
  });

  it('also verifies when SignerInfo names its signer by subjectKeyIdentifier (RFC 5652 §5.3)', async () => {
    const verdict = await verifyTimestampResponse(token(tsaCert, { sid: 'key-id' }), { digest, trustedRoots: [root.pem] });
    expect(verdict.status).toBe('verified');
  });

  it('checks an SM3 message imprint against the SM3 digest of the data', async () => {
    const sm3Token = token(tsaCert, { imprint: imprint(OID_SM3, sm3(data)) });
    expect((await verifyTimestampResponse(sm3Token, { digest, sm3Digest: sm3(data), trustedRoots: [root.pem] })).status).toBe('verified');
    const other = await verifyTimestampResponse(sm3Token, { digest, sm3Digest: sm3(Buffer.from('other')), trustedRoots: [root.pem] });
    expect(failed(other)).toEqual(['imprint']);
    const none = await verifyTimestampResponse(sm3Token, { digest, trustedRoots: [root.pem] });
    expect(detail(none, 'imprint')).toContain('no SM3 digest of the data was given');
  });

  it('has a signature OpenSSL 3.0 (SM2 pkeyutl, default ID) verifies over the same signed attributes', async () => {
    const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(pkijsToken(token())).content });
    const info = signedData.signerInfos[0]!;
    const attrs = Buffer.from(info.signedAttrs!.encodedValue);
    attrs[0] = 0x31;
    const dir = await mkdtemp(join(tmpdir(), 'proofline-sm2-pkeyutl-'));
    try {
      const spki = Buffer.from(tsaCert.cert.subjectPublicKeyInfo.toSchema().toBER());
      await writeFile(join(dir, 'pub.pem'), `-----BEGIN PUBLIC KEY-----\n${spki.toString('base64')}\n-----END PUBLIC KEY-----\n`);
      await writeFile(join(dir, 'attrs.der'), attrs);
      await writeFile(join(dir, 'sig.der'), info.signature.valueBlock.valueHexView);
      const args = ['pkeyutl', '-verify', '-pubin', '-inkey', join(dir, 'pub.pem'), '-rawin', '-digest', 'sm3', '-pkeyopt', 'distid:1234567812345678', '-in', join(dir, 'attrs.der'), '-sigfile', join(dir, 'sig.der')];
      expect((await run('openssl', args)).stdout).toContain('Signature Verified Successfully');
      attrs[attrs.length - 1]! ^= 1;
      await writeFile(join(dir, 'attrs.der'), attrs);
      expect((await run('openssl', args)).stdout).toContain('Signature Verification Failure');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** The TimeStampToken (ContentInfo) inside a TimeStampResp. */
function pkijsToken(response: Buffer): Uint8Array {
  const seq = asn1js.fromBER(Uint8Array.from(response)).result as asn1js.Sequence;
  return Uint8Array.from(seq.valueBlock.value[1]!.valueBeforeDecodeView);
}

describe('forged SM2 tokens', () => {
  it('one altered byte in the TSTInfo (its time) fails the signature check', async () => {
    const good = token();
    const at = good.indexOf(Buffer.from('20260301080000'));
    expect(at).toBeGreaterThan(0);
    const altered = Buffer.from(good);
    altered[at + 9] = '9'.charCodeAt(0); // 08:00 becomes 09:00
    const verdict = await verifyTimestampResponse(altered, { digest, trustedRoots: [root.pem] });
    expect(verdict.status).toBe('invalid');
    expect(failed(verdict)).toContain('signature');
    expect(detail(verdict, 'signature')).toContain('messageDigest is not the SM3 digest');
  });

  it('one altered byte in the SM2 signature fails it', async () => {
    const altered = token();
    altered[altered.length - 5]! ^= 0x01;
    const verdict = await verifyTimestampResponse(altered, { digest, trustedRoots: [root.pem] });
    expect(verdict.status).toBe('invalid');
    expect(failed(verdict)).toContain('signature');
    expect(detail(verdict, 'signature')).toContain('SM2 signature does not verify');
  });

  it('a token signed with another SM2 key under the TSA certificate fails the signature check', async () => {
    const impostor = { ...tsaCert, key: sm2Key() };
    const verdict = await verifyTimestampResponse(token(impostor), { digest, trustedRoots: [root.pem] });
    expect(verdict.status).toBe('invalid');
    expect(detail(verdict, 'signature')).toContain('SM2 signature does not verify');
  });

  it('a token signed by an SM2 TLS-server certificate under the trusted root is untrusted: not a TSA', async () => {
    const server = await sm2Certificate({ name: 'www.example.cn', profile: 'tls-server', issuer: root });
    const verdict = await verifyTimestampResponse(token(server), { digest, trustedRoots: [root.pem] });
    expect(verdict.status).toBe('untrusted');
    const chain = verdict.checks.find((c) => c.name === 'chain')!;
    expect(chain.cause).toBe('signer');
    expect(chain.detail).toContain('is not a time-stamping certificate: its extendedKeyUsage is serverAuth');
  });

  it('a TSA certificate from a look-alike root with the trusted root\u2019s name does not chain', async () => {
    const lookAlike = await sm2Certificate({ name: 'SM2 Root', profile: 'ca' });
    const fakeTsa = await sm2Certificate({ name: 'SM2 TSA', profile: 'tsa', issuer: lookAlike });
    const verdict = await verifyTimestampResponse(token(fakeTsa), { digest, trustedRoots: [root.pem] });
    expect(verdict.status).toBe('untrusted');
    expect(detail(verdict, 'chain')).toContain('its key did not sign it');
  });

  it('a TSA certificate that had expired at genTime does not chain', async () => {
    const expired = await sm2Certificate({ name: 'Old SM2 TSA', profile: 'tsa', issuer: root, notAfter: new Date('2025-12-31T00:00:00Z') });
    const verdict = await verifyTimestampResponse(token(expired), { digest, trustedRoots: [root.pem] });
    expect(verdict.status).toBe('untrusted');
    expect(detail(verdict, 'chain')).toContain("had expired at the token's time");
  });

  it('a token over other data fails the imprint check only', async () => {
    const verdict = await verifyTimestampResponse(token(), { digest: createHash('sha256').update('other').digest(), trustedRoots: [root.pem] });
    expect(failed(verdict)).toEqual(['imprint']);
  });
});
