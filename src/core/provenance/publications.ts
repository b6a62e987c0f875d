// Where a publication is recorded: the `publications` table (migration 10), beside the sealed
// session it came from, since a sealed session takes no event. Each row is signed by the device
// key and chained to the device's previous publication; the court report made on this machine
// for an archive lists the publications that name that archive's SHA-256, with each signature
// checked against the device key.
import type { Database } from '../store/database.js';
import type { DeviceIdentity } from '../attest/device-identity.js';
import { appendFact, checkedFacts, FACT_COLUMNS, type FactRow, type SignedFact } from '../store/signed-facts.js';

/** What a publication states; the row's body is its RFC 8785 form. */
export interface PublicationBody {
  readonly type: 'image.published';
  readonly time: string;
  readonly sessionId: string;
  readonly imageSha256: string;
  readonly imageName: string;
  readonly outputSha256: string;
  readonly outputName: string;
  readonly format: 'image/png' | 'image/jpeg';
  readonly archiveSha256: string;
  readonly archiveName: string;
  readonly tagManifestSha256: string;
  /** The active C2PA manifest's label (urn:c2pa:…). */
  readonly c2paManifest: string;
  /** SHA-256 of the C2PA signing key's SubjectPublicKeyInfo. */
  readonly c2paKeyId: string;
  /** The TC260 label's JSON as written into the XMP, or null when the creator chose no label. */
  readonly tc260Label: string | null;
  readonly ingredients: readonly { readonly sha256: string; readonly name: string; readonly relationship: 'parentOf' | 'componentOf' }[];
  /** The RFC 3161 token in the C2PA signature (sigTst2): its TSA and time; null when no TSA answered (absent in rows made before time-stamps). */
  readonly timeStamp?: { readonly tsa: string; readonly genTime: string } | null;
  readonly prev: string | null;
}

/** A publication as recorded: its body, hash, the key that signed it and whether that checks. */
export type Publication = SignedFact<PublicationBody>;

export function recordPublication(db: Database, device: DeviceIdentity, statement: Omit<PublicationBody, 'prev' | 'type'>): Publication {
  return appendFact(db, 'publications', device, (prev): PublicationBody => ({ type: 'image.published', ...statement, prev }));
}

/**
 * The publications naming an archive, oldest first, each checked: by the SHA-256 of its file, or
 * (given) by its tag manifest's, which names the same sealed bag in a file whose bytes changed
 * outside the tag manifest since (a seal token obtained later, an RFC 4998 evidence record).
 */
export function publicationsOfArchive(db: Database, archiveSha256: string, device: Pick<DeviceIdentity, 'keyId' | 'publicKeyPem'>, tagManifestSha256: string | null = null): Publication[] {
  const rows = db
    .prepare(`SELECT ${FACT_COLUMNS} FROM publications WHERE archive_sha256 = ? OR json_extract(body, '$.tagManifestSha256') = ? ORDER BY seq`)
    .all(archiveSha256, tagManifestSha256) as FactRow[];
  return checkedFacts<PublicationBody>(rows, device);
}
