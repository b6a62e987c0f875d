// The certification path of a time-stamp token's signer, built and validated here rather than by
// pkijs's CertificateChainValidationEngine: that engine takes the LAST certificate it is given as
// the end entity and builds by list order, so a trust bundle with its CA first failed ("Incorrect
// name chaining") while the same file reversed passed, and it never looked at the TSA-specific
// rules. pkijs still parses, and checks each signature with the issuer's key (SM2 signatures,
// which WebCrypto lacks, with sm2-certificate.ts).
//
// Path building: from the signer, an issuer is any certificate (the token's own, the extra ones
// given, or a trusted root) whose subject equals the child's issuer name (RFC 5280 §7.1, pkijs's
// stringprep comparison) and whose key verifies the child's signature. Every candidate is tried,
// so the order of the inputs never matters. A path ends at a trust anchor: a certificate
// byte-identical to one the user trusts, whether a self-signed root or an intermediate they chose.
//
// Path validation, for every certificate of a built path (RFC 5280 §6.1):
//   - valid at the token's genTime, not today: a TSA certificate expires while the tokens it
//     signed stay good (§6.1.3(a)(2) with genTime as the validation time);
//   - no duplicated or unprocessed critical extension (§4.2);
//   - each certificate that signs another (the anchor included) is a CA: basicConstraints
//     cA=TRUE (§6.1.4(k)), keyCertSign if keyUsage is present (§6.1.4(n)), and its
//     pathLenConstraint not exceeded by the non-self-issued intermediates below it (§6.1.4(l,m)).
//     A version 1 anchor, which cannot carry extensions, is taken as a CA as openssl does;
// and for the signer the RFC 3161 §2.3 profile (tsa-signer-profile.ts).
// Revocation (CRL/OCSP) is not checked.

import * as pkijs from 'pkijs';
import { verifySm2CertificateSignature } from './sm2-certificate.js';
import { basicConstraints, extensionProblem, keyUsage } from './tsa-cert-extensions.js';
import { tsaCrypto } from './tsa-crypto.js';
import { formatDistinguishedName } from './tsa-names.js';
import { signerProfileProblem } from './tsa-signer-profile.js';

/** Longest path tried, signer and anchor included; real TSA paths have 2 to 4. */
const MAX_PATH_LENGTH = 8;
/** Signature checks and partial paths one token may cost: a token stuffed with look-alike CAs
 *  signing each other cannot stall the verifier. */
const MAX_SIGNATURE_CHECKS = 64;
const MAX_PATHS_TRIED = 1000;

export interface TsaChainInput {
  /** The certificate whose key signed the token, DER as the token carries it. */
  readonly signer: Uint8Array;
  /** Possible intermediates, in any order: the token's certificates and any extra ones. */
  readonly candidates: readonly Uint8Array[];
  /** The trust anchors, DER; a path must end at one of these exactly. */
  readonly anchors: readonly Uint8Array[];
  /** The token's genTime: the moment every certificate of the path must have been valid. */
  readonly at: Date;
}

export type TsaChainResult =
  | { readonly ok: true; readonly signer: string; readonly path: readonly string[]; readonly detail: string }
  | { readonly ok: false; readonly signer?: string; readonly detail: string; readonly cause: TrustFailure };

interface Node {
  readonly cert: pkijs.Certificate;
  readonly der: Buffer;
  readonly subject: string;
  readonly anchor: boolean;
}

interface Search {
  readonly pool: readonly Node[];
  readonly verified: Map<string, boolean | string>;
  readonly at: Date;
  checks: number;
  steps: number;
  /** Why the first path that reached an anchor is not valid. */
  invalidPath?: string;
  /** Set when a budget ran out before a valid path was found. */
  exhausted?: boolean;
  /** Where building stopped, for the longest path that did not reach an anchor. */
  deadEnd?: { readonly length: number; readonly reason: string };
}

function parse(der: Uint8Array): Node | undefined {
  try {
    const cert = pkijs.Certificate.fromBER(der);
    return { cert, der: Buffer.from(der), subject: formatDistinguishedName(cert.subject), anchor: false };
  } catch {
    return undefined; // a certificate pkijs cannot read cannot be part of a path
  }
}

const isSelfIssued = (node: Node): boolean => node.cert.subject.isEqual(node.cert.issuer);

