// Verifying a stored RFC 3161 TimeStampResp against the digest it should cover.
//
// A verdict is a list of named checks rather than a boolean so the verifier can say what failed
// and where. The three outcomes map onto `proofline verify` exit codes (DESIGN.md):
//   invalid   – the token does not prove this digest at this time (exit 1);
//   untrusted – cryptographically sound, but its signer is not a time-stamping certificate that
//               chains to a root we trust (3): RFC 3161 §2.3, RFC 5280 §6.1, see tsa-chain.ts;
//   verified  – all checks pass (0).

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { tsaCrypto } from './tsa-crypto.js';
import { TsaError } from './tsa-error.js';
import { formatDistinguishedName, hexInteger, signatureAlgorithmName, unsignedBytes } from './tsa-names.js';
import { isSm2Signer, sm3, verifySm2SignerInfo } from './sm2-cms.js';
import { OID_SM3 } from './sm2-signature.js';
import { validateTsaChain, type TrustFailure } from './tsa-chain.js';
import { certificatesFromPem } from './tsa-pem.js';
import { decodeTimestampResponse, OID_TSTINFO, PKI_STATUS, type DecodedTimestamp } from './tsa-response.js';

export type TimestampCheckName = 'status' | 'imprint' | 'nonce' | 'signature' | 'chain';

export interface TimestampCheck {
  readonly name: TimestampCheckName;
  readonly ok: boolean;
  readonly detail: string;
  /** For a failed 'chain' check: why the signer is not trusted. */
  readonly cause?: TrustFailure;
}

export interface TimestampVerdict {
  readonly status: 'verified' | 'untrusted' | 'invalid';
  readonly genTime?: Date;
  /** The accuracy the TSA states for genTime, in milliseconds (absent: none stated). */
  readonly accuracyMs?: number;
  /** The TSTInfo `tsa` name, or else the signer certificate's subject. */
  readonly tsaName?: string;
  readonly serial?: string;
  /** The TSA policy OID the token was issued under (TSTInfo `policy`, RFC 3161 §2.4.2). */
  readonly policy?: string;
  /** The subject of the certificate whose key signed the token. */
  readonly signer?: string;
  /** How the token is signed, as a person names it: "RSA with SHA-256", "SM2 with SM3". */
  readonly algorithm?: string;
  readonly checks: TimestampCheck[];
}

export interface VerifyTimestampOptions {
  /** The SHA-256 digest the token must cover. */
  readonly digest: Uint8Array;
  /**
   * The SM3 digest of the same data. A TSA following GM/T 0033 may time-stamp an SM3 imprint;
   * such a token is checked against this, and without it its imprint cannot be compared.
   */
  readonly sm3Digest?: Uint8Array;
  /** The nonce sent with the request; when given, the token must echo it. */
  readonly nonce?: Buffer;
  /**
   * The TSA roots the chain must reach: PEM texts (each may hold several certificates) or DER
   * certificates, in any order (readTrustedRoots reads them from files). Empty: the result is at
   * best 'untrusted'.
   */
  readonly trustedRoots: readonly CertificateInput[];
  /** Intermediates the token does not carry itself, PEM or DER. */
  readonly extraCerts?: readonly CertificateInput[];
}

/** A PEM text (one or more certificates) or one DER certificate. */
export type CertificateInput = string | Uint8Array;

const OID_CONTENT_TYPE_ATTR = '1.2.840.113549.1.9.3';
const OID_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12'; // RFC 2634 §5.4, ESSCertID = SHA-1
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47'; // RFC 5035 §3, RFC 5816
const OID_ID_DATA = '1.2.840.113549.1.7.1';

