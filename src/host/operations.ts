// The operations of contract.ts, implemented once over the core for every host: the Electron
// main process registers them as IPC handlers, `proofline serve` as HTTP endpoints, the CLI
// calls them in-process (cli-context.ts). Nothing here knows how it was called; hosts parse the
// input first (contract.parseInput). Capture goes through the core's one lifecycle.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ZipArchive } from '../core/archive/read-zip.js';
import { publicTsaUrl } from '../core/attest/tsa-names.js';
import { asProoflineError } from '../core/errors.js';
import { sealWarning } from './seal-warning.js';
import type { Proofline } from '../core/proofline.js';
import { sha256Hex } from '../core/store/hashing.js';
import { mediaTypeOf } from '../core/store/media-types.js';
import type { OperationError, OperationHandlers, Settings } from '../shared/contract.js';
import type { StoredEvent } from '../shared/domain.js';
import { APP_VERSION } from '../shared/version.js';
import type * as V from '../shared/views.js';
import type { CaptureNotice } from '../core/capture/capture-source.js';
import { CaptureLifecycle } from '../core/capture/lifecycle/index.js';
import { galleryFromEvents, pagesFromEvents } from '../core/views/session-view.js';
import { recordingFilm } from '../core/views/recording-film.js';
import { OperationFailure } from './operation-failure.js';
import type { SettingsSource } from './settings-store.js';
import { vaultHandlers } from './vault-operations.js';
import { fleetHandlers } from './fleet-operations.js';

export { OperationFailure };

/**
 * Any thrown value as the OperationError both transports carry: the family's kind, code and
 * params as they are (src/shared/errors.ts fixes each code's kind), anything else as `unexpected`.
 */
export function toOperationError(error: unknown): OperationError {
  const { kind, code, message, params, issues } = asProoflineError(error);
  return { kind, code, message, ...(Object.keys(params).length > 0 && { params }), ...(issues && { issues }) };
}

export interface HostDeps {
  readonly pl: Proofline;
  readonly settings: SettingsSource;
  readonly host: 'electron' | 'web' | 'cli';
  /** Native dialogs; the web host has none. */
  readonly dialogs?: {
    chooseArchive(): Promise<string | null>;
    chooseFolder(): Promise<string | null>;
    chooseSaveArchive(suggestedName: string): Promise<string | null>;
  };
  /** Where exports go when no path is given (the app's Documents/Proofline). */
  readonly exportDir: string;
  /** Every notice of the capture sources (the CLI prints them as progress lines). */
  readonly onNotice?: (sessionId: string, notice: CaptureNotice) => void;
}

export interface Host {
  readonly handlers: OperationHandlers;
  readonly capture: CaptureLifecycle;
  /** The file behind a handle from `archive.open`, for the hosts' media routes. */
  archivePath(handle: string): string | undefined;
  /** A report `archive.report` wrote, by the id in its `download`, for the web host's download route. */
  reportPath?(id: string): string | undefined;
  /** An image `image.publish` wrote, by the id in its `download` (`published/<id>`), likewise. */
  publishedPath?(id: string): string | undefined;
  /** Stops every capture source (app quit, server shutdown); closes open archives. */
  shutdown(): Promise<void>;
}

export function timelineEvent(event: StoredEvent): V.TimelineEvent {
  const { seq, time, type, payload, artifacts } = event.body;
  return { seq, time, type, hash: event.hash, payload, artifacts };
}

/**
 * What only the operations that read an archive or a certificate need, loaded by the first of
 * them: the ZIP reader (yauzl), the verifier, PKI.js for trusted roots and TSA tests. Together
 * 0.2–0.6 s to load on a busy machine, which `proofline export` or `seal`, one process per
 * command, would pay for nothing (bench/README.md).
 */
const archiveReader = (): Promise<typeof import('../core/archive/read-zip.js')> => import('../core/archive/read-zip.js');
const verifier = (): Promise<typeof import('../core/archive/verify-file.js')> => import('../core/archive/verify-file.js');
const rootsReader = (): Promise<typeof import('../core/attest/trusted-roots.js')> => import('../core/attest/trusted-roots.js');

