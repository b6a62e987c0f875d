// SM2 signatures made by other implementations (tests/fixtures/sm2/README.md: CFCA's SADK and
// GmSSL's test CA, as published in emmansun/gmsm) verify through the same code the token path
// uses (sm2-cms.ts verifySm2SignerInfo, sm2-certificate.ts), and one altered byte fails them.
// Our loopback SM2 TSA is held to the vector's layout: the same AlgorithmIdentifiers, byte for byte.

import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { verifySm2ContentInfo } from '../../src/core/attest/sm2-cms.js';
import { verifySm2CertificateSignature } from '../../src/core/attest/sm2-certificate.js';
import { certificatesFromPem } from '../../src/core/attest/tsa-pem.js';
import { sm2Certificate } from '../support/sm2-pki.js';
import { sm2TimestampResponse } from '../support/sm2-tsa-server.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`../fixtures/sm2/${name}`, import.meta.url));
const attached = fixture('cfca-sadk-signed-attached.p7');
const detached = fixture('cfca-sadk-signed-detached.p7');
const content = Buffer.from('Hello Secret World!');

/** A copy with the byte at `index` changed. */
function alter(bytes: Buffer, index: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[index]! ^= 0x01;
  return copy;
}

describe('CFCA SADK SM2 SignedData (GM/T 0010)', () => {
  it('verifies, attached, naming its signer', () => {
    const result = verifySm2ContentInfo(attached);
    expect(result.detail).toBe('SM2 with SM3 signature by CN=Jon Snow, O=Acme Co verifies');
    expect(result.ok).toBe(true);
  });

  it('fails with one byte of the attached content altered', () => {
    const at = attached.indexOf(content);
    expect(at).toBeGreaterThan(0);
    const result = verifySm2ContentInfo(alter(attached, at));
    expect(result.ok).toBe(false);
    expect(result.detail).toContain('SM2 signature does not verify');
  });

  it('fails with one byte of the signature altered', () => {
    expect(verifySm2ContentInfo(alter(attached, attached.length - 3)).ok).toBe(false);
  });

  it('fails with one byte of the signer\u2019s public key altered', () => {
    // A byte near the end of the 65-byte point: still read, no longer the key that signed.
    const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(attached).content });
    const point = Buffer.from((signedData.certificates![0] as pkijs.Certificate).subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView);
    const at = attached.indexOf(point);
    expect(at).toBeGreaterThan(0);
    expect(verifySm2ContentInfo(alter(attached, at + 40)).ok).toBe(false);
  });

  it('verifies detached over its content, and not over other content', () => {
    expect(verifySm2ContentInfo(detached, content).ok).toBe(true);
    expect(verifySm2ContentInfo(detached, Buffer.from('Hello Secret World?')).ok).toBe(false);
    expect(verifySm2ContentInfo(detached).detail).toContain('no signed content');
  });
});

describe('GmSSL test CA certificates (SM2-with-SM3)', () => {
  const [rootDer, middleDer] = certificatesFromPem(fixture('gmssl-cn-chain.pem').toString('latin1'));
  const root = pkijs.Certificate.fromBER(rootDer!);
  const middle = pkijs.Certificate.fromBER(middleDer!);

  it('the middle CA\u2019s signature verifies with the root\u2019s key, and the root\u2019s with its own', () => {
    expect(verifySm2CertificateSignature(middle, root)).toBe(true);
    expect(verifySm2CertificateSignature(root, root)).toBe(true);
  });

  it('does not verify with the wrong key, or with one byte of the certificate altered', () => {
    expect(verifySm2CertificateSignature(middle, middle)).toBe(false);
    const at = middleDer!.indexOf(Buffer.from('MiddleCA'));
    expect(at).toBeGreaterThan(0);
    const altered = pkijs.Certificate.fromBER(alter(middleDer!, at)); // a letter of its subject
    expect(verifySm2CertificateSignature(altered, root)).toBe(false);
  });
});

