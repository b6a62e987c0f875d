// One WACZ judged on its own, as wacz-auth 0.1.0 §Verification lays it out
// (specs.webrecorder.net/wacz-auth/0.1.0/): 1) every resource datapackage.json lists has its
// stated hash and size; 2) the digest's `hash` is the SHA-256 of datapackage.json; 3) the
// anonymous `signature` over that hash verifies with `publicKey`. Then Proofline's addition: the
// RFC 3161 token over the signature that datapackage-digest.json may carry beside signedData.
import { createHash } from 'node:crypto';
import { verifyTimestampResponse, type CertificateInput } from '../attest/tsa-verify.js';
import { publicKeyId, signatureImprint, signedDataProblem } from '../attest/wacz-signature.js';
import { ArchiveError, hashEntry, openArchive, type ZipArchive } from './read-zip.js';

export interface WaczTimestampFinding {
  readonly status: 'verified' | 'untrusted' | 'invalid';
  readonly genTime?: string;
  readonly tsa?: string;
  readonly detail: string;
}

export interface WaczFindings {
  /** What is altered or broken, each naming the entry; empty: intact. */
  readonly problems: readonly string[];
  /** Whether datapackage-digest.json carries signedData at all. */
  readonly signed: boolean;
  /** The signer's public key (base64 DER SPKI) and its SHA-256, when signed. */
  readonly signer?: { readonly publicKey: string; readonly keyId: string; readonly created?: string; readonly software?: string };
  readonly timestamp?: WaczTimestampFinding;
  readonly resources: number;
}

const JSON_MAX = 16 << 20;
const DATAPACKAGE = 'datapackage.json';
const DIGEST = 'datapackage-digest.json';

export const isWaczEntryList = (names: Iterable<string>): boolean => {
  const set = new Set(names);
  return set.has(DATAPACKAGE) && !set.has('bagit.txt');
};

export interface InspectOptions {
  readonly trustedRoots: readonly CertificateInput[];
  readonly signal?: AbortSignal;
}

export async function inspectWacz(path: string, options: InspectOptions): Promise<WaczFindings> {
  let archive;
  try {
    archive = await openArchive(path);
  } catch (error) {
    if (!(error instanceof ArchiveError)) throw error;
    return { problems: [`not a readable ZIP: ${error.message}`], signed: false, resources: 0 };
  }
  try {
    return await inspectOpenWacz(archive, options);
  } finally {
    archive.close();
  }
}