/** Settings' trusted root files, read as `verify --trust` reads them (PEM or DER, any order). */
async function trustedRoots(settings: Settings): Promise<Buffer[]> {
  const { readTrustedRoots, TrustedRootError } = await rootsReader();
  try {
    return readTrustedRoots(settings.trustedRootFiles);
  } catch (error) {
    if (error instanceof TrustedRootError) throw new OperationFailure(error.code, `In Settings, the trusted root ${error.message}.`, error.params);
    throw error;
  }
}

/** What evidence made now would lack: the first-launch check's TSA and trusted-root items. */
async function readiness(settings: Settings): Promise<V.Readiness> {
  const tsa = { count: settings.tsaUrls.length, urls: settings.tsaUrls.map(publicTsaUrl) };
  const files = settings.trustedRootFiles.length;
  const { readTrustedRoots, TrustedRootError } = await rootsReader();
  try {
    return { tsa, trustedRoots: { files, certificates: readTrustedRoots(settings.trustedRootFiles).length } };
  } catch (error) {
    if (!(error instanceof TrustedRootError)) throw error;
    // A file that went missing since it was saved: verify would then trust nothing; say which.
    return { tsa, trustedRoots: { files, certificates: 0, problem: { code: error.code, message: error.message, params: error.params } } };
  }
}

const MAX_TIMELINE_EVENTS_IN_ARCHIVE = 20_000;

/** Where `session.export` writes a session's archive when no path is given. */
function defaultExportPath(exportDir: string, session: { readonly id: string; readonly sealedAt: string | null; readonly createdAt: string }): string {
  return join(exportDir, `proofline-${session.id.slice(0, 8)}-${(session.sealedAt ?? session.createdAt).replace(/[:.]/g, '-')}.zip`);
}

/** `<archive>-report-<lang>.pdf` in the exports folder, numbered if that name is taken. */
function freeReportPath(dir: string, archive: string, lang: string): string {
  const stem = basename(archive).replace(/\.zip$/i, '');
  for (let n = 1; ; n++) {
    const candidate = join(dir, `${stem}-report-${lang}${n === 1 ? '' : `-${n}`}.pdf`);
    if (!existsSync(candidate)) return candidate;
  }
}

