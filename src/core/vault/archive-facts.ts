// What a push says of an archive, read from the file itself: that it is a Proofline bag (a cheap
// look at its directory, not a verify: `proofline verify` and `vault list --verify` do that),
// its session and title (bag-info.txt, RFC 8493 §2.2.2), the capturing device's certificate,
// and the SHA-256 of the whole file.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ProoflineError } from '../errors.js';
import { certificateKey } from '../attest/device-identity.js';

export interface ArchiveFacts {
  readonly path: string;
  readonly name: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly sessionId: string | null;
  readonly title: string | null;
  readonly device: { readonly keyId: string; readonly certificatePem: string } | null;
}

const TAG_LIMIT = 1 << 20;

function notArchive(path: string, why: string, cause?: unknown): ProoflineError {
  return new ProoflineError('vault.not-archive', `${path} is not a Proofline evidence archive (${why}): only archives Proofline exported can be sent to the vault.`, { path }, cause === undefined ? {} : { cause });
}

export async function sha256OfFile(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash, { signal });
  return hash.digest('hex');
}

export async function archiveFacts(path: string, signal?: AbortSignal): Promise<ArchiveFacts> {
  let bytes: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw notArchive(path, 'not a file');
    bytes = stat.size;
  } catch (error) {
    if (error instanceof ProoflineError) throw error;
    throw new ProoflineError('file.unreadable', `${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { path }, { cause: error });
  }
  const { openArchive } = await import('../archive/read-zip.js');
  const { parseBagInfo } = await import('../archive/bag-text.js');
  const { BAG_INFO, DEVICE_CERT } = await import('../archive/bag-layout.js');
  let zip;
  try {
    zip = await openArchive(path);
  } catch (error) {
    throw notArchive(path, (error as Error).message.split('\n')[0]!, error);
  }
  try {
    if (!zip.has('bagit.txt') || !zip.entries.some((entry) => entry.name.startsWith('proofline/'))) throw notArchive(path, 'no bagit.txt and proofline/ folder');
    const info = zip.has(BAG_INFO) ? parseBagInfo(await zip.readText(BAG_INFO, TAG_LIMIT)) : new Map<string, string[]>();
    const sessionId = info.get('Proofline-Session-Id')?.[0] ?? null;
    const title = info.get('External-Description')?.[0] ?? null;
    let device: ArchiveFacts['device'] = null;
    if (zip.has(DEVICE_CERT)) {
      const certificatePem = await zip.readText(DEVICE_CERT, TAG_LIMIT);
      try {
        device = { keyId: certificateKey(certificatePem).keyId, certificatePem };
      } catch (error) {
        throw notArchive(path, `its device certificate cannot be read: ${(error as Error).message}`, error);
      }
    }
    return { path, name: basename(path), bytes, sha256: await sha256OfFile(path, signal), sessionId, title, device };
  } catch (error) {
    if (error instanceof ProoflineError || (error as Error).name === 'AbortError') throw error;
    throw notArchive(path, (error as Error).message.split('\n')[0]!, error);
  } finally {
    zip.close();
  }
}
