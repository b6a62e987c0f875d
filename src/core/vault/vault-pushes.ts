// Where a push to the vault is recorded: the `vault_pushes` table (migration 11), beside the
// session, since a sealed session takes no event. Modelled on publications (provenance/
// publications.ts): each row is the push's RFC 8785 body, its SHA-256, the previous push's hash
// (one chain per data folder) and this device's Ed25519 signature over the body; triggers refuse
// any update or delete. What it states is what the store answered: key, version, retention.
import type { DeviceIdentity } from '../attest/device-identity.js';
import { verifyDeviceSignature } from '../attest/device-identity.js';
import type { Database } from '../store/database.js';
import { canonicalJson } from '../store/canonical-json.js';
import { sha256Hex } from '../store/hashing.js';
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

export interface RecordedPush {
  readonly seq: number;
  readonly body: VaultPushBody;
  readonly hash: string;
  /** This machine's key that signed the row. */
  readonly keyId: string;
  readonly signatureValid: boolean;
}

export function recordPush(db: Database, device: DeviceIdentity, statement: Omit<VaultPushBody, 'prev' | 'type'>): RecordedPush {
  return db.transaction(() => {
    const last = db.prepare('SELECT hash FROM vault_pushes ORDER BY seq DESC LIMIT 1').get() as { hash: string } | undefined;
    const body: VaultPushBody = { type: 'vault.pushed', ...statement, prev: last?.hash ?? null };
    const text = canonicalJson(body);
    const hash = sha256Hex(text);
    const signature = device.sign(Buffer.from(text, 'utf8'));
    const { lastInsertRowid } = db
      .prepare('INSERT INTO vault_pushes (session_id, archive_sha256, body, hash, prev, key_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(body.sessionId, body.archiveSha256, text, hash, body.prev, device.keyId, signature);
    return { seq: Number(lastInsertRowid), body, hash, keyId: device.keyId, signatureValid: true };
  }).immediate();
}

interface PushRow {
  readonly seq: number;
  readonly body: string;
  readonly hash: string;
  readonly keyId: string;
  readonly signature: Buffer;
}

const COLUMNS = 'seq, body, hash, key_id AS keyId, signature';

function checked(rows: readonly PushRow[], device: Pick<DeviceIdentity, 'keyId' | 'publicKeyPem'>): RecordedPush[] {
  return rows.map((row) => ({
    seq: row.seq,
    body: JSON.parse(row.body) as VaultPushBody,
    hash: row.hash,
    keyId: row.keyId,
    // Only this device's key is known here: a row signed by another key is shown as unchecked.
    signatureValid: row.keyId === device.keyId && sha256Hex(row.body) === row.hash && verifyDeviceSignature(device.publicKeyPem, Buffer.from(row.body, 'utf8'), row.signature),
  }));
}

/** The pushes of a session or of an archive (by its SHA-256), oldest first, each row's hash and signature checked. */
export function recordedPushes(db: Database, by: { sessionId?: string; archiveSha256?: string }, device: Pick<DeviceIdentity, 'keyId' | 'publicKeyPem'>): RecordedPush[] {
  const rows = db.prepare(`SELECT ${COLUMNS} FROM vault_pushes WHERE session_id = ? OR archive_sha256 = ? ORDER BY seq`).all(by.sessionId ?? null, by.archiveSha256 ?? null) as PushRow[];
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
  const rows = db.prepare(`SELECT ${COLUMNS} FROM vault_pushes WHERE json_extract(body, '$.bucket') = ? AND json_extract(body, '$.key') = ? ORDER BY seq`).all(bucket, key) as PushRow[];
  const latest = checked(rows, device).filter((push) => push.signatureValid).at(-1);
  return latest && { versionId: latest.body.versionId, sha256: latest.body.archiveSha256 };
}
