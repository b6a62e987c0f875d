// Verifying a stored RFC 3161 TimeStampResp against the digest it should cover.
//
// A verdict is a list of named checks rather than a boolean so the verifier can say what failed
// and where. The three outcomes map onto `proofline verify` exit codes (DESIGN.md):
//   invalid   – the token does not prove this digest at this time (exit 1);
//   untrusted – cryptographically sound, but its signer does not chain to a root we trust (3);
//   verified  – all checks pass (0).

import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { tsaCrypto } from './tsa-crypto.js';
import { TsaError } from './tsa-error.js';
import { formatDistinguishedName, hexInteger, unsignedBytes } from './tsa-names.js';
import { certificatesFromPem } from './tsa-pem.js';
import { decodeTimestampResponse, OID_TSTINFO, PKI_STATUS, type DecodedTimestamp } from './tsa-response.js';

export type TimestampCheckName = 'status' | 'imprint' | 'nonce' | 'signature' | 'chain';

export interface TimestampCheck {
  readonly name: TimestampCheckName;
  readonly ok: boolean;
  readonly detail: string;
}

export interface TimestampVerdict {
  readonly status: 'verified' | 'untrusted' | 'invalid';
  readonly genTime?: Date;
  /** The TSTInfo `tsa` name, or else the signer certificate's subject. */
  readonly tsaName?: string;
  readonly serial?: string;
  readonly checks: TimestampCheck[];
}

export interface VerifyTimestampOptions {
  /** The SHA-256 digest the token must cover. */
  readonly digest: Uint8Array;
  /** The nonce sent with the request; when given, the token must echo it. */
  readonly nonce?: Buffer;
  /** PEM root certificates the TSA chain must reach. Empty: the result is at best 'untrusted'. */
  readonly trustedRoots: readonly string[];
  /** PEM intermediates the token does not carry itself. */
  readonly extraCerts?: readonly string[];
}

const OID_CONTENT_TYPE_ATTR = '1.2.840.113549.1.9.3';
const OID_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12'; // RFC 2634 §5.4, ESSCertID = SHA-1
const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47'; // RFC 5035 §3, RFC 5816
const OID_EXT_KEY_USAGE = '2.5.29.37';
const OID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const OID_ID_DATA = '1.2.840.113549.1.7.1';

interface SignatureOutcome {
  readonly check: TimestampCheck;
  readonly signer?: pkijs.Certificate;
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

function imprintCheck(decoded: DecodedTimestamp, digest: Uint8Array): TimestampCheck {
  const { imprint, imprintAlgorithm } = decoded.parsed;
  if (imprintAlgorithm !== 'sha256') {
    return { name: 'imprint', ok: false, detail: `the token covers a ${imprintAlgorithm} digest, not SHA-256` };
  }
  const ok = !!imprint && imprint.equals(Buffer.from(digest));
  return {
    name: 'imprint',
    ok,
    detail: ok
      ? `messageImprint is sha256:${imprint.toString('hex')}`
      : `messageImprint is sha256:${imprint?.toString('hex')}, expected sha256:${Buffer.from(digest).toString('hex')}: the token is for other data`,
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
      const oid = (head as asn1js.Sequence).valueBlock.value[0] as asn1js.ObjectIdentifier;
      hashName = crypto.getAlgorithmByOID(oid.valueBlock.toString(), true, 'ESSCertIDv2.hashAlgorithm').name;
      index = 1;
    }
    const expected = (first.valueBlock.value[index] as asn1js.OctetString | undefined)?.valueBlock.valueHexView;
    const actual = new Uint8Array(await crypto.digest(hashName, signerDer));
    if (!expected || !Buffer.from(expected).equals(Buffer.from(actual))) {
      return `the ESS signing-certificate ${hashName} hash does not match the signer certificate`;
    }
  }
  return undefined;
}

async function signatureCheck(token: Buffer, rawCerts: readonly Buffer[]): Promise<SignatureOutcome> {
  const crypto = tsaCrypto();
  // A private copy parsed from the token bytes, because of the next line.
  const signedData = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(token).content });
  // RFC 3161 §2.4.2: the TSA's is the only signature a token may carry.
  if (signedData.signerInfos.length !== 1) {
    return { check: { name: 'signature', ok: false, detail: `the token has ${signedData.signerInfos.length} signatures; RFC 3161 allows exactly one` } };
  }
  // pkijs's TSTInfo branch of SignedData.verify wants the time-stamped data itself, to re-hash it
  // into the imprint; we hold only the digest and check the imprint ourselves (imprintCheck).
  // Presented as opaque id-data content, pkijs still verifies what the signature covers: the
  // messageDigest attribute over the original eContent bytes, and the signature over the original
  // signedAttrs bytes. contentTypeProblem() below checks the signed content type is TSTInfo.
  signedData.encapContentInfo.eContentType = OID_ID_DATA;
  let signer: pkijs.Certificate | undefined;
  try {
    const result = await signedData.verify({ signer: 0, checkChain: false, extendedMode: true }, crypto);
    signer = result.signerCertificate ?? undefined;
    if (!result.signatureVerified) {
      return { check: { name: 'signature', ok: false, detail: 'the TSA signature does not match the signed attributes: the token was altered' }, ...(signer && { signer }) };
    }
  } catch (error) {
    const failure = error as pkijs.SignedDataVerifyError;
    signer = failure.signerCertificate ?? undefined;
    return { check: { name: 'signature', ok: false, detail: `the TSA signature does not verify: ${failure.message}` }, ...(signer && { signer }) };
  }
  if (!signer) return { check: { name: 'signature', ok: false, detail: 'the signer certificate is not in the token' } };

  const signerInfo = signedData.signerInfos[0]!;
  const signerDer = rawCerts.find((raw) => sameCert(pkijs.Certificate.fromBER(raw), signer)) ?? Buffer.from(signer.toSchema().toBER());
  const problem = contentTypeProblem(signerInfo) ?? (await essProblem(signerInfo, signerDer));
  if (problem) return { check: { name: 'signature', ok: false, detail: problem }, signer };
  return {
    check: { name: 'signature', ok: true, detail: `signed by ${formatDistinguishedName(signer.subject)}; signer certificate bound by ESS signing-certificate` },
    signer,
  };
}

