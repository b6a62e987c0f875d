// Facts about a sealed session, which takes no event: a publication (migration 10), a push to the
// vault (migration 11). Each row is the fact's RFC 8785 body, its SHA-256, the previous row's hash
// in the same table (one chain per data folder) and this device's Ed25519 signature over the
// body; the table's triggers refuse any update or delete. One way to write such a row and one
// way to read it back checked.
import type { DeviceIdentity } from '../attest/device-identity.js';
import { verifyDeviceSignature } from '../attest/device-identity.js';
import type { Database } from './database.js';
import { canonicalJson } from './canonical-json.js';
import { sha256Hex } from './hashing.js';

/** The tables that hold such facts; each has the columns below. */
export type FactTable = 'publications' | 'vault_pushes';

export interface SignedFact<B> {
  readonly seq: number;
  readonly body: B;
  readonly hash: string;
  /** The device key that signed the row. */
  readonly keyId: string;
  /** The row's hash is its body's, and its signature checks against this device's key. */
  readonly signatureValid: boolean;
}

export interface FactRow {
  readonly seq: number;
  readonly body: string;
  readonly hash: string;
  readonly keyId: string;
  readonly signature: Buffer;
}

/** The columns a FactRow is read from. */
export const FACT_COLUMNS = 'seq, body, hash, key_id AS keyId, signature';

type Verifier = Pick<DeviceIdentity, 'keyId' | 'publicKeyPem'>;

/** Appends a fact: `bodyAfter` is given the previous row's hash (null for the first). */
export function appendFact<B extends { readonly prev: string | null; readonly sessionId: string | null; readonly archiveSha256: string }>(
  db: Database,
  table: FactTable,
  device: DeviceIdentity,
  bodyAfter: (prev: string | null) => B,
): SignedFact<B> {
  return db.transaction(() => {
    const last = db.prepare(`SELECT hash FROM ${table} ORDER BY seq DESC LIMIT 1`).get() as { hash: string } | undefined;
    const body = bodyAfter(last?.hash ?? null);
    const text = canonicalJson(body);
    const hash = sha256Hex(text);
    const signature = device.sign(Buffer.from(text, 'utf8'));
    const { lastInsertRowid } = db
      .prepare(`INSERT INTO ${table} (session_id, archive_sha256, body, hash, prev, key_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(body.sessionId, body.archiveSha256, text, hash, body.prev, device.keyId, signature);
    return { seq: Number(lastInsertRowid), body, hash, keyId: device.keyId, signatureValid: true };
  }).immediate();
}

/** Rows read with FACT_COLUMNS, each checked against this device's key. */
export function checkedFacts<B>(rows: readonly FactRow[], device: Verifier): SignedFact<B>[] {
  return rows.map((row) => ({
    seq: row.seq,
    body: JSON.parse(row.body) as B,
    hash: row.hash,
    keyId: row.keyId,
    // Only this device's key is known here: a row signed by another key is shown as unchecked.
    signatureValid: row.keyId === device.keyId && sha256Hex(row.body) === row.hash && verifyDeviceSignature(device.publicKeyPem, Buffer.from(row.body, 'utf8'), row.signature),
  }));
}