interface SignatureOutcome {
  readonly check: TimestampCheck;
  readonly signer?: pkijs.Certificate;
  /** The signer's DER as the token carries it: trust anchors are matched byte for byte. */
  readonly signerDer?: Buffer;
  readonly algorithm?: string;
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const sameCert = (a: pkijs.Certificate, b: pkijs.Certificate): boolean =>
  Buffer.from(a.tbsView).equals(Buffer.from(b.tbsView));

function statusCheck(decoded: DecodedTimestamp): TimestampCheck {
  const { status, statusText } = decoded.parsed;
  const name = PKI_STATUS[status] ?? `unknown status ${status}`;
  const ok = (status === 0 || status === 1) && !!decoded.signedData;
  return { name: 'status', ok, detail: `PKIStatus ${name}${statusText ? ` (${statusText})` : ''}` };
}

function imprintCheck(decoded: DecodedTimestamp, options: VerifyTimestampOptions): TimestampCheck {
  const { imprint, imprintAlgorithm } = decoded.parsed;
  const digest = imprintAlgorithm === 'sm3' ? options.sm3Digest : options.digest;
  if (imprintAlgorithm !== 'sha256' && imprintAlgorithm !== 'sm3') {
    return { name: 'imprint', ok: false, detail: `the token covers a ${imprintAlgorithm} digest, not SHA-256 or SM3` };
  }
  if (!digest) return { name: 'imprint', ok: false, detail: 'the token covers an SM3 digest, and no SM3 digest of the data was given to compare it with' };
  const ok = !!imprint && imprint.equals(Buffer.from(digest));
  const name = imprintAlgorithm;
  return {
    name: 'imprint',
    ok,
    detail: ok
      ? `messageImprint is ${name}:${imprint.toString('hex')}`
      : `messageImprint is ${name}:${imprint?.toString('hex')}, expected ${name}:${Buffer.from(digest).toString('hex')}: the token is for other data`,
  };
}

function nonceCheck(decoded: DecodedTimestamp, nonce: Buffer | undefined): TimestampCheck {
  const actual = decoded.parsed.nonce;
  if (!nonce) {
    return { name: 'nonce', ok: true, detail: actual ? `not compared (token nonce ${hexInteger(actual)})` : 'not compared (no nonce given)' };
  }
  const ok = !!actual && actual.equals(unsignedBytes(nonce));
  return {
    name: 'nonce',
    ok,
    detail: ok
      ? `nonce ${hexInteger(nonce)} echoed`
      : `nonce ${actual ? hexInteger(actual) : 'missing'}, expected ${hexInteger(nonce)}: the reply answers another request (RFC 3161 §2.4.2)`,
  };
}

/** RFC 5652 §11.1: the signed content-type attribute must name the eContentType, id-ct-TSTInfo. */
function contentTypeProblem(signerInfo: pkijs.SignerInfo): string | undefined {
  const attr = signerInfo.signedAttrs?.attributes.find((a) => a.type === OID_CONTENT_TYPE_ATTR);
  const value = (attr?.values[0] as asn1js.ObjectIdentifier | undefined)?.valueBlock.toString();
  return value === OID_TSTINFO ? undefined : `the signed content-type attribute is ${value ?? 'missing'}, not id-ct-TSTInfo`;
}

/**
 * RFC 3161 §2.4.1 (and RFC 5816 for v2): the signed attributes MUST bind the signer certificate
 * by hash (ESS signing-certificate), so a different certificate with the same key and name cannot
 * be substituted. The first ESSCertID names the signer (RFC 2634 §5.4.1).
 */
async function essProblem(signerInfo: pkijs.SignerInfo, signerDer: Uint8Array): Promise<string | undefined> {
  const crypto = tsaCrypto();
  const attrs = signerInfo.signedAttrs?.attributes ?? [];
  const found = attrs.filter((a) => a.type === OID_SIGNING_CERTIFICATE || a.type === OID_SIGNING_CERTIFICATE_V2);
  if (found.length === 0) return 'no ESS signing-certificate attribute binds the signer certificate (RFC 3161 §2.4.1)';
  for (const attr of found) {
    const v2 = attr.type === OID_SIGNING_CERTIFICATE_V2;
    const certs = (attr.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence | undefined;
    const first = certs?.valueBlock.value[0] as asn1js.Sequence | undefined;
    if (!first) return 'the ESS signing-certificate attribute lists no certificate';
    let hashName = v2 ? 'SHA-256' : 'SHA-1'; // ESSCertIDv2 hashAlgorithm DEFAULT id-sha256
    let index = 0;
    const head = first.valueBlock.value[0];
    if (v2 && head?.idBlock.tagNumber === 16) {
      const oid = ((head as asn1js.Sequence).valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString();
      // GM/T 0033 tokens bind their SM2 certificate with SM3, which WebCrypto lacks.
      hashName = oid === OID_SM3 ? 'SM3' : crypto.getAlgorithmByOID(oid, true, 'ESSCertIDv2.hashAlgorithm').name;
      index = 1;
    }
    const expected = (first.valueBlock.value[index] as asn1js.OctetString | undefined)?.valueBlock.valueHexView;
    const actual = hashName === 'SM3' ? sm3(signerDer) : new Uint8Array(await crypto.digest(hashName, signerDer));
    if (!expected || !Buffer.from(expected).equals(Buffer.from(actual))) {
      return `the ESS signing-certificate ${hashName} hash does not match the signer certificate`;
    }
  }
  return undefined;
}

interface SignerOutcome {
  /** Why the signature does not verify; undefined when it does. */
  readonly problem?: string;
  readonly signer?: pkijs.Certificate;
}

/** RSA and ECDSA tokens, through pkijs and Node's WebCrypto. */
async function webCryptoSignature(signedData: pkijs.SignedData): Promise<SignerOutcome> {
  // pkijs's TSTInfo branch of SignedData.verify wants the time-stamped data itself, to re-hash it
  // into the imprint; we hold only the digest and check the imprint ourselves (imprintCheck).
  // Presented as opaque id-data content, pkijs still verifies what the signature covers: the
  // messageDigest attribute over the original eContent bytes, and the signature over the original
  // signedAttrs bytes. contentTypeProblem() below checks the signed content type is TSTInfo.
  signedData.encapContentInfo.eContentType = OID_ID_DATA;
  try {
    const result = await signedData.verify({ signer: 0, checkChain: false, extendedMode: true }, tsaCrypto());
    const signer = result.signerCertificate ?? undefined;
    if (!result.signatureVerified) return { problem: 'the TSA signature does not match the signed attributes: the token was altered', ...(signer && { signer }) };
    return { ...(signer && { signer }) };
  } catch (error) {
    const failure = error as pkijs.SignedDataVerifyError;
    const signer = failure.signerCertificate ?? undefined;
    return { problem: `the TSA signature does not verify: ${failure.message}`, ...(signer && { signer }) };
  }
}

/**
 * SM2-over-SM3 tokens (GM/T 0033), which WebCrypto cannot verify: sm2-cms.ts checks the same two
 * things pkijs would, the messageDigest over the eContent and the signature over the signedAttrs.
 */
function sm2Signature(signedData: pkijs.SignedData): SignerOutcome {
  const eContent = signedData.encapContentInfo.eContent;
  const result = verifySm2SignerInfo(signedData, eContent && new Uint8Array(eContent.getValue()));
  return { ...(!result.ok && { problem: `the TSA signature does not verify: ${result.detail}` }), ...(result.signer && { signer: result.signer }) };
}

async function signatureCheck(token: Buffer, rawCerts: readonly Buffer[]): Promise<SignatureOutcome> {
  // A private copy parsed from the token bytes: webCryptoSignature changes its content type.
  const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(token).content });
  // RFC 3161 §2.4.2: the TSA's is the only signature a token may carry.
  if (signedData.signerInfos.length !== 1) {
    return { check: { name: 'signature', ok: false, detail: `the token has ${signedData.signerInfos.length} signatures; RFC 3161 allows exactly one` } };
  }
  const signerInfo = signedData.signerInfos[0]!;
  const algorithm = signatureAlgorithmName(signerInfo.signatureAlgorithm.algorithmId, signerInfo.digestAlgorithm.algorithmId);
  const { problem: invalid, signer } = isSm2Signer(signedData, signerInfo) ? sm2Signature(signedData) : await webCryptoSignature(signedData);
  if (invalid) return { check: { name: 'signature', ok: false, detail: invalid }, ...(signer && { signer }), algorithm };
  if (!signer) return { check: { name: 'signature', ok: false, detail: 'the signer certificate is not in the token' }, algorithm };

  const signerDer = rawCerts.find((raw) => sameCert(pkijs.Certificate.fromBER(raw), signer)) ?? Buffer.from(signer.toSchema().toBER());
  const problem = contentTypeProblem(signerInfo) ?? (await essProblem(signerInfo, signerDer));
  if (problem) return { check: { name: 'signature', ok: false, detail: problem }, signer, algorithm };
  return {
    check: { name: 'signature', ok: true, detail: `signed by ${formatDistinguishedName(signer.subject)} (${algorithm}); signer certificate bound by ESS signing-certificate` },
    signer,
    signerDer,
    algorithm,
  };
}

const derCertificates = (inputs: readonly CertificateInput[]): Buffer[] =>
  inputs.flatMap((input) => (typeof input === 'string' ? certificatesFromPem(input) : [Buffer.from(input)]));

/** RFC 3161 §2.3 and RFC 5280 §6.1 for the signer, at genTime (tsa-chain.ts). */
async function chainCheck(
  signerDer: Buffer | undefined,
  tokenCerts: readonly Buffer[],
  options: VerifyTimestampOptions,
  genTime: Date | undefined,
): Promise<TimestampCheck> {
  if (!signerDer) return { name: 'chain', ok: false, cause: 'path', detail: 'no signer certificate to build a chain from' };
  if (!genTime) return { name: 'chain', ok: false, cause: 'path', detail: 'the token has no genTime to validate its certificates at' };
  const anchors = derCertificates(options.trustedRoots);
  // Given roots that hold no certificate are not "no roots": say which it is.
  if (options.trustedRoots.length > 0 && anchors.length === 0) {
    return { name: 'chain', ok: false, cause: 'no-roots', detail: 'the trusted roots given hold no certificate (PEM or DER)' };
  }
  const result = await validateTsaChain({
    signer: signerDer,
    candidates: [...tokenCerts, ...derCertificates(options.extraCerts ?? [])],
    anchors,
    at: genTime,
  });
  return { name: 'chain', ok: result.ok, detail: result.detail, ...(!result.ok && { cause: result.cause }) };
}

/**
 * Check a TimeStampResp: status, imprint, nonce, signature, chain. Never throws for a bad token;
 * unreadable bytes come back as 'invalid' with the reason in the 'status' check.
 */
export async function verifyTimestampResponse(der: Buffer, options: VerifyTimestampOptions): Promise<TimestampVerdict> {
  let decoded: DecodedTimestamp;
  try {
    decoded = decodeTimestampResponse(der);
  } catch (error) {
    if (!(error instanceof TsaError)) throw error;
    return { status: 'invalid', checks: [{ name: 'status', ok: false, detail: error.message }] };
  }
  const { parsed } = decoded;
  const checks: TimestampCheck[] = [statusCheck(decoded)];
  const header = { ...(parsed.genTime && { genTime: parsed.genTime }), ...(parsed.serial && { serial: parsed.serial }), ...(parsed.accuracyMs !== undefined && { accuracyMs: parsed.accuracyMs }) };
  if (!checks[0]!.ok || !parsed.token) return { status: 'invalid', ...header, checks };

  checks.push(imprintCheck(decoded, options), nonceCheck(decoded, options.nonce));
  // A hostile token can break parsing deep inside pkijs; that is a failed check, not a crash.
  const { check, signer, signerDer, algorithm } = await signatureCheck(parsed.token, parsed.certificates).catch(
    (error: unknown): SignatureOutcome => ({ check: { name: 'signature', ok: false, detail: `the signature could not be checked: ${describe(error)}` } }),
  );
  checks.push(check);
  checks.push(
    await chainCheck(signerDer, parsed.certificates, options, parsed.genTime).catch(
      (error: unknown): TimestampCheck => ({ name: 'chain', ok: false, cause: 'path', detail: `the chain could not be checked: ${describe(error)}` }),
    ),
  );

  const signerName = signer && formatDistinguishedName(signer.subject);
  const tsaName = parsed.tsaName ?? signerName;
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  const status = failed.some((n) => n !== 'chain') ? 'invalid' : failed.length ? 'untrusted' : 'verified';
  return {
    status,
    ...header,
    ...(parsed.policy && { policy: parsed.policy }),
    ...(tsaName && { tsaName }),
    ...(signerName && { signer: signerName }),
    ...(algorithm && { algorithm }),
    checks,
  };
}
