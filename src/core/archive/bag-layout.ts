/** Fixed names inside an evidence archive (format 1). Shared by the writer and the verifier. */
export const BAGIT_TXT = 'bagit.txt';
export const BAG_INFO = 'bag-info.txt';
export const MANIFEST_SHA256 = 'manifest-sha256.txt';
export const MANIFEST_SM3 = 'manifest-sm3.txt';
export const TAGMANIFEST_SHA256 = 'tagmanifest-sha256.txt';
export const SESSION_JSON = 'data/session.json';
export const EVENTS_JSONL = 'data/events.jsonl';
export const ARTIFACTS_DIR = 'data/artifacts/';
export const DEVICE_CERT = 'proofline/device-cert.pem';
export const DEVICE_PUBLIC_KEY = 'proofline/device-key.pub.pem';
export const CHECKPOINTS_DIR = 'proofline/checkpoints/';
export const TIMESTAMPS_DIR = 'proofline/timestamps/';
export const TIMESTAMPS_INDEX = 'proofline/timestamps.json';
export const TSA_CERTS_DIR = 'proofline/tsa-certs/';
export const VERIFY_MD = 'proofline/VERIFY.md';
export const SEAL_SIGNATURE = 'proofline/seal.sig';
/** The RFC 4998 Evidence Record that renews the archive's timestamps (renew-archive.ts). */
export const EVIDENCE_RECORD = 'proofline/evidence-record.ers';

/** RFC 8493 §2.1.1: exactly these two lines. */
export const BAGIT_TXT_CONTENT = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';

/**
 * Files outside the tag manifest: the seal signs and timestamps tagmanifest-sha256.txt, so it
 * cannot be listed in it, and the evidence record renews those timestamps years later, so adding
 * it must leave the bag byte-identical. Everything else in the bag is covered by a manifest.
 */
export function isSealFile(path: string): boolean {
  return path === SEAL_SIGNATURE || path === EVIDENCE_RECORD || /^proofline\/seal(-\d+)?\.tsr$/.test(path);
}

/**
 * The data objects the evidence record's first archive timestamp covers (RFC 4998 §4.2): the
 * tag manifest (which covers every other file), every RFC 3161 token and the seal signature.
 */
export function isEvidenceObject(path: string): boolean {
  return (
    path === TAGMANIFEST_SHA256 ||
    path === SEAL_SIGNATURE ||
    /^proofline\/seal(-\d+)?\.tsr$/.test(path) ||
    /^proofline\/timestamps\/[^/]+\.tsr$/.test(path)
  );
}

export function sealTokenPath(index: number): string {
  return index === 0 ? 'proofline/seal.tsr' : `proofline/seal-${index + 1}.tsr`;
}

export function checkpointPaths(index: number): { statement: string; signature: string } {
  const n = String(index).padStart(6, '0');
  return { statement: `${CHECKPOINTS_DIR}${n}.json`, signature: `${CHECKPOINTS_DIR}${n}.sig` };
}

export function checkpointTokenPath(index: number, tsaNumber: number): string {
  return `${TIMESTAMPS_DIR}${String(index).padStart(6, '0')}-tsa${tsaNumber}.tsr`;
}

export function tsaChainPath(tsaNumber: number): string {
  return `${TSA_CERTS_DIR}tsa${tsaNumber}.pem`;
}

/** One line of a manifest in `sha256sum` text format: digest, two spaces, path. */
export function manifestLine(digest: string, path: string): string {
  return `${digest}  ${path}\n`;
}

/** bag-info.txt's label for when a seal cut short by the end of its process was finished. */
export const SEAL_RESUMED_AT = 'Proofline-Seal-Resumed-At';
