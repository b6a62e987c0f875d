// Where a push to the vault is recorded: the `vault_pushes` table (migration 11), beside the
// session, since a sealed session takes no event: a signed, chained fact as a publication is
// (store/signed-facts.ts), whose triggers refuse any update or delete. What it states is what the store answered: key, version, retention.
import type { DeviceIdentity } from '../attest/device-identity.js';
import type { Database } from '../store/database.js';
import { appendFact, checkedFacts, FACT_COLUMNS, type FactRow, type SignedFact } from '../store/signed-facts.js';
import type { VaultPush } from '../../shared/views.js';

export interface VaultPushBody {
  readonly type: 'vault.pushed';
  readonly url: string;
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | null;
  readonly matter: string;
  readonly sessionId: string | null;
  readonly archiveSha256: string;
  readonly archiveName: string;
  readonly bytes: number;
  readonly mode: 'COMPLIANCE' | 'GOVERNANCE' | null;
  readonly retainUntil: string | null;
  readonly legalHold: boolean;
  readonly outcome: 'sealed' | 'interrupted';
  readonly pushedAt: string;
  /** The capturing device's key id (from the archive's certificate), not necessarily this machine's. */
  readonly device: string | null;
  readonly job: { readonly submission: string; readonly url: string; readonly attempt: number } | null;
  readonly prev: string | null;
}

/** A push as recorded: its body, hash, the key that signed it (this machine's) and whether that checks. */
export type RecordedPush = SignedFact<VaultPushBody>;

export function recordPush(db: Database, device: DeviceIdentity, statement: Omit<VaultPushBody, 'prev' | 'type'>): RecordedPush {
  return appendFact(db, 'vault_pushes', device, (prev): VaultPushBody => ({ type: 'vault.pushed', ...statement, prev }));
}

const checked = (rows: readonly FactRow[], device: Pick<DeviceIdentity, 'keyId' | 'publicKeyPem'>): RecordedPush[] => checkedFacts<VaultPushBody>(rows, device);

/** The pushes of a session or of an archive (by its SHA-256), oldest first, each row's hash and signature checked. */
export function recordedPushes(db: Database, by: { sessionId?: string; archiveSha256?: string }, device: Pick<DeviceIdentity, 'keyId' | 'publicKeyPem'>): RecordedPush[] {
  const rows = db.prepare(`SELECT ${FACT_COLUMNS} FROM vault_pushes WHERE session_id = ? OR archive_sha256 = ? ORDER BY seq`).all(by.sessionId ?? null, by.archiveSha256 ?? null) as FactRow[];
  return checked(rows, device);
}

export function pushView(body: VaultPushBody): VaultPush {
  const { url, bucket, key, versionId, matter, sessionId, archiveSha256, bytes, mode, retainUntil, legalHold, outcome, pushedAt, device } = body;
  return { url, bucket, key, versionId, matter, sessionId, archiveSha256, bytes, mode, retainUntil, legalHold, outcome, pushedAt, device };
}

/** What the viewer shows: the pushes whose row checks against this device's key (a row that does not is not shown as a fact). */
export function pushesOf(db: Database, by: { sessionId?: string; archiveSha256?: string }, device: Pick<DeviceIdentity, 'keyId' | 'publicKeyPem'>): VaultPush[] {
  return recordedPushes(db, by, device)
    .filter((push) => push.signatureValid)
    .map((push) => pushView(push.body));
}

/** The latest push of this data folder to bucket/key whose row checks: the version to pull and the hash to hold it to. */
export function recordedVersionOf(db: Database, device: Pick<DeviceIdentity, 'keyId' | 'publicKeyPem'>, bucket: string, key: string): { versionId: string | null; sha256: string } | undefined {
  const rows = db.prepare(`SELECT ${FACT_COLUMNS} FROM vault_pushes WHERE json_extract(body, '$.bucket') = ? AND json_extract(body, '$.key') = ? ORDER BY seq`).all(bucket, key) as FactRow[];
  const latest = checked(rows, device).filter((push) => push.signatureValid).at(-1);
  return latest && { versionId: latest.body.versionId, sha256: latest.body.archiveSha256 };
}