/** RFC 3161 §2.3: the TSA certificate carries one critical extendedKeyUsage, id-kp-timeStamping. */
function timeStampingUsage(signer: pkijs.Certificate): string {
  const eku = signer.extensions?.find((e) => e.extnID === OID_EXT_KEY_USAGE);
  const purposes = (eku?.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes ?? [];
  if (!eku || !purposes.includes(OID_KP_TIME_STAMPING)) return 'warning: the signer certificate lacks extendedKeyUsage timeStamping (RFC 3161 §2.3)';
  if (!eku.critical || purposes.length !== 1) return 'warning: the signer extendedKeyUsage should be critical and timeStamping only (RFC 3161 §2.3)';
  return 'signer has critical extendedKeyUsage timeStamping';
}

async function chainCheck(
  signer: pkijs.Certificate | undefined,
  tokenCerts: readonly Buffer[],
  options: VerifyTimestampOptions,
  genTime: Date | undefined,
): Promise<TimestampCheck> {
  if (!signer) return { name: 'chain', ok: false, detail: 'no signer certificate to build a chain from' };
  const usage = timeStampingUsage(signer);
  const roots = options.trustedRoots.flatMap(certificatesFromPem).map((der) => pkijs.Certificate.fromBER(der));
  if (roots.length === 0) {
    return { name: 'chain', ok: false, detail: `no trusted roots configured: add the TSA's root certificate to trust this token; ${usage}` };
  }
  const others = [...tokenCerts, ...(options.extraCerts ?? []).flatMap(certificatesFromPem)]
    .map((der) => pkijs.Certificate.fromBER(der))
    .filter((c) => !sameCert(c, signer));
  // pkijs quirk: the engine takes the LAST entry of `certs` as the end-entity certificate.
  // checkDate = genTime: the chain had to be valid when the token was made, not today (a TSA
  // certificate may expire while its tokens stay good).
  const engine = new pkijs.CertificateChainValidationEngine({
    certs: [...others, signer],
    trustedCerts: roots,
    ...(genTime && { checkDate: genTime }),
  });
  try {
    const result = await engine.verify({}, tsaCrypto());
    if (!result.result) return { name: 'chain', ok: false, detail: `the signer does not chain to a trusted root: ${result.resultMessage}; ${usage}` };
    const path = (result.certificatePath ?? []).map((c) => formatDistinguishedName(c.subject));
    return { name: 'chain', ok: true, detail: `chain ${path.join(' → ')} reaches a trusted root; ${usage}` };
  } catch (error) {
    const message = (error as { resultMessage?: string }).resultMessage ?? (error as Error).message;
    return { name: 'chain', ok: false, detail: `the signer does not chain to a trusted root: ${message}; ${usage}` };
  }
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
  const header = { ...(parsed.genTime && { genTime: parsed.genTime }), ...(parsed.serial && { serial: parsed.serial }) };
  if (!checks[0]!.ok || !parsed.token) return { status: 'invalid', ...header, checks };

  checks.push(imprintCheck(decoded, options.digest), nonceCheck(decoded, options.nonce));
  // A hostile token can break parsing deep inside pkijs; that is a failed check, not a crash.
  const { check, signer } = await signatureCheck(parsed.token, parsed.certificates).catch(
    (error: unknown): SignatureOutcome => ({ check: { name: 'signature', ok: false, detail: `the signature could not be checked: ${describe(error)}` } }),
  );
  checks.push(check);
  checks.push(
    await chainCheck(signer, parsed.certificates, options, parsed.genTime).catch(
      (error: unknown): TimestampCheck => ({ name: 'chain', ok: false, detail: `the chain could not be checked: ${describe(error)}` }),
    ),
  );

  const tsaName = parsed.tsaName ?? (signer && formatDistinguishedName(signer.subject));
  const failed = checks.filter((c) => !c.ok).map((c) => c.name);
  const status = failed.some((n) => n !== 'chain') ? 'invalid' : failed.length ? 'untrusted' : 'verified';
  return { status, ...header, ...(tsaName && { tsaName }), checks };
}
