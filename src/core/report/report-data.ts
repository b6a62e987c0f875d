// Everything the court report shows, read from the archive alone (after the verifier has judged
// it): the session, its events, the files with their two digests, the pictures it will embed.
import { createReadStream } from 'node:fs';
import type { EventBody } from '../../shared/domain.js';
import type { Gallery, CapturedPage } from '../../shared/views.js';
import * as layout from '../archive/bag-layout.js';
import { parseManifest, type ManifestEntry } from '../archive/bag-text.js';
import { openArchive, type ZipArchive } from '../archive/read-zip.js';
import type { VerifyReport } from '../archive/verify-report.js';
import { createHasher, sha256Hex } from '../store/hashing.js';
import { galleryFromEvents, pagesFromEvents, type SessionEvent } from '../views/session-view.js';

export interface ReportFile {
  readonly path: string;
  readonly sha256: string | null;
  readonly sm3: string | null;
  readonly size: number | null;
}

export interface ReportData {
  readonly archiveName: string;
  readonly archiveSize: number;
  readonly archiveSha256: string;
  readonly archiveSm3: string;
  /** SHA-256 of tagmanifest-sha256.txt: the sealed bag's identity, the same in every export of it. */
  readonly tagManifestSha256: string | null;
  readonly verify: VerifyReport;
  readonly session: { readonly [key: string]: unknown } | null;
  readonly events: readonly SessionEvent[];
  readonly gallery: Gallery;
  readonly pages: readonly CapturedPage[];
  /** Payload files from the manifests, in manifest order. */
  readonly files: readonly ReportFile[];
  /** Archive path of each artifact, by SHA-256. */
  readonly artifactPaths: ReadonlyMap<string, string>;
  /** Images (and screenshots) to embed, as data URLs, by SHA-256. */
  readonly pictures: ReadonlyMap<string, string>;
  readonly verifyGuide: string | null;
  readonly deviceCertificatePem: string | null;
}

/** Images larger than this are not embedded (a thumbnail of a 40 MB TIFF helps no reader). */
const MAX_PICTURE_BYTES = 24 << 20;
const MAX_EVENTS_BYTES = 256 << 20;
const EMBEDDABLE = new Set(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);

async function digestsOfFile(path: string): Promise<{ sha256: string; sm3: string; size: number }> {
  const sha = createHasher('sha256');
  const sm3 = createHasher('sm3');
  let size = 0;
  for await (const chunk of createReadStream(path)) {
    sha.update(chunk as Buffer);
    sm3.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: sha.digestHex(), sm3: sm3.digestHex(), size };
}

async function readJson(zip: ZipArchive, name: string, max: number): Promise<unknown> {
  if (!zip.has(name)) return null;
  try {
    return JSON.parse(await zip.readText(name, max));
  } catch {
    return null; // the verifier already says what is wrong with it
  }
}

export async function readReportData(path: string, archiveName: string, verify: VerifyReport): Promise<ReportData> {
  const own = await digestsOfFile(path);
  const zip = await openArchive(path);
  try {
    const session = (await readJson(zip, layout.SESSION_JSON, 4 << 20)) as ReportData['session'];
    const events: SessionEvent[] = [];
    if (zip.has(layout.EVENTS_JSONL)) {
      for (const line of (await zip.readText(layout.EVENTS_JSONL, MAX_EVENTS_BYTES)).split('\n')) {
        if (!line) continue;
        try {
          const body = JSON.parse(line) as EventBody;
          events.push({ seq: body.seq, time: body.time, type: body.type, payload: body.payload ?? {}, artifacts: body.artifacts ?? [] });
        } catch {
          // a damaged line: the verifier's events.chain check names it
        }
      }
    }
    const sha = await readManifest(zip, layout.MANIFEST_SHA256);
    const sm3 = await readManifest(zip, layout.MANIFEST_SM3);
    const sm3Of = new Map(sm3.map((e) => [e.path, e.digest]));
    const sizeOf = new Map(zip.entries.map((e) => [e.name, e.size]));
    const files: ReportFile[] = sha.map((e) => ({ path: e.path, sha256: e.digest, sm3: sm3Of.get(e.path) ?? null, size: sizeOf.get(e.path) ?? null }));
    for (const e of sm3) if (!files.some((f) => f.path === e.path)) files.push({ path: e.path, sha256: null, sm3: e.digest, size: sizeOf.get(e.path) ?? null });

    const artifactPaths = new Map<string, string>();
    for (const entry of zip.entries) {
      const match = /^data\/artifacts\/([0-9a-f]{64})/.exec(entry.name);
      if (match) artifactPaths.set(match[1]!, entry.name);
    }
    const gallery = galleryFromEvents(events);
    const pages = pagesFromEvents(events);
    // The pictures as they are in the archive now: a changed image is shown changed (the cover says so).
    const wanted = new Set<string>([...gallery.images.map((i) => i.sha256), ...gallery.comparisons.flatMap((c) => (c.heatmapSha256 ? [c.heatmapSha256] : [])), ...pages.flatMap((p) => (p.screenshot ? [p.screenshot.sha256] : []))]);
    const pictures = new Map<string, string>();
    for (const sha256 of wanted) {
      const entry = artifactPaths.get(sha256);
      const mime = mimeOf(entry);
      if (!entry || !mime || (sizeOf.get(entry) ?? Infinity) > MAX_PICTURE_BYTES) continue;
      pictures.set(sha256, `data:${mime};base64,${(await zip.readBytes(entry, MAX_PICTURE_BYTES)).toString('base64')}`);
    }
    const verifyGuide = zip.has(layout.VERIFY_MD) ? await zip.readText(layout.VERIFY_MD, 1 << 20) : null;
    const deviceCertificatePem = zip.has(layout.DEVICE_CERT) ? await zip.readText(layout.DEVICE_CERT, 1 << 16) : null;
    const tagManifestSha256 = zip.has(layout.TAGMANIFEST_SHA256) ? sha256Hex(await zip.readBytes(layout.TAGMANIFEST_SHA256, 64 << 20)) : null;
    return { archiveName, archiveSize: own.size, archiveSha256: own.sha256, archiveSm3: own.sm3, tagManifestSha256, verify, session, events, gallery, pages, files, artifactPaths, pictures, verifyGuide, deviceCertificatePem };
  } finally {
    zip.close();
  }
}

/** A manifest's lines, or none when it is missing or malformed (the verifier's bag checks say which). */
async function readManifest(zip: ZipArchive, name: string): Promise<ManifestEntry[]> {
  if (!zip.has(name)) return [];
  try {
    return parseManifest(await zip.readText(name, 64 << 20), name, 64);
  } catch {
    return [];
  }
}

function mimeOf(entry: string | undefined): string | undefined {
  const ext = entry?.split('.').pop()?.toLowerCase();
  const mime = ext === 'png' ? 'image/png' : ext === 'jpg' || ext === 'jpeg' ? 'image/jpeg' : ext === 'webp' ? 'image/webp' : ext === 'gif' ? 'image/gif' : undefined;
  return mime && EMBEDDABLE.has(mime) ? mime : undefined;
}
