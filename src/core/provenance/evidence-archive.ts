// The sealed evidence archive a published image points back to. Its SHA-256 goes into the C2PA
// manifest and the TC260 label (ReservedCode1), so it must be the very file the creator hands
// over. Exports of one session are byte-identical (the bag is fixed at seal and every entry
// carries the seal time: tests/integration/publish.test.ts checks two exports), so this hash is
// the session's, whichever export is used — until something is added outside the tag manifest
// (a seal token obtained later, an RFC 4998 evidence record), which changes the file but not the
// bag: the tag manifest's SHA-256 is named beside it as the bag's stable name. Checked here
// before it is named: the archive holds
// this session and its tag manifest is the one fixed at seal (which covers every manifest and so
// every payload file); the full verification is `proofline verify`'s.
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import * as layout from '../archive/bag-layout.js';
import { openArchive } from '../archive/read-zip.js';
import { ProoflineError } from '../errors.js';
import { createHasher, sha256Hex } from '../store/hashing.js';

export interface EvidenceArchive {
  readonly path: string;
  readonly name: string;
  readonly sha256: string;
  readonly tagManifestSha256: string;
}

export async function checkEvidenceArchive(path: string, sessionId: string, sealedTagManifest: Buffer): Promise<EvidenceArchive> {
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
  } catch {
    throw new ProoflineError('publish.no-archive', `There is no evidence archive ${path} for session ${sessionId}: export the session first ('proofline export ${sessionId}'), or name its archive with --archive.`, { sessionId, path });
  }
  const mismatch = (reason: string): ProoflineError =>
    new ProoflineError('publish.archive-mismatch', `${path} is not the sealed archive of session ${sessionId}: ${reason}. Name the archive exported from this session.`, { path, sessionId, reason });
  let tagManifest: string;
  let session: { id?: unknown };
  try {
    const zip = await openArchive(path);
    try {
      if (!zip.has(layout.TAGMANIFEST_SHA256) || !zip.has(layout.SESSION_JSON)) throw mismatch('it has no tag manifest or session.json');
      tagManifest = await zip.readText(layout.TAGMANIFEST_SHA256, 1 << 20);
      session = JSON.parse(await zip.readText(layout.SESSION_JSON, 4 << 20)) as { id?: unknown };
    } finally {
      zip.close();
    }
  } catch (error) {
    if (error instanceof ProoflineError && error.code === 'publish.archive-mismatch') throw error;
    throw mismatch(`it cannot be read as an archive (${(error as Error).message})`);
  }
  if (session.id !== sessionId) throw mismatch(`it holds session ${String(session.id)}`);
  if (!Buffer.from(tagManifest, 'utf8').equals(sealedTagManifest)) throw mismatch('its tag manifest differs from the one fixed at seal');
  const hash = createHasher('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return { path, name: basename(path), sha256: hash.digestHex(), tagManifestSha256: sha256Hex(sealedTagManifest) };
}