function role(node: Node, index: number): string {
  if (index === 0) return `the signer ${node.subject}`;
  if (!node.anchor) return `the intermediate CA ${node.subject}`;
  return isSelfIssued(node) ? `the trusted root ${node.subject}` : `the trusted intermediate ${node.subject}`;
}

/**
 * Does `issuer`'s key verify `child`'s signature? Cached. A signature that cannot be checked at
 * all (an algorithm WebCrypto lacks) is a no, with the reason as a string.
 */
async function signs(issuer: Node, child: Node, search: Search): Promise<boolean | string | 'budget'> {
  const key = `${issuer.der.toString('base64')}>${child.der.toString('base64')}`;
  const known = search.verified.get(key);
  if (known !== undefined) return known;
  if (search.checks >= MAX_SIGNATURE_CHECKS) return 'budget';
  search.checks++;
  // SM2 (GM/T 0015) certificates are checked with SM2 itself; WebCrypto has no SM2.
  const ok = verifySm2CertificateSignature(child.cert, issuer.cert) ??
    (await child.cert.verify(issuer.cert, tsaCrypto()).catch((error: unknown) => (error instanceof Error ? error.message : String(error))));
  search.verified.set(key, ok);
  return ok;
}

function validityProblem(node: Node, index: number, at: Date): string | undefined {
  const from = node.cert.notBefore.value;
  const until = node.cert.notAfter.value;
  if (at < from) return `${role(node, index)} was not yet valid at the token's time ${at.toISOString()}: its validity starts ${from.toISOString()} (RFC 5280 §6.1.3)`;
  if (at > until) return `${role(node, index)} had expired at the token's time ${at.toISOString()}: its validity ended ${until.toISOString()} (RFC 5280 §6.1.3)`;
  return undefined;
}

/** RFC 5280 §6.1.4 (k, l, m, n) for `path[index]`, which signed `path[index - 1]`. */
function issuerProblem(path: readonly Node[], index: number): string | undefined {
  const node = path[index]!;
  const issued = `${role(node, index)} issued ${path[index - 1]!.subject} but`;
  if (node.anchor && node.cert.version === 0 && !node.cert.extensions) return undefined;
  const bc = basicConstraints(node.cert);
  if (!bc) return `${issued} is not a CA: it has no basicConstraints (RFC 5280 §6.1.4(k) requires cA=TRUE)`;
  if (!bc.value) return `${issued} its basicConstraints cannot be decoded`;
  if (!bc.value.cA) return `${issued} is not a CA: its basicConstraints is cA=FALSE (RFC 5280 §6.1.4(k) requires cA=TRUE)`;
  const ku = keyUsage(node.cert);
  if (ku && !ku.value) return `${issued} its keyUsage cannot be decoded`;
  if (ku?.value && !ku.value.includes('keyCertSign')) {
    return `${issued} its keyUsage (${ku.value.join(', ') || 'empty'}) lacks keyCertSign (RFC 5280 §6.1.4(n))`;
  }
  if (bc.value.pathLen !== undefined) {
    const below = path.slice(1, index).filter((n) => !isSelfIssued(n)).length;
    if (below > bc.value.pathLen) {
      return `${role(node, index)} allows ${bc.value.pathLen} intermediate CA(s) below it (pathLenConstraint) but the path has ${below} (RFC 5280 §6.1.4(m))`;
    }
  }
  return undefined;
}

function pathProblem(path: readonly Node[], at: Date): string | undefined {
  for (const [index, node] of path.entries()) {
    const validity = validityProblem(node, index, at);
    if (validity) return validity;
    if (index === 0) continue; // the signer's extensions: signerProfileProblem
    const extensions = extensionProblem(node.cert);
    if (extensions) return `${role(node, index)} cannot be used: ${extensions}`;
    const issuer = issuerProblem(path, index);
    if (issuer) return issuer;
  }
  return undefined;
}

function noteDeadEnd(search: Search, path: readonly Node[], reason: string): void {
  if (!search.deadEnd || path.length > search.deadEnd.length) search.deadEnd = { length: path.length, reason };
}