describe('our loopback SM2 TSA, against the vector\u2019s layout', () => {
  const der = (a: pkijs.AlgorithmIdentifier): string => Buffer.from(a.toSchema().toBER()).toString('hex');
  const signedDataOf = (contentInfo: Uint8Array): pkijs.SignedData => new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(contentInfo).content });

  it('uses the same digest, signature and certificate algorithm identifiers, byte for byte', async () => {
    const root = await sm2Certificate({ name: 'Layout Root', profile: 'ca' });
    const signer = await sm2Certificate({ name: 'Layout TSA', profile: 'tsa', issuer: root });
    const response = sm2TimestampResponse({
      signer,
      imprint: new pkijs.MessageImprint({
        hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '2.16.840.1.101.3.4.2.1' }),
        hashedMessage: new asn1js.OctetString({ valueHex: createHash('sha256').update('x').digest() }),
      }),
      serial: 1,
      genTime: new Date(),
    });
    const token = (asn1js.fromBER(Uint8Array.from(response)).result as asn1js.Sequence).valueBlock.value[1]!;
    const ours = signedDataOf(Uint8Array.from(token.valueBeforeDecodeView));
    const theirs = signedDataOf(attached);
    const [ourInfo, theirInfo] = [ours.signerInfos[0]!, theirs.signerInfos[0]!];
    expect(der(ourInfo.digestAlgorithm)).toBe(der(theirInfo.digestAlgorithm)); // sm3, NULL
    expect(der(ourInfo.signatureAlgorithm)).toBe(der(theirInfo.signatureAlgorithm)); // sm2-1, NULL
    expect(ours.digestAlgorithms.map(der)).toEqual(theirs.digestAlgorithms.map(der));
    expect(ourInfo.sid).toBeInstanceOf(pkijs.IssuerAndSerialNumber);
    expect(theirInfo.sid).toBeInstanceOf(pkijs.IssuerAndSerialNumber);
    const theirCert = theirs.certificates![0] as pkijs.Certificate;
    expect(der(signer.cert.signatureAlgorithm)).toBe(der(theirCert.signatureAlgorithm)); // SM2-with-SM3, no parameters
    expect(der(signer.cert.subjectPublicKeyInfo.algorithm)).toBe(der(theirCert.subjectPublicKeyInfo.algorithm)); // id-ecPublicKey, sm2p256v1
  });
});

describe('naming a token\u2019s signature algorithm', () => {
  it('names RSA, ECDSA and SM2 as a person would, from the SignerInfo OIDs', async () => {
    const { signatureAlgorithmName } = await import('../../src/core/attest/tsa-names.js');
    expect(signatureAlgorithmName('1.2.840.113549.1.1.1', '2.16.840.1.101.3.4.2.1')).toBe('RSA with SHA-256');
    expect(signatureAlgorithmName('1.2.840.113549.1.1.11', '2.16.840.1.101.3.4.2.1')).toBe('RSA with SHA-256');
    expect(signatureAlgorithmName('1.2.840.10045.4.3.3', '2.16.840.1.101.3.4.2.2')).toBe('ECDSA with SHA-384');
    expect(signatureAlgorithmName('1.2.156.10197.1.301.1', '1.2.156.10197.1.401')).toBe('SM2 with SM3');
    expect(signatureAlgorithmName('1.2.156.10197.1.501', '1.2.156.10197.1.401')).toBe('SM2 with SM3');
  });
});

describe('SM2 signature encoding', () => {
  it('refuses a valid signature re-encoded with padding (a leading zero in r), as DER requires', async () => {
    const { verifySm2 } = await import('../../src/core/attest/sm2-signature.js');
    const { sm2Key, sm2Sign } = await import('../support/sm2-pki.js');
    const key = sm2Key();
    const message = Buffer.from('signed attributes');
    const der = sm2Sign(key, message);
    expect(verifySm2(key.publicKey, message, der)).toBe(true);
    const r = der.subarray(4, 4 + der[3]!);
    const rest = der.subarray(4 + der[3]!);
    const padded = Buffer.concat([Buffer.of(0x30, der[1]! + 1, 0x02, r.length + 1, 0x00), r, rest]);
    expect(verifySm2(key.publicKey, message, padded)).toBe(false);
    expect(verifySm2(key.publicKey, message, Buffer.concat([der, Buffer.of(0)]))).toBe(false);
  });
});
