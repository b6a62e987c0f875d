// An SM2 Time-Stamp Authority on loopback, for tests: RFC 3161 over HTTP (§3.4) like
// tsa-server.ts, but its tokens are signed with SM2 over SM3 as GM/T 0033 TSAs (tsa.cn and the
// other Chinese TSAs) sign theirs. OpenSSL 3.0 cannot sign CMS with SM2 (`openssl ts -reply` and
// `openssl cms -sign` both fail), so the TSTInfo and SignedData are built with pkijs/asn1js and
// signed with sm-crypto-v2. It issues its own SM2 root and TSA certificate (critical
// timeStamping EKU) and writes the root's PEM for `--trust`.
//
// Layout, as in the independent CFCA SADK vector (tests/fixtures/sm2/README.md) and GM/T 0010:
// digestAlgorithm SM3 with NULL parameters, signatureAlgorithm sm2-1 (1.2.156.10197.1.301.1)
// with NULL parameters, the signer named by IssuerAndSerialNumber; and, as RFC 3161 §2.4.1 and
// RFC 5816 require of a token, signed attributes contentType, signingTime, messageDigest (SM3)
// and signingCertificateV2 (ESSCertIDv2 hashed with SM3).

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { sm3 } from '../../src/core/attest/sm2-cms.js';
import { OID_SM2_SIGN, OID_SM3 } from '../../src/core/attest/sm2-signature.js';
import { sm2Certificate, sm2Sign, type Sm2Cert, type Sm2Profile } from './sm2-pki.js';

const OID_TSTINFO = '1.2.840.113549.1.9.16.1.4';
const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
const POLICY = '1.3.6.1.4.1.55555.2.1';

const sm3Algorithm = (): pkijs.AlgorithmIdentifier => new pkijs.AlgorithmIdentifier({ algorithmId: OID_SM3, algorithmParams: new asn1js.Null() });

const attribute = (type: string, value: asn1js.AsnType): pkijs.Attribute => new pkijs.Attribute({ type, values: [value] });

/** SigningCertificateV2 { certs SEQUENCE OF ESSCertIDv2 { hashAlgorithm sm3, certHash } } (RFC 5035 §3). */
const signingCertificateV2 = (signer: Sm2Cert): asn1js.Sequence =>
  new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [sm3Algorithm().toSchema(), new asn1js.OctetString({ valueHex: sm3(signer.der) })] })] })] });

export interface Sm2TokenSpec {
  readonly signer: Sm2Cert;
  /** Certificates the token carries besides the signer's. */
  readonly certs?: readonly Sm2Cert[];
  readonly imprint: pkijs.MessageImprint;
  readonly nonce?: asn1js.Integer;
  readonly serial: number;
  readonly genTime: Date;
  /** SignerInfo.signatureAlgorithm: sm2-1 by default (GM/T 0010), or SM2-with-SM3 as some TSAs write. */
  readonly signatureOid?: string;
  /** How SignerInfo names the signer (RFC 5652 §5.3): by issuer and serial (default), or by key id. */
  readonly sid?: 'issuer-serial' | 'key-id';
}

/** [0] SubjectKeyIdentifier: the certificate's own subjectKeyIdentifier extension value. */
function keyIdSid(signer: Sm2Cert): asn1js.Primitive {
  const ext = signer.cert.extensions!.find((e) => e.extnID === '2.5.29.14')!;
  const keyId = (asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result as asn1js.OctetString).valueBlock.valueHexView;
  return new asn1js.Primitive({ idBlock: { tagClass: 3, tagNumber: 0 }, valueHex: keyId });
}

