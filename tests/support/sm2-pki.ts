// SM2 certificates (GM/T 0015 profile of X.509) for tests, built with pkijs/asn1js and signed with
// SM2-with-SM3 through sm-crypto-v2: OpenSSL 3.0 here cannot sign CMS with SM2, and its SM2
// certificate support is not what a Chinese CA uses, so the test PKI makes its own. The
// AlgorithmIdentifiers are encoded as CFCA's SADK does (tests/fixtures/sm2/README.md): the
// certificate signature SM2-with-SM3 (1.2.156.10197.1.501) without parameters, the key
// id-ecPublicKey on the sm2p256v1 curve.

import { webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sm2 } from 'sm-crypto-v2';
import { OID_SM2_CURVE, OID_SM2_WITH_SM3, SM2_DEFAULT_USER_ID } from '../../src/core/attest/sm2-signature.js';

export interface Sm2Key {
  /** Private scalar, hex. */
  readonly privateKey: string;
  /** Uncompressed point, hex ("04" + X + Y). */
  readonly publicKey: string;
}

export interface Sm2Cert {
  readonly name: string;
  readonly key: Sm2Key;
  readonly cert: pkijs.Certificate;
  readonly der: Buffer;
  readonly pem: string;
}

export const sm2Key = (): Sm2Key => sm2.generateKeyPairHex();

/** SM2 signature, DER SM2Signature, with the default user ID (GM/T 0009 §10). */
export function sm2Sign(key: Sm2Key, message: Uint8Array): Buffer {
  const hex = sm2.doSignature(Uint8Array.from(message), key.privateKey, { der: true, hash: true, publicKey: key.publicKey, userId: SM2_DEFAULT_USER_ID });
  return Buffer.from(hex, 'hex');
}

/** Which certificate: a CA, a TSA signer (RFC 3161 §2.3), or an ordinary TLS server. */
export type Sm2Profile = 'ca' | 'tsa' | 'tls-server';

export interface Sm2CertSpec {
  readonly name: string;
  readonly profile: Sm2Profile;
  /** Absent: self-signed. */
  readonly issuer?: Sm2Cert;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

const OID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const OID_KP_SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

/** C=CN, O=Proofline Test, CN=<cn>: one attribute per RDN, as CAs issue them (pkijs would put all in one). */
function name(cn: string): pkijs.RelativeDistinguishedNames {
  const rdn = (type: string, value: asn1js.AsnType): asn1js.Set =>
    new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: value as asn1js.Utf8String }).toSchema()] });
  const der = new asn1js.Sequence({
    value: [rdn('2.5.4.6', new asn1js.PrintableString({ value: 'CN' })), rdn('2.5.4.10', new asn1js.Utf8String({ value: 'Proofline Test' })), rdn('2.5.4.3', new asn1js.Utf8String({ value: cn }))],
  }).toBER();
  return new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });
}

const extension = (extnID: string, critical: boolean, value: asn1js.AsnType): pkijs.Extension =>
  new pkijs.Extension({ extnID, critical, extnValue: value.toBER() });

/** KeyUsage BIT STRING with the given bit numbers set (RFC 5280 §4.2.1.3). */
function keyUsage(bits: readonly number[]): asn1js.BitString {
  const byte = bits.reduce((b, bit) => b | (0x80 >> bit), 0);
  const unused = 7 - Math.max(...bits);
  return new asn1js.BitString({ valueHex: Uint8Array.of(byte), unusedBits: unused });
}

async function keyId(publicKey: string): Promise<asn1js.OctetString> {
  const hash = await webcrypto.subtle.digest('SHA-1', Buffer.from(publicKey, 'hex'));
  return new asn1js.OctetString({ valueHex: hash });
}

async function extensionsFor(spec: Sm2CertSpec, publicKey: string): Promise<pkijs.Extension[]> {
  const ski = extension('2.5.29.14', false, await keyId(publicKey));
  switch (spec.profile) {
    case 'ca':
      return [extension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: true }).toSchema()), extension('2.5.29.15', true, keyUsage([5, 6])), ski];
    case 'tsa':
      return [
        extension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: false }).toSchema()),
        extension('2.5.29.15', true, keyUsage([0, 1])),
        extension('2.5.29.37', true, new pkijs.ExtKeyUsage({ keyPurposes: [OID_KP_TIME_STAMPING] }).toSchema()),
        ski,
      ];
    case 'tls-server':
      return [
        extension('2.5.29.19', false, new pkijs.BasicConstraints({ cA: false }).toSchema()),
        extension('2.5.29.15', true, keyUsage([0, 2])),
        extension('2.5.29.37', false, new pkijs.ExtKeyUsage({ keyPurposes: [OID_KP_SERVER_AUTH] }).toSchema()),
        ski,
      ];
  }
}

let serial = 0x5100;

/** An SM2 certificate signed with SM2-with-SM3 by its issuer's key (or its own). */
export async function sm2Certificate(spec: Sm2CertSpec): Promise<Sm2Cert> {
  const key = sm2Key();
  const signerKey = spec.issuer?.key ?? key;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ value: ++serial });
  cert.issuer = spec.issuer ? spec.issuer.cert.subject : name(spec.name);
  cert.subject = name(spec.name);
  cert.notBefore.value = spec.notBefore ?? new Date('2000-01-01T00:00:00Z');
  cert.notAfter.value = spec.notAfter ?? new Date('2049-12-31T23:59:59Z');
  cert.subjectPublicKeyInfo = new pkijs.PublicKeyInfo({
    algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.10045.2.1', algorithmParams: new asn1js.ObjectIdentifier({ value: OID_SM2_CURVE }) }),
    subjectPublicKey: new asn1js.BitString({ valueHex: Buffer.from(key.publicKey, 'hex') }),
  });
  cert.extensions = await extensionsFor(spec, key.publicKey);
  cert.signature = new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM2_WITH_SM3 });
  cert.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM2_WITH_SM3 });
  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  cert.tbsView = tbs;
  cert.signatureValue = new asn1js.BitString({ valueHex: sm2Sign(signerKey, tbs) });
  const der = Buffer.from(cert.toSchema(false).toBER());
  const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  return { name: spec.name, key, cert: pkijs.Certificate.fromBER(der), der, pem };
}
