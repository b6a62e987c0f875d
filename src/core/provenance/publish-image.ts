// `image.publish`: a copy of a sealed session's final image that carries its provenance — the
// TC260 implicit label in XMP (when the creator labels it), then a C2PA manifest over the whole
// file (actions, lineage as ingredients, the evidence archive's SHA-256), signed with the
// device's C2PA key — read back by c2pa-rs before it is kept, and recorded as a publication.
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { SessionSummary } from '../../shared/domain.js';
import { ProoflineError } from '../errors.js';
import type { Proofline } from '../proofline.js';
import { sha256Hex } from '../store/hashing.js';
import { GALLERY_EVENT_PREFIXES, GALLERY_EVENT_TYPES, galleryFromEvents } from '../views/session-view.js';
import { MIN_SHA_PREFIX } from '../capture/creation/marks.js';
import { loadOrCreateC2paSigningKey } from './c2pa-signing-key.js';
import { signWithC2pa } from './c2pa-sign.js';
import { readC2pa } from './c2pa-read.js';
import { checkEvidenceArchive } from './evidence-archive.js';
import { ingredientJson, ingredientsOf, manifestDefinition, tc260Label, type EvidenceReference } from './publish-manifest.js';
import { recordPublication, type Publication } from './publications.js';
import { jpegWithXmp, pngWithXmp } from './tc260-xmp.js';

export interface PublishRequest {
  readonly sessionId: string;
  readonly sha256: string;
  /** The file to write, or a folder to write `<image>-published.<ext>` into (numbered if taken). */
  readonly out: string | { readonly dir: string };
  /** The session's evidence archive. */
  readonly archive: string;
  /** Write the TC260 implicit label (the creator's choice). */
  readonly label: boolean;
  /** TSAs to time-stamp the C2PA signature; none answering, the image is published without a token. */
  readonly tsaUrls?: readonly string[];
  readonly tsaWaitMs?: number;
}

export interface PublishResult {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  readonly publication: Publication;
  /** Validation codes c2pa-rs reported as failures on reading the file back (only signingCredential.untrusted is accepted). */
  readonly c2paFailures: readonly string[];
  /** The time-stamp in the C2PA signature, or why there is none. */
  readonly timeStamp: { readonly tsa: string; readonly genTime: string } | { readonly none: string };
}

/** The one failure a device certificate must give: no C2PA trust list names it (C2PA 2.1 §15.4.1). */
export const EXPECTED_C2PA_FAILURES = ['signingCredential.untrusted'];

/** Only a sealed session's image is published: it must point to an evidence archive that cannot change. */
export function assertPublishable(session: SessionSummary): void {
  if (session.state !== 'sealed') {
    throw new ProoflineError('publish.unsealed', `Session ${session.id} is not sealed: seal and export it first, so the published image can point to its evidence archive.`, { sessionId: session.id });
  }
}

function freeOutputPath(dir: string, name: string): string {
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let n = 1; ; n++) {
    const candidate = join(dir, `${stem}-published${n === 1 ? '' : `-${n}`}${ext}`);
    if (!existsSync(candidate)) return candidate;
  }
}