/** A granted TimeStampResp (RFC 3161 §2.4.2) signed with SM2 over SM3. */
export function sm2TimestampResponse(spec: Sm2TokenSpec): Buffer {
  const tstInfo = new pkijs.TSTInfo({
    version: 1,
    policy: POLICY,
    messageImprint: spec.imprint,
    serialNumber: new asn1js.Integer({ value: spec.serial }),
    genTime: spec.genTime,
    accuracy: new pkijs.Accuracy({ seconds: 1 }),
    ...(spec.nonce && { nonce: spec.nonce }),
    tsa: new pkijs.GeneralName({ type: 4, value: spec.signer.cert.subject }),
  });
  const tstDer = new Uint8Array(tstInfo.toSchema().toBER());
  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: [
      attribute('1.2.840.113549.1.9.3', new asn1js.ObjectIdentifier({ value: OID_TSTINFO })),
      attribute('1.2.840.113549.1.9.5', new asn1js.UTCTime({ valueDate: spec.genTime })),
      attribute('1.2.840.113549.1.9.4', new asn1js.OctetString({ valueHex: sm3(tstDer) })),
      attribute('1.2.840.113549.1.9.16.2.47', signingCertificateV2(spec.signer)),
    ],
  });
  // RFC 5652 §5.4: the signature covers the attributes encoded as a SET OF, not as [0].
  const toSign = new Uint8Array(signedAttrs.toSchema().toBER());
  toSign[0] = 0x31;
  const signerInfo = new pkijs.SignerInfo({
    version: spec.sid === 'key-id' ? 3 : 1,
    sid: spec.sid === 'key-id' ? keyIdSid(spec.signer) : new pkijs.IssuerAndSerialNumber({ issuer: spec.signer.cert.issuer, serialNumber: spec.signer.cert.serialNumber }),
    digestAlgorithm: sm3Algorithm(),
    signedAttrs,
    signatureAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: spec.signatureOid ?? OID_SM2_SIGN, algorithmParams: new asn1js.Null() }),
    signature: new asn1js.OctetString({ valueHex: sm2Sign(spec.signer.key, toSign) }),
  });
  const signedData = new pkijs.SignedData({
    version: 3,
    digestAlgorithms: [sm3Algorithm()],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID_TSTINFO, eContent: new asn1js.OctetString({ valueHex: tstDer }) }),
    certificates: [spec.signer.cert, ...(spec.certs ?? []).map((c) => c.cert)],
    signerInfos: [signerInfo],
  });
  const token = new pkijs.ContentInfo({ contentType: OID_SIGNED_DATA, content: signedData.toSchema(true) });
  const response = new pkijs.TimeStampResp({ status: new pkijs.PKIStatusInfo({ status: 0 }), timeStampToken: token });
  return Buffer.from(response.toSchema().toBER());
}

export interface StartSm2TsaOptions {
  readonly dir?: string;
  readonly name?: string;
  /** The signer's certificate profile: a real TSA's (default), or a TLS server's an attacker holds. */
  readonly signerProfile?: Sm2Profile;
  readonly signatureOid?: string;
  /**
   * 'sm3': time-stamp only SM3 imprints, refusing others with badAlg (RFC 3161 §2.4.2), as a
   * GM/T 0033 TSA may; default: any imprint, echoed as sent.
   */
  readonly imprints?: 'any' | 'sm3';
}

/** A refusal: status rejection, failInfo badAlg (bit 0), and why in words (RFC 3161 §2.4.2). */
function badAlgResponse(text: string): Buffer {
  const status = new pkijs.PKIStatusInfo({ status: 2, statusStrings: [new asn1js.Utf8String({ value: text })], failInfo: new asn1js.BitString({ valueHex: new Uint8Array([0x80]), unusedBits: 7 }) });
  return Buffer.from(new pkijs.TimeStampResp({ status }).toSchema().toBER());
}

export interface RunningSm2Tsa {
  readonly url: string;
  readonly dir: string;
  readonly root: Sm2Cert;
  readonly signer: Sm2Cert;
  /** The root's PEM file, for `--trust`. */
  readonly caPath: string;
  readonly requests: number;
  stop(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

let instances = 0;

export async function startSm2Tsa(options: StartSm2TsaOptions = {}): Promise<RunningSm2Tsa> {
  const label = options.name ?? `SM2 Test ${++instances}`;
  const dir = await mkdtemp(join(options.dir ?? tmpdir(), 'proofline-sm2-tsa-'));
  const root = await sm2Certificate({ name: `${label} Root CA`, profile: 'ca' });
  const signer = await sm2Certificate({ name: `${label} TSA`, profile: options.signerProfile ?? 'tsa', issuer: root });
  const caPath = join(dir, 'sm2-root.pem');
  await writeFile(caPath, root.pem);
  let serial = 0;
  let requests = 0;

  function handle(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    if (req.method !== 'POST' || req.headers['content-type'] !== 'application/timestamp-query') {
      res.writeHead(415, { 'content-type': 'text/plain' }).end('POST application/timestamp-query');
      return;
    }
    const query = pkijs.TimeStampReq.fromBER(body);
    if (options.imprints === 'sm3' && query.messageImprint.hashAlgorithm.algorithmId !== OID_SM3) {
      requests++;
      res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(badAlgResponse('only SM3 message imprints are accepted'));
      return;
    }
    const reply = sm2TimestampResponse({
      signer,
      certs: [root],
      imprint: query.messageImprint,
      ...(query.nonce && { nonce: query.nonce }),
      serial: ++serial,
      genTime: new Date(),
      ...(options.signatureOid && { signatureOid: options.signatureOid }),
    });
    requests++;
    res.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply);
  }

  const server = createServer((req, res) => {
    readBody(req)
      .then((body) => handle(req, res, body))
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/tsa`,
    dir,
    root,
    signer,
    caPath,
    get requests() {
      return requests;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
