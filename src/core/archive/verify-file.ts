// What `verify` is given: an evidence archive (a BagIt ZIP) or a lone web archive (a WACZ, known
// by its datapackage.json). Evidence archives pay nothing for the choice: a WACZ is looked for only
// when the file turned out to be no bag at all.
import { verifyArchive, type VerifyOptions } from './verify-archive.js';
import type { VerifyReport } from './verify-report.js';
import { looksLikeWacz, verifyWaczFile } from './verify-wacz-file.js';

export async function verifyEvidenceFile(path: string, options: VerifyOptions & { readonly waczSigner?: string } = {}): Promise<VerifyReport> {
  const report = await verifyArchive(path, options);
  const noBag = report.checks.some((c) => c.id === 'bag.structure' && c.status === 'fail');
  if (!noBag || !(await looksLikeWacz(path))) return report;
  return verifyWaczFile(path, {
    ...(options.trustedRoots && { trustedRoots: options.trustedRoots }),
    ...(options.signal && { signal: options.signal }),
    ...(options.waczSigner && { signer: options.waczSigner }),
  });
}
