// A detached CMS signature for a PDF, PAdES baseline (ETSI EN 319 142-1): B-B, and B-T when a
// TSA answers. Built with pkijs; @signpdf/signpdf gives it the bytes the ByteRange covers.
import * as asn1js from 'asn1js';
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import { Signer } from '@signpdf/utils';
import { tsaCrypto } from '../attest/tsa-crypto.js';
import type { ReportSigningKey } from '../attest/report-signing-key.js';

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  /** RFC 5035 id-aa-signingCertificateV2: PAdES requires it (EN 319 142-1 §5.2.2.2). */
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  /** RFC 3161 Appendix A id-aa-signatureTimeStampToken: the unsigned attribute of B-T. */
  signatureTimeStampToken: '1.2.840.113549.1.9.16.2.14',
} as const;

/** Asks a TSA for a token over a SHA-256 digest; the DER TimeStampToken (a ContentInfo), or null. */
export type SignatureTimestamper = (digest: Buffer) => Promise<Buffer | null>;

/** What the signer did, for the report's record of itself. */
export interface SignatureFacts {
  timestamped: boolean;
}

export class PadesSigner extends Signer {
  readonly facts: SignatureFacts = { timestamped: false };

  constructor(
    private readonly key: ReportSigningKey,
    private readonly timestamper?: SignatureTimestamper,
  ) {
    super();
  }

  override async sign(content: Buffer): Promise<Buffer> {
    const crypto = tsaCrypto();
    const certificate = pkijs.Certificate.fromBER(this.key.certificateDer);
    const deviceCertificate = pkijs.Certificate.fromBER(this.key.deviceCertificateDer);
    const digest = createHash('sha256').update(content).digest();
    const certificateHash = createHash('sha256').update(this.key.certificateDer).digest();
    // SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2 } with ESSCertIDv2 ::=
    // SEQUENCE { certHash OCTET STRING } (hashAlgorithm's default is SHA-256; RFC 5035 §3).
    const signingCertificateV2 = new asn1js.Sequence({
      value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: certificateHash })] })] })],
    });
    const signedData = new pkijs.SignedData({
      version: 1,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
      signerInfos: [
        new pkijs.SignerInfo({
          version: 1,
          sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
          signedAttrs: new pkijs.SignedAndUnsignedAttributes({
            type: 0,
            attributes: [
              new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.data })] }),
              new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: digest })] }),
              new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2] }),
            ],
          }),
        }),
      ],
      certificates: [certificate, deviceCertificate],
    });
    const privateKey = await globalThis.crypto.subtle.importKey('pkcs8', this.key.privateKeyPkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    await signedData.sign(privateKey, 0, 'SHA-256', undefined, crypto);

    const signerInfo = signedData.signerInfos[0]!;
    const signatureValue = Buffer.from(signerInfo.signature.valueBlock.valueHexView);
    const token = this.timestamper ? await this.timestamper(createHash('sha256').update(signatureValue).digest()) : null;
    if (token) {
      const parsed = asn1js.fromBER(new Uint8Array(token));
      if (parsed.offset !== -1) {
        signerInfo.unsignedAttrs = new pkijs.SignedAndUnsignedAttributes({
          type: 1,
          attributes: [new pkijs.Attribute({ type: OID.signatureTimeStampToken, values: [parsed.result] })],
        });
        this.facts.timestamped = true;
      }
    }
    const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
    return Buffer.from(contentInfo.toSchema().toBER(false));
  }
}