export function createHost(deps: HostDeps): Host {
  const { pl, settings } = deps;
  const capture = new CaptureLifecycle({ pl, settings: () => settings.get(), onNotice: deps.onNotice });
  // Handle → archive path. Each read opens the file afresh, so a file changed on disk since it
  // was opened is read as it is now, never from a stale directory.
  const archives = new Map<string, string>();
  // Report id → the PDF written, so `serve` can hand it to the browser as a download.
  const reports = new Map<string, string>();
  // Published image id → its file, likewise (web host only).
  const published = new Map<string, string>();

  const archiveOf = (handle: string): string => {
    const path = archives.get(handle);
    if (!path) throw new OperationFailure('archive.closed', 'That archive is no longer open: open it again.');
    return path;
  };
  const openArchiveFile = async (path: string): Promise<V.ArchiveHandle> => {
    let size: number;
    try {
      const stat = statSync(path);
      if (!stat.isFile()) throw new OperationFailure('file.not-a-file', `${path} is not a file.`, { path });
      size = stat.size;
    } catch (error) {
      if (error instanceof OperationFailure) throw error;
      throw new OperationFailure('file.unreadable', `${path} cannot be opened (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`, { path });
    }
    const handle = randomUUID();
    archives.set(handle, path);
    return { archive: handle, path, name: basename(path), size };
  };
  const withZip = async <T>(handle: string, work: (zip: ZipArchive) => Promise<T>): Promise<T> => {
    const zip = await (await archiveReader()).openArchive(archiveOf(handle));
    try {
      return await work(zip);
    } finally {
      zip.close();
    }
  };
  const needDialogs = (): NonNullable<HostDeps['dialogs']> => {
    if (!deps.dialogs) throw new OperationFailure('dialog.unavailable', 'This window has no file dialogs: type the path instead.');
    return deps.dialogs;
  };

  const handlers: OperationHandlers = {
    'app.info': async () => {
      const device = await pl.device();
      return {
        version: APP_VERSION,
        host: deps.host,
        dataDir: pl.dataDir,
        platform: process.platform,
        device: { keyId: device.keyId, keyPath: device.keyPath, keyStorage: device.keyStorage },
        capabilities: await capture.capabilities(),
        readiness: await readiness(settings.get()),
      };
    },
    'tsa.test': async ({ url, trustedRootFiles }, { signal }) => {
      const s = settings.get();
      const urls = url === undefined ? s.tsaUrls : [url];
      if (urls.length === 0) throw new OperationFailure('tsa.none-configured', 'No time-stamping authority is configured: add one in Settings (or give a URL), then test it.');
      // Judged under the roots verify would use; a broken root file is the caller's to fix first.
      const roots = await trustedRoots(trustedRootFiles === undefined ? s : { ...s, trustedRootFiles });
      const { testTsas } = await import('../core/attest/tsa-test.js');
      return testTsas(urls, { trustedRoots: roots, signal });
    },
    'settings.get': async () => settings.get(),
    'settings.update': async (patch) => {
      // A trusted root that holds no certificate would silently trust nothing: refuse it here.
      const { readTrustedRoots, TrustedRootError } = await rootsReader();
      (patch.trustedRootFiles ?? []).forEach((file, index) => {
        try {
          readTrustedRoots([file]);
        } catch (error) {
          if (!(error instanceof TrustedRootError)) throw error;
          throw new OperationFailure(error.code, `trustedRootFiles.${index}: ${error.message}`, error.params, [{ path: `trustedRootFiles.${index}`, message: error.message }]);
        }
      });
      const next = settings.update(patch);
      // Open sessions take these from their next checkpoint, which records the change.
      pl.setTsaUrls(next.tsaUrls);
      pl.setAnchorSeconds(next.anchorSeconds);
      return next;
    },

    'session.list': async () => pl.sessions.list(),
    'session.anchoring': async ({ id }) => pl.sessions.anchoring(id),
    'session.get': async ({ id }) => {
      const session = pl.sessions.get(id);
      const counts = Object.fromEntries(pl.events.countByType(session.id));
      const latest = pl.checkpoints.latest(session.id);
      const pending = pl.timestamps.list(session.id).filter((t) => t.state === 'pending').length;
      return {
        session,
        counts,
        lastCheckpoint: latest ? { seq: latest.statement.treeSize, time: latest.statement.time, treeSize: latest.statement.treeSize } : null,
        pendingTimestamps: pending,
        recording: capture.status(session.id),
        environment: capture.environmentJob(session.id),
      };
    },
    'session.create': async (input) => {
      const session = await pl.sessions.create(input);
      if (input.kind === 'creation') capture.snapshotEnvironmentLater(session.id);
      return session;
    },
    'session.events': async ({ id, afterSeq, limit }) => {
      const session = pl.sessions.get(id);
      const out: V.TimelineEvent[] = [];
      for (const event of pl.events.iterate(session.id, afterSeq + 1)) {
        out.push(timelineEvent(event));
        if (out.length >= limit) break;
      }
      return out;
    },
    'session.note': async ({ id, text }) => timelineEvent(await pl.sessions.note(id, text)),
    'session.attach': async ({ id, files }) => (await pl.sessions.attach(id, files)).map(timelineEvent),
    'session.seal': async ({ id }) => {
      const session = pl.sessions.get(id);
      // Whatever still captures into the session stops first, and nothing starts until sealed.
      const result = await capture.whileSealing(session.id, () => pl.sessions.seal(session.id));
      const { pending, errors, problems } = result.sealTimestamps;
      return {
        id: result.session.id,
        sealedAt: result.session.sealedAt,
        events: result.checkpoint.statement.treeSize,
        tagManifestSha256: result.tagManifestSha256,
        sealTokens: result.sealTokens,
        sealCheckpointTokens: result.sealCheckpointTokens,
        pendingTimestamps: pending,
        tsaCount: settings.get().tsaUrls.length,
        warning: sealWarning(result, settings.get().tsaUrls.length, errors[0]),
        abandonedTimestamps: result.abandonedTimestamps,
        errors,
        ...(problems[0] && { tsaProblem: problems[0] }),
      };
    },
    'session.export': async ({ id, out }, { progress, signal }) => {
      const session = pl.sessions.get(id);
      // Not while another process seals or records it; a recording whose process died is closed out first.
      await capture.beforeExport(session.id);
      if (out === undefined) mkdirSync(deps.exportDir, { recursive: true });
      const target = out ?? defaultExportPath(deps.exportDir, session);
      const result = await pl.exportSession(session.id, {
        out: target,
        signal,
        onProgress: (p) => progress({ phase: 'export', done: p.done, total: p.total, detail: p.file }),
      });
      return { path: result.path, files: result.files, payloadBytes: result.payloadBytes, sealTokens: result.sealTokens };
    },

    'recording.start': async ({ id, ...request }) => capture.start(pl.sessions.get(id).id, request),
    'recording.pause': async ({ id }) => capture.pause(pl.sessions.get(id).id),
    'recording.resume': async ({ id }) => capture.resume(pl.sessions.get(id).id),
    'recording.stop': async ({ id, reason }) => capture.stop(pl.sessions.get(id).id, reason),
    'recording.status': async ({ id }) => capture.status(pl.sessions.get(id).id),

    'generation.gallery': async ({ id }) => capture.gallery(pl.sessions.get(id).id),
    'generation.mark': async ({ id, sha256, mark, reason }) => timelineEvent(await capture.mark(pl.sessions.get(id).id, sha256, mark, reason)),
    'generation.link': async ({ id, from, to, relation, note }) => timelineEvent(await capture.link(pl.sessions.get(id).id, from, to, relation, note)),
    'generation.compare': async ({ id, a, b, ...request }) => capture.compare(pl.sessions.get(id).id, a, b, request),
    'image.publish': async ({ id, sha256, out, archive, label }) => {
      const session = pl.sessions.get(id);
      const { assertPublishable, publishImage } = await import('../core/provenance/publish-image.js');
      assertPublishable(session);
      // The session's export in the exports folder, made now if absent: exports of a sealed
      // session are byte-identical, so this archive is the one any other export would give.
      let source = archive;
      if (source === undefined) {
        source = defaultExportPath(deps.exportDir, session);
        if (!existsSync(source)) {
          await capture.beforeExport(session.id);
          mkdirSync(deps.exportDir, { recursive: true });
          await pl.exportSession(session.id, { out: source });
        }
      }
      const result = await publishImage(pl, { sessionId: session.id, sha256, out: out ?? { dir: deps.exportDir }, archive: source, label, tsaUrls: settings.get().tsaUrls });
      const body = result.publication.body;
      let download: string | undefined;
      if (deps.host === 'web') {
        const downloadId = randomUUID();
        published.set(downloadId, result.path);
        download = `published/${downloadId}`;
      }
      return {
        path: result.path,
        name: basename(result.path),
        size: result.size,
        sha256: result.sha256,
        archive: source,
        archiveSha256: body.archiveSha256,
        c2paManifest: body.c2paManifest,
        labeled: body.tc260Label !== null,
        ingredients: body.ingredients,
        publication: { seq: result.publication.seq, hash: result.publication.hash },
        timeStamp: 'none' in result.timeStamp ? null : { tsa: publicTsaUrl(result.timeStamp.tsa), genTime: result.timeStamp.genTime },
        ...('none' in result.timeStamp && { noTimeStamp: { kind: settings.get().tsaUrls.length === 0 ? ('none-configured' as const) : ('no-answer' as const), detail: result.timeStamp.none } }),
        ...(download && { download }),
      };
    },
    'blob.get': async ({ id, sha256, maxBytes }) => {
      const session = pl.sessions.get(id);
      const artifact = await capture.findArtifact(session.id, sha256);
      if (!artifact) throw new OperationFailure('artifact.missing', `No file ${sha256.slice(0, 12)}… is recorded in this session.`, { query: sha256.slice(0, 12), sessionId: session.id });
      if (artifact.size > maxBytes) return { mime: artifact.mime, size: artifact.size, truncated: true };
      const bytes = readFileSync(pl.blobs.pathOf(artifact.sha256));
      return { mime: artifact.mime, size: artifact.size, base64: bytes.toString('base64'), truncated: false };
    },

    'environment.snapshot': async ({ id, ...request }, { progress, signal }) => capture.snapshotEnvironment(id === undefined ? undefined : pl.sessions.get(id).id, request, progress, signal),

    'web.checkEnvironment': async ({ id, ...request }, { progress, signal }) => capture.checkEnvironment(id === undefined ? undefined : pl.sessions.get(id).id, request, progress, signal),
    'web.capture': async ({ id, ...request }, { progress, signal }) => capture.captureUrls(pl.sessions.get(id).id, request, progress, signal),
    'web.browse.start': async ({ id, ...request }) => capture.browseStart(pl.sessions.get(id).id, request),
    'web.browse.captureNow': async ({ id }) => timelineEvent(await capture.browseCaptureNow(pl.sessions.get(id).id)),
    'web.browse.stop': async ({ id, reason }) => capture.browseStop(pl.sessions.get(id).id, reason),
    'web.browse.status': async ({ id }) => capture.browseStatus(pl.sessions.get(id).id),
    'web.pages': async ({ id }) => capture.pages(pl.sessions.get(id).id),

    'archive.open': async ({ path }) => openArchiveFile(path),
    'archive.verify': async ({ archive }, { progress, signal }) => {
      const [{ verifyEvidenceFile }, { verifyReportView }] = await Promise.all([verifier(), import('./verify-report-view.js')]);
      const report = await verifyEvidenceFile(archiveOf(archive), {
        trustedRoots: await trustedRoots(settings.get()),
        signal,
        onProgress: (p) => progress({ phase: 'verify', done: p.done, total: p.total, detail: p.file }),
      });
      return verifyReportView(report);
    },
    'archive.checkPublished': async ({ archive, image }) => {
      const { checkPublishedImage } = await import('../core/provenance/published-check.js');
      return checkPublishedImage(image, archiveOf(archive), await trustedRoots(settings.get()));
    },
    'archive.contents': async ({ archive }) =>
      withZip(archive, async (zip) => {
        const session = zip.has('data/session.json') ? (JSON.parse(await zip.readText('data/session.json', 4 << 20)) as { [key: string]: V.TimelineEvent['payload'][string] }) : null;
        const events: V.TimelineEvent[] = [];
        let truncated = false;
        if (zip.has('data/events.jsonl')) {
          const lines = (await zip.readText('data/events.jsonl', 256 << 20)).split('\n').filter(Boolean);
          truncated = lines.length > MAX_TIMELINE_EVENTS_IN_ARCHIVE;
          for (const line of lines.slice(0, MAX_TIMELINE_EVENTS_IN_ARCHIVE)) {
            try {
              // Each line is an event's RFC 8785 body; its hash is the SHA-256 of the line.
              const body = JSON.parse(line) as StoredEvent['body'];
              events.push({ seq: body.seq, time: body.time, type: body.type, hash: sha256Hex(line), payload: body.payload ?? {}, artifacts: body.artifacts ?? [] });
            } catch {
              truncated = true; // a damaged line: the verifier names it; the viewer shows the rest
            }
          }
        }
        const names = new Set(zip.entries.map((e) => e.name));
        const artifactPaths: Record<string, string> = {};
        for (const name of names) {
          const match = /^data\/artifacts\/([0-9a-f]{64})/.exec(name);
          if (match) artifactPaths[match[1]!] = name;
        }
        const recording = events
          .filter((e) => e.type === 'recording.segment' && e.artifacts[0])
          .map((e) => {
            const artifact = e.artifacts[0]!;
            const seconds = e.payload['durationSeconds'];
            return { path: artifactPaths[artifact.sha256] ?? '', seq: e.seq, time: e.time, durationMs: typeof seconds === 'number' ? Math.round(seconds * 1000) : null, mime: artifact.mime };
          })
          .filter((segment) => segment.path !== '');
        // The views a live session's screens get, from the same functions (core/views).
        return { session, events, artifactPaths, recording, gallery: galleryFromEvents(events), pages: pagesFromEvents(events), film: recordingFilm(events, (sha256) => artifactPaths[sha256]), truncated };
      }),
    'archive.file': async ({ archive, path, maxBytes }) =>
      withZip(archive, async (zip) => {
        const entry = zip.entries.find((e) => e.name === path);
        if (!entry) throw new OperationFailure('archive.missing', `The archive has no file ${path}.`, { entry: path });
        const mime = mediaTypeOf(path);
        if (entry.size > maxBytes) return { mime, size: entry.size, truncated: true };
        return { mime, size: entry.size, base64: (await zip.readBytes(path, maxBytes)).toString('base64'), truncated: false };
      }),

    'archive.report': async ({ archive, lang, out, trustedRoots: roots }, { progress, signal }) => {
      const source = archiveOf(archive);
      const s = settings.get();
      const [{ makeReport }, { chromiumPrinter }, { publicationsOfArchive }] = await Promise.all([import('../core/report/make-report.js'), import('./report-printer.js'), import('../core/provenance/publications.js')]);
      const device = await pl.device();
      const made = await makeReport({
        archivePath: source,
        lang,
        trustedRoots: roots ?? (await trustedRoots(s)),
        device,
        print: chromiumPrinter(s.browserPath),
        tsaUrls: s.tsaUrls,
        signal,
        onProgress: (p) => progress({ phase: 'verify', done: p.done, total: p.total, detail: p.file }),
        publications: (archiveSha256, tagManifestSha256) => publicationsOfArchive(pl.db, archiveSha256, device, tagManifestSha256),
      });
      const target = out ?? freeReportPath(deps.exportDir, source, lang);
      try {
        mkdirSync(dirname(target), { recursive: true });
        // 'wx': an existing file is never overwritten, as an export is never.
        writeFileSync(target, made.pdf, { flag: 'wx' });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new OperationFailure('report.exists', `${target} already exists: give another file name; the existing file was not changed.`, { path: target });
        throw new OperationFailure('report.failed', `Could not write the report ${target}: ${code ?? (error as Error).message}.`, { path: target, reason: code ?? (error as Error).message });
      }
      let download: string | undefined;
      if (deps.host === 'web') {
        const id = randomUUID();
        reports.set(id, target);
        download = `report/${id}`;
      }
      const { reportKeyId, deviceKeyId, sameDevice, timestampedBy } = made.signature;
      return { path: target, name: basename(target), size: made.pdf.length, pages: made.pages, lang, verdict: made.verdict, archiveSha256: made.archiveSha256, signature: { reportKeyId, deviceKeyId, sameDevice, timestampedBy }, ...(download && { download }) };
    },

    'archive.renew': async ({ archive, tsaUrl, trustedRoots: roots }, { progress, signal }) => {
      const s = settings.get();
      const url = tsaUrl ?? s.tsaUrls[0];
      if (!url) throw new OperationFailure('tsa.none-configured', 'No time-stamping authority to renew with: give one (--tsa) or add one in Settings.');
      const { renewArchive } = await import('../core/archive/renew-archive.js');
      const renewed = await renewArchive(archiveOf(archive), {
        tsaUrl: url,
        trustedRoots: roots ?? (await trustedRoots(s)),
        signal,
        onProgress: (p) => progress({ phase: 'verify', done: p.done, total: p.total, detail: p.file }),
      });
      return { path: renewed.path, name: basename(renewed.path), action: renewed.action, chain: renewed.chain, ...(renewed.warning && { warning: renewed.warning }) };
    },

    ...vaultHandlers(deps, { archiveOf, openArchive: openArchiveFile, trustedRoots: () => trustedRoots(settings.get()), exportPathOf: (session) => defaultExportPath(deps.exportDir, session) }),
    ...fleetHandlers(deps),

    'dialog.chooseArchive': async () => needDialogs().chooseArchive(),
    'dialog.chooseFolder': async () => needDialogs().chooseFolder(),
    'dialog.chooseSaveArchive': async ({ suggestedName }) => needDialogs().chooseSaveArchive(suggestedName),
  };

  return {
    handlers,
    capture,
    archivePath: (handle) => archives.get(handle),
    reportPath: (id) => reports.get(id),
    publishedPath: (id) => published.get(id),
    async shutdown() {
      await capture.stopAll();
      archives.clear();
    },
  };
}
