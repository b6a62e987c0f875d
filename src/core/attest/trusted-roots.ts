// Reading the TSA roots a person trusts (`proofline verify --trust`, Settings' trusted root files)
// into DER certificates, the way `openssl ts -verify -CAfile` reads them: a PEM file may hold one
// certificate or a bundle in any order, and a DER file holds one certificate.
//
// A file that holds no certificate is an error naming the file, never silently nothing: ignoring
// it made the verifier report "no trusted roots" and so blame the token for a wrong path.

import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ProoflineError } from '../errors.js';
import { certificatesFromPem } from './tsa-pem.js';

export type TrustedRootErrorKind =
  /** The file cannot be read (missing, a folder, no permission). */
  | 'unreadable'
  /** Readable, but neither PEM with a CERTIFICATE block nor a DER certificate. */
  | 'no-certificate'
  /** A PEM CERTIFICATE block whose content is not an X.509 certificate. */
  | 'malformed';

export class TrustedRootError extends ProoflineError {
  override readonly name = 'TrustedRootError';

  constructor(
    readonly reason: TrustedRootErrorKind,
    /** The file as the user gave it. */
    readonly file: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`trusted-root.${reason}`, message, { file }, options);
  }
}

/** Why `der` is not exactly one X.509 certificate, or undefined when it is. */
function certificateProblem(der: Uint8Array): string | undefined {
  const asn1 = asn1js.fromBER(der);
  if (asn1.offset === -1) return asn1.result.error || 'not DER';
  if (asn1.offset !== der.byteLength) return `${der.byteLength - asn1.offset} stray bytes after the certificate`;
  try {
    pkijs.Certificate.fromBER(der);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The certificates in one trusted-root file's bytes, DER; `file` names it in errors. */
export function certificatesFromFile(bytes: Buffer, file: string): Buffer[] {
  const fromPem = certificatesFromPem(bytes.toString('latin1'));
  if (fromPem.length > 0) {
    fromPem.forEach((der, i) => {
      const problem = certificateProblem(der);
      if (problem) {
        throw new TrustedRootError('malformed', file, `${file}: certificate ${i + 1} of ${fromPem.length} is not a readable X.509 certificate (${problem}); the file is damaged`);
      }
    });
    return fromPem;
  }
  if (bytes.byteLength > 0 && !certificateProblem(bytes)) return [Buffer.from(bytes)];
  throw new TrustedRootError('no-certificate', file, `${file} holds no certificate (PEM or DER): give the TSA's root certificate`);
}

const READ_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
};

/**
 * Every certificate in the given files, DER, in file order. Throws TrustedRootError naming the
 * first file that cannot be read or holds no certificate.
 */
export function readTrustedRoots(files: readonly string[]): Buffer[] {
  return files.flatMap((file) => {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const reason = READ_ERRORS[code] ?? (error as Error).message;
      throw new TrustedRootError('unreadable', file, `${file} cannot be read (${reason}): give the path of the TSA's root certificate`, { cause: error });
    }
    return certificatesFromFile(bytes, file);
  });
}