/** Depth-first over every issuer candidate; returns the first valid path to an anchor. */
async function extend(path: readonly Node[], search: Search): Promise<readonly Node[] | undefined> {
  if (++search.steps > MAX_PATHS_TRIED) {
    search.exhausted = true;
    return undefined;
  }
  const last = path.at(-1)!;
  if (last.anchor) {
    const problem = pathProblem(path, search.at);
    if (!problem) return path;
    search.invalidPath ??= problem;
    return undefined;
  }
  if (path.length >= MAX_PATH_LENGTH) {
    noteDeadEnd(search, path, `after ${MAX_PATH_LENGTH} certificates no trusted root was reached`);
    return undefined;
  }
  const named = search.pool.filter((n) => !path.includes(n) && n.cert.subject.isEqual(last.cert.issuer));
  if (named.length === 0) {
    noteDeadEnd(
      search,
      path,
      isSelfIssued(last)
        ? `the chain ends at ${last.subject}, which is self-signed and is not one of the trusted roots`
        : `the issuer of ${last.subject}, ${formatDistinguishedName(last.cert.issuer)}, is neither in the token nor among the trusted roots`,
    );
    return undefined;
  }
  for (const issuer of named) {
    const ok = await signs(issuer, last, search);
    if (ok === 'budget') {
      search.exhausted = true;
      return undefined;
    }
    if (ok !== true) {
      const why = ok === false ? 'its key did not sign it' : `its signature on it cannot be checked (${ok})`;
      noteDeadEnd(search, path, `${issuer.subject} has the name of ${last.subject}'s issuer, but ${why}`);
      continue;
    }
    const found = await extend([...path, issuer], search);
    if (found || search.exhausted) return found;
  }
  return undefined;
}

/**
 * Validate the signer of a time-stamp token as RFC 3161 §2.3 and RFC 5280 §6.1 require, up to
 * a trust anchor. Never throws for hostile certificates: every failure is a `detail` naming the
 * certificate by its subject.
 */
/**
 * Why a token's signer is not trusted, as a value the viewer can say in the reader's language:
 * no root was given, the signer is not a time-stamping certificate (RFC 3161 §2.3), or it does
 * not chain to a trusted root (RFC 5280), its certificates unreadable included.
 */
export type TrustFailure = 'no-roots' | 'signer' | 'path';

export async function validateTsaChain(input: TsaChainInput): Promise<TsaChainResult> {
  const signer = parse(input.signer);
  if (!signer) return { ok: false, cause: 'path', detail: 'the signer certificate cannot be read as X.509' };
  const named = { signer: signer.subject };

  const profile = signerProfileProblem(signer.cert);
  const anchors = input.anchors.map(parse);
  if (anchors.length === 0) {
    const also = profile ? `; besides, ${profile}` : '';
    return { ok: false, ...named, cause: 'no-roots', detail: `no trusted TSA root was given, and with no trusted roots the signer ${signer.subject} is tied to no TSA you trust${also}` };
  }
  const unreadable = anchors.findIndex((a) => !a);
  if (unreadable >= 0) return { ok: false, ...named, cause: 'path', detail: `trusted root ${unreadable + 1} of ${anchors.length} is not a readable X.509 certificate` };
  if (profile) return { ok: false, ...named, cause: 'signer', detail: profile };

  // One node per distinct certificate; anchors win, so a root the token carries and the user
  // trusts is the same node, an anchor.
  const byDer = new Map<string, Node>();
  for (const anchor of anchors as Node[]) byDer.set(anchor.der.toString('base64'), { ...anchor, anchor: true });
  for (const der of input.candidates) {
    const key = Buffer.from(der).toString('base64');
    if (byDer.has(key)) continue;
    const node = parse(der);
    if (node) byDer.set(key, node);
  }
  const start = byDer.get(signer.der.toString('base64')) ?? signer;
  const search: Search = { pool: [...byDer.values()], verified: new Map(), at: input.at, checks: 0, steps: 0 };
  const path = await extend([start], search);
  if (path) {
    const subjects = path.map((n) => n.subject);
    return {
      ok: true,
      ...named,
      path: subjects,
      detail: `chain ${subjects.join(' → ')} reaches a trusted root, valid at ${input.at.toISOString()}; signer has critical extendedKeyUsage timeStamping only`,
    };
  }
  const stopped = search.exhausted ? `gave up after ${search.checks} signature checks and ${search.steps} partial paths` : (search.deadEnd?.reason ?? 'no issuer found');
  const reason = search.invalidPath ?? `the signer ${signer.subject} does not chain to a trusted root: ${stopped}`;
  return { ok: false, ...named, cause: 'path', detail: reason };
}