export async function publishImage(pl: Proofline, request: PublishRequest): Promise<PublishResult> {
  const session = pl.sessions.get(request.sessionId);
  assertPublishable(session);
  const gallery = galleryFromEvents([...pl.events.ofTypes(session.id, GALLERY_EVENT_TYPES, GALLERY_EVENT_PREFIXES)].map((event) => event.body));
  const query = request.sha256.toLowerCase();
  const matches = query.length >= MIN_SHA_PREFIX ? gallery.images.filter((i) => i.sha256.startsWith(query)) : [];
  if (matches.length !== 1) {
    throw new ProoflineError(matches.length === 0 ? 'artifact.missing' : 'artifact.ambiguous', `${matches.length === 0 ? 'No image' : 'More than one image'} ${query.slice(0, 12)}… is recorded in session ${session.id}.`, { query: query.slice(0, 12), sessionId: session.id });
  }
  const image = matches[0]!;
  if (image.mark?.mark !== 'final') throw new ProoflineError('publish.not-final', `Image ${image.name} (${image.sha256.slice(0, 12)}…) is not marked final: mark it final before sealing to publish it.`, { sha256: image.sha256.slice(0, 12) });
  const format = image.mime === 'image/png' || image.mime === 'image/jpeg' ? image.mime : null;
  if (!format) throw new ProoflineError('publish.format', `Only PNG and JPEG images can be published; ${image.name} is ${image.mime}.`, { sha256: image.sha256.slice(0, 12), mime: image.mime });
  const out = typeof request.out === 'string' ? request.out : freeOutputPath(request.out.dir, image.name);
  if (existsSync(out)) throw new ProoflineError('publish.exists', `${out} already exists: give another file name; the existing file was not changed.`, { path: out });

  const archive = await checkEvidenceArchive(request.archive, session.id, pl.sessions.sealRecord(session.id).tagManifest);
  const device = await pl.device();
  const evidence: EvidenceReference = {
    sessionId: session.id,
    sessionTitle: session.title,
    sealedAt: session.sealedAt ?? '',
    archiveSha256: archive.sha256,
    archiveName: archive.name,
    tagManifestSha256: archive.tagManifestSha256,
    deviceKeyId: device.keyId,
  };
  const original = readFileSync(pl.blobs.pathOf(image.sha256));
  if (sha256Hex(original) !== image.sha256) throw new ProoflineError('publish.failed', `The stored copy of ${image.name} no longer has its recorded SHA-256: the data folder is damaged.`, { reason: 'stored image changed' });
  const label = request.label ? tc260Label(image, evidence) : null;
  const labeled = label === null ? original : format === 'image/png' ? pngWithXmp(original, label, image.sha256.slice(0, 12)) : jpegWithXmp(original, label, image.sha256.slice(0, 12));
  const ingredients = ingredientsOf(gallery, image.sha256);
  const key = await loadOrCreateC2paSigningKey(device);
  const sign = (tsaUrls: readonly string[]): ReturnType<typeof signWithC2pa> =>
    signWithC2pa({
      asset: labeled,
      format,
      definition: manifestDefinition(image, ingredients, evidence, format),
      ingredients: ingredients.map((i) => ({ json: ingredientJson(i) })),
      key,
      tsaUrls,
      ...(request.tsaWaitMs !== undefined && { tsaWaitMs: request.tsaWaitMs }),
    });
  let result = await sign(request.tsaUrls ?? []);
  // Read back by c2pa-rs before anything is kept: a manifest it cannot validate is never published.
  let readBack = await readC2pa(result.bytes, format);
  if (result.timeStamp.ok && !readBack.successes.includes('timeStamp.validated')) {
    // A token c2pa-rs does not accept for this signature would claim a time it does not prove:
    // signed again without one, and the result says why (a TSA's fault never stops a publication).
    const codes = readBack.informational.filter((c) => c.startsWith('timeStamp.')).join(', ') || 'not validated';
    const from = result.timeStamp.tsa;
    result = { ...(await sign([])), timeStamp: { ok: false, reason: `c2pa-rs did not accept the token from ${from} (${codes})` } };
    readBack = await readC2pa(result.bytes, format);
  }
  const signed = result.bytes;
  const timeStamp = result.timeStamp.ok ? { tsa: result.timeStamp.tsa, genTime: result.timeStamp.genTime } : null;
  const failures = readBack.failures.filter((code) => !EXPECTED_C2PA_FAILURES.includes(code));
  if (!readBack.activeManifest || failures.length > 0) {
    throw new ProoflineError('publish.failed', `c2pa-rs does not validate the signed copy of ${image.name}: ${failures.join(', ') || 'no active manifest'}.`, { reason: failures.join(', ') || 'no active manifest' });
  }
  // Written under a temporary name, then linked into place: a reader never sees half an image,
  // and a file that appeared meanwhile is never replaced (link fails on an existing name).
  const temp = join(dirname(out), `.${basename(out)}.${process.pid}.partial`);
  try {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(temp, signed, { flag: 'wx' });
    linkSync(temp, out);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ProoflineError('publish.exists', `${out} already exists: give another file name; the existing file was not changed.`, { path: out });
    const reason = code ?? (error as Error).message;
    throw new ProoflineError('publish.failed', `Could not write ${out}: ${reason}.`, { reason });
  } finally {
    try {
      unlinkSync(temp);
    } catch {
      // never written
    }
  }
  const publication = recordPublication(pl.db, device, {
    time: new Date().toISOString(),
    sessionId: session.id,
    imageSha256: image.sha256,
    imageName: image.name,
    outputSha256: sha256Hex(signed),
    outputName: basename(out),
    format,
    archiveSha256: archive.sha256,
    archiveName: archive.name,
    tagManifestSha256: archive.tagManifestSha256,
    c2paManifest: readBack.activeManifest,
    c2paKeyId: key.keyId,
    tc260Label: label === null ? null : JSON.stringify(label),
    ingredients: ingredients.map((i) => ({ sha256: i.sha256, name: i.name, relationship: i.relationship })),
    timeStamp,
  });
  return { path: out, size: signed.length, sha256: sha256Hex(signed), publication, c2paFailures: readBack.failures, timeStamp: timeStamp ?? { none: result.timeStamp.ok ? '' : result.timeStamp.reason } };
}