/** A WACZ already open: a file, or one stored in an evidence archive read in place (openStoredArchive). */
export async function inspectOpenWacz(archive: ZipArchive, options: InspectOptions): Promise<WaczFindings> {
  const problems: string[] = [];
  const names = new Set(archive.entries.filter((e) => !e.isDirectory).map((e) => e.name));
  if (!names.has(DATAPACKAGE)) return { problems: [`${DATAPACKAGE} is missing`], signed: false, resources: 0 };
  const read = async (name: string): Promise<Buffer | string> => archive.readBytes(name, JSON_MAX).catch((error: unknown) => {
    if (error instanceof ArchiveError) return `${name} is damaged: ${error.message}`;
    throw error;
  });
  const packageBytes = await read(DATAPACKAGE);
  if (typeof packageBytes === 'string') return { problems: [packageBytes], signed: false, resources: 0 };
  const actualHash = `sha256:${createHash('sha256').update(packageBytes).digest('hex')}`;
  const datapackage = parseObject(packageBytes);
  const resources = Array.isArray(datapackage?.['resources']) ? (datapackage['resources'] as unknown[]) : undefined;
  if (!resources) problems.push(`${DATAPACKAGE} is not a data package with a resources list`);

  // 1) every listed resource, streamed through SHA-256 (the WARC can be large).
  const listed = new Set<string>([DATAPACKAGE, DIGEST]);
  for (const resource of resources ?? []) {
    const r = resource as { path?: unknown; hash?: unknown; bytes?: unknown };
    if (typeof r.path !== 'string') {
      problems.push(`${DATAPACKAGE} lists a resource without a path`);
      continue;
    }
    listed.add(r.path);
    if (!names.has(r.path)) {
      problems.push(`${r.path} is listed in ${DATAPACKAGE} but missing`);
      continue;
    }
    try {
      const { size, digests } = await hashEntry(archive, r.path, ['sha256'], options.signal);
      if (`sha256:${digests.sha256}` !== r.hash) problems.push(`${r.path}: SHA-256 is sha256:${digests.sha256}, ${DATAPACKAGE} says ${String(r.hash)}`);
      else if (size !== r.bytes) problems.push(`${r.path}: ${size} bytes, ${DATAPACKAGE} says ${String(r.bytes)}`);
    } catch (error) {
      if (!(error instanceof ArchiveError)) throw error;
      problems.push(`${r.path} is damaged: ${error.message}`);
    }
  }
  for (const name of names) if (!listed.has(name)) problems.push(`${name} is in the WACZ but not listed in ${DATAPACKAGE}`);

  // 2) the digest file's hash of datapackage.json.
  if (!names.has(DIGEST)) {
    problems.push(`${DIGEST} is missing`);
    return { problems, signed: false, resources: resources?.length ?? 0 };
  }
  const digestBytes = await read(DIGEST);
  const digest = typeof digestBytes === 'string' ? undefined : parseObject(digestBytes);
  if (typeof digestBytes === 'string') problems.push(digestBytes);
  else if (!digest) problems.push(`${DIGEST} is not JSON`);
  else if (digest['path'] !== DATAPACKAGE || digest['hash'] !== actualHash) {
    problems.push(`${DIGEST} says ${DATAPACKAGE} has hash ${String(digest['hash'])}, it has ${actualHash}`);
  }
  const signedData = digest?.['signedData'] as Record<string, unknown> | undefined;
  if (!signedData) return { problems, signed: false, resources: resources?.length ?? 0 };

  // 3) the anonymous signature over the hash, and that it signs *this* datapackage.json.
  if (signedData['hash'] !== actualHash) problems.push(`${DIGEST}: signedData.hash ${String(signedData['hash'])} is not the hash of ${DATAPACKAGE} (${actualHash})`);
  const signatureProblem = signedDataProblem(signedData);
  if (signatureProblem) problems.push(`${DIGEST}: ${signatureProblem}`);
  const publicKey = typeof signedData['publicKey'] === 'string' ? signedData['publicKey'] : '';
  const signer = {
    publicKey,
    keyId: publicKey ? publicKeyId(publicKey) : '',
    ...(typeof signedData['created'] === 'string' && { created: signedData['created'] }),
    ...(typeof signedData['software'] === 'string' && { software: signedData['software'] }),
  };
  const timestamp = await judgeTimestamp(digest?.['signatureTimestamp'], signedData, options.trustedRoots);
  if (timestamp?.status === 'invalid') problems.push(`${DIGEST}: the signature's timestamp is invalid: ${timestamp.detail}`);
  return { problems, signed: true, signer, ...(timestamp && { timestamp }), resources: resources?.length ?? 0 };
}

async function judgeTimestamp(value: unknown, signedData: Record<string, unknown>, trustedRoots: readonly CertificateInput[]): Promise<WaczTimestampFinding | undefined> {
  if (value === undefined) return undefined;
  const stamp = value as { tsa?: unknown; response?: unknown };
  if (typeof stamp.response !== 'string' || typeof signedData['signature'] !== 'string') {
    return { status: 'invalid', detail: 'signatureTimestamp has no response' };
  }
  const verdict = await verifyTimestampResponse(Buffer.from(stamp.response, 'base64'), { digest: signatureImprint(signedData['signature']), trustedRoots });
  const failed = verdict.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  return {
    status: verdict.status,
    ...(verdict.genTime && { genTime: verdict.genTime.toISOString() }),
    ...((verdict.tsaName ?? stamp.tsa) !== undefined && { tsa: String(verdict.tsaName ?? stamp.tsa) }),
    detail: failed.length > 0 ? failed.join('; ') : `signed by ${verdict.signer ?? 'the TSA'}`,
  };
}

function parseObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(bytes.toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
