// `proofline verify capture.wacz`: a WACZ on its own, for a lawyer who has only the web archive.
// Without the evidence archive there is no chain to name the signer, so the verdict says whose key
// signed it (its SHA-256) for the reader to compare with the archive's `web.wacz-signature` check
// or the capture event's `wacz.signature.signer`.
import { basename } from 'node:path';
import type { CertificateInput } from '../attest/tsa-verify.js';
import { ArchiveError, openArchive } from './read-zip.js';
import { inspectWacz, isWaczEntryList } from './verify-wacz.js';
import type { VerifyReport } from './verify-report.js';

/** Whether `path` is a ZIP holding datapackage.json and no bagit.txt: a WACZ, not an evidence archive. */
export async function looksLikeWacz(path: string): Promise<boolean> {
  try {
    const archive = await openArchive(path);
    try {
      return isWaczEntryList(archive.entries.map((e) => e.name));
    } finally {
      archive.close();
    }
  } catch (error) {
    if (error instanceof ArchiveError) return false;
    throw error;
  }
}

export interface VerifyWaczOptions {
  readonly trustedRoots?: readonly CertificateInput[];
  readonly signal?: AbortSignal;
  /** The SHA-256 (hex, 16 digits or more) of the key that must have signed it (`--signer`). */
  readonly signer?: string;
}

/**
 * Exit 0 signed and intact; 1 altered, a bad signature, or (with `signer`) signed by another key;
 * 3 intact but unsigned or its timestamp untrusted.
 */
export async function verifyWaczFile(path: string, options: VerifyWaczOptions): Promise<VerifyReport> {
  const name = basename(path);
  let found = await inspectWacz(path, { trustedRoots: options.trustedRoots ?? [], signal: options.signal });
  const readable = { id: 'archive.readable' as const, status: 'pass' as const, detail: `a WACZ with ${found.resources} listed files`, where: [] };
  const signer = found.signer ? `key ${found.signer.keyId} (SHA-256 of its public key)${found.signer.software ? `, ${found.signer.software}` : ''}${found.signer.created ? `, at ${found.signer.created} by its own clock` : ''}` : '';
  const time = found.timestamp?.status === 'verified' ? `; timestamped ${found.timestamp.genTime} by ${found.timestamp.tsa}` : found.timestamp ? `; its timestamp is ${found.timestamp.status}: ${found.timestamp.detail}` : '; no timestamp of its own';
  const check = (status: 'pass' | 'fail' | 'warn', detail: string): VerifyReport['checks'][number] => ({ id: 'web.wacz-signature', status, detail, where: status === 'pass' ? [] : [name] });
  const expected = options.signer?.toLowerCase();
  if (expected && found.problems.length === 0 && !found.signer?.keyId.startsWith(expected)) {
    found = { ...found, problems: [found.signed ? `signed by key ${found.signer!.keyId}, not by the key ${expected} it must be signed by` : `not signed, but it must be signed by key ${expected}`] };
  }
  if (found.problems.length > 0) {
    return { archive: path, verdict: 'tampered', exitCode: 1, summary: `NOT VERIFIED: ${name} was altered or its signature is invalid: ${found.problems[0]}`, checks: [readable, check('fail', found.problems.join('; '))] };
  }
  if (!found.signed) {
    return { archive: path, verdict: 'unattested', exitCode: 3, summary: `INTACT, NOT SIGNED: every file of ${name} matches its datapackage.json, but it carries no signature (wacz-auth signedData), so nothing says who made it.`, checks: [readable, check('warn', 'no signedData in datapackage-digest.json')] };
  }
  if (found.timestamp?.status === 'untrusted') {
    return { archive: path, verdict: 'unattested', exitCode: 3, summary: `INTACT, SIGNED, TIME NOT ATTESTED: ${name} is signed by ${signer}, but its timestamp's TSA is not trusted (pass its root with --trust).`, checks: [readable, check('warn', `signed by ${signer}${time}`)] };
  }
  return {
    archive: path,
    verdict: 'verified',
    exitCode: 0,
    summary: `VERIFIED: every file of ${name} matches its datapackage.json, which is signed by ${signer}${time}. Compare that key with the evidence archive's (its web capture event names it) to know the device that signed it.`,
    checks: [readable, check('pass', `signed by ${signer}${time}`)],
  };
}
