// The error family (STYLE.md habit 9): each failure a person meets carries a kind and a stable
// code, and every host maps kinds in one place: toOperationError for IPC and HTTP, the web host's
// status table, the CLI's exit codes. Real failures on real files where one can be had.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, openArchive } from '../../src/core/archive/read-zip.js';
import { readTrustedRoots, TrustedRootError } from '../../src/core/attest/trusted-roots.js';
import { requestTimestamp, TsaError } from '../../src/core/attest/tsa-client.js';
import { ArtifactLookupError, findSessionArtifact } from '../../src/core/capture/creation/marks.js';
import { FfmpegNotFoundError, locateFfmpeg } from '../../src/core/capture/recording/ffmpeg-locate.js';
import { asProoflineError, ProoflineError } from '../../src/core/errors.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { SessionSealedError } from '../../src/core/session-guard.js';
import { DatabaseVersionError } from '../../src/core/store/database.js';
import { SessionClosedError } from '../../src/core/store/event-log.js';
import { SessionNotFoundError } from '../../src/core/store/sessions.js';
import { UsageError } from '../../src/host/cli-context.js';
import { describeFailure, EXIT_CODE_OF_KIND } from '../../src/host/cli.js';
import { createHost, OperationFailure, toOperationError, type Host } from '../../src/host/operations.js';
import { SettingsStore } from '../../src/host/settings-store.js';
import { HTTP_STATUS_OF_KIND, startWebHost, type WebHost } from '../../src/host/web-host.js';
import errorsLocale from '../../src/renderer/src/locales/errors.js';
import { errorCodes, type ErrorKind } from '../../src/shared/errors.js';

const KINDS: readonly ErrorKind[] = ['invalid-input', 'not-found', 'conflict', 'unavailable', 'interrupted', 'damaged', 'failed'];

let dir: string;
let pl: Proofline;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-errors-'));
  pl = openProofline({ dataDir: join(dir, 'data') });
});

afterAll(() => {
  pl.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The rejection or throw of `work`, for asserting on. */
async function caught(work: () => unknown): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure, got none');
}

/** A loopback port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('the error family', () => {
  it('says a note on a sealed session is a conflict, with the session in its params', async () => {
    const session = await pl.sessions.create({ kind: 'creation', title: 'sealed for the test' });
    await pl.sessions.seal(session.id);
    const error = await caught(() => pl.sessions.note(session.id, 'too late'));
    expect(error).toBeInstanceOf(SessionSealedError);
    expect(error).toMatchObject({ kind: 'conflict', code: 'session.sealed', params: { sessionId: session.id } });
    expect((error as Error).message).toMatch(/was sealed at .*: nothing more can be added/);
    // The store refuses it too, under the same code, if a caller skips the guard.
    const below = await caught(() => pl.events.append(session.id, { type: 'note', payload: { text: 'too late' } }));
    expect(below).toBeInstanceOf(SessionClosedError);
    expect(below).toMatchObject({ kind: 'conflict', code: 'session.sealed' });
  });

  it('says an unknown session is not found, naming what was asked for', async () => {
    const error = await caught(() => pl.sessions.get('deadbeef'));
    expect(error).toBeInstanceOf(SessionNotFoundError);
    expect(error).toMatchObject({ kind: 'not-found', code: 'session.not-found', params: { query: 'deadbeef' } });
  });

  it('says an empty note and a missing title are invalid input', async () => {
    const session = await pl.sessions.create({ kind: 'web', title: 'open' });
    expect(await caught(() => pl.sessions.note(session.id, '   '))).toMatchObject({ kind: 'invalid-input', code: 'note.empty', message: 'A note needs some text.' });
    expect(await caught(() => pl.sessions.create({ kind: 'web', title: ' ' }))).toMatchObject({ kind: 'invalid-input', code: 'session.title-missing' });
  });

  it('says a configured ffmpeg that does not exist is unavailable, naming its path', async () => {
    const missing = join(dir, 'no-such-ffmpeg');
    const error = await caught(() => locateFfmpeg(missing));
    expect(error).toBeInstanceOf(FfmpegNotFoundError);
    expect(error).toMatchObject({ kind: 'unavailable', code: 'ffmpeg.path-invalid', params: { path: missing } });
    expect((error as Error).message).toContain(`the configured ffmpeg (${missing}) does not exist`);
    const nowhere = await caught(() => locateFfmpeg(undefined, { env: { PATH: '' }, ffmpegStatic: () => null }));
    expect(nowhere).toMatchObject({ kind: 'unavailable', code: 'ffmpeg.missing' });
  });

  it('says a TSA that refuses connections is unreachable, hence unavailable, and keeps its reason', async () => {
    const url = `http://127.0.0.1:${await closedPort()}/tsa`;
    const error = await caught(() => requestTimestamp(url, Buffer.alloc(32, 1), { timeoutMs: 5_000 }));
    expect(error).toBeInstanceOf(TsaError);
    expect(error).toMatchObject({ reason: 'unreachable', kind: 'unavailable', code: 'tsa.unreachable', params: { url } });
  });

  it('says a PNG given as an archive is not a ZIP, and a missing trusted root cannot be read', async () => {
    const png = join(dir, 'picture.zip');
    writeFileSync(png, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const archive = await caught(() => openArchive(png));
    expect(archive).toBeInstanceOf(ArchiveError);
    expect(archive).toMatchObject({ reason: 'not-zip', kind: 'invalid-input', code: 'archive.not-zip' });
    const root = await caught(() => readTrustedRoots([join(dir, 'no-root.pem')]));
    expect(root).toBeInstanceOf(TrustedRootError);
    expect(root).toMatchObject({ reason: 'unreadable', kind: 'invalid-input', code: 'trusted-root.unreadable' });
  });

  it('says a SHA-256 that names no file of the session is not found', async () => {
    const session = await pl.sessions.create({ kind: 'creation', title: 'no images yet' });
    const error = await caught(() => findSessionArtifact(pl, session.id, 'abcdef0123456789'));
    expect(error).toBeInstanceOf(ArtifactLookupError);
    expect(error).toMatchObject({ reason: 'missing', kind: 'not-found', code: 'artifact.missing', params: { query: 'abcdef0123456789', sessionId: session.id } });
  });

  it('gives the other named classes their kind and code, keeping their names', () => {
    expect(new DatabaseVersionError('/x/proofline.db', 9, 3)).toMatchObject({ name: 'DatabaseVersionError', kind: 'unavailable', code: 'database.too-new', params: { found: 9, supported: 3 } });
    expect(new UsageError('give a session id')).toMatchObject({ name: 'UsageError', kind: 'invalid-input', code: 'cli.usage' });
    expect(new OperationFailure('archive.closed', 'That archive is no longer open: open it again.')).toMatchObject({ name: 'OperationFailure', kind: 'not-found', code: 'archive.closed' });
    for (const error of [new SessionNotFoundError('x'), new ArchiveError('hostile', 'refused', 'a/../b'), new TsaError('http', 'http://tsa', 'HTTP 500')]) {
      expect(error).toBeInstanceOf(ProoflineError);
    }
  });

  it('gives every code one of the kinds', () => {
    for (const kind of Object.values(errorCodes)) expect(KINDS).toContain(kind);
  });
});

describe('toOperationError: one mapping for IPC and HTTP', () => {
  it('carries kind, code and params as thrown', () => {
    expect(toOperationError(new SessionSealedError('s1', '2025-01-01T00:00:00.000Z'))).toEqual({
      kind: 'conflict',
      code: 'session.sealed',
      message: 'Session s1 was sealed at 2025-01-01T00:00:00.000Z: nothing more can be added. Start a new session.',
      params: { sessionId: 's1', sealedAt: '2025-01-01T00:00:00.000Z' },
    });
  });

  it('says a missing ffmpeg is unavailable, not failed', async () => {
    const error = toOperationError(await caught(() => locateFfmpeg(join(dir, 'gone'))));
    expect(error).toMatchObject({ kind: 'unavailable', code: 'ffmpeg.path-invalid' });
  });

  it('keeps the fields of invalid input', () => {
    const error = toOperationError(new OperationFailure('trusted-root.no-certificate', 'trustedRootFiles.0: x.pem holds no certificate', { file: 'x.pem' }, [{ path: 'trustedRootFiles.0', message: 'x.pem holds no certificate' }]));
    expect(error).toMatchObject({ kind: 'invalid-input', code: 'trusted-root.no-certificate', issues: [{ path: 'trustedRootFiles.0' }] });
  });

  it('passes anything else on as unexpected, with its first line, and an abort as cancelled', () => {
    expect(toOperationError(new Error('database disk image is malformed\n    at Statement.run'))).toEqual({ kind: 'failed', code: 'unexpected', message: 'database disk image is malformed' });
    expect(toOperationError('a string')).toEqual({ kind: 'failed', code: 'unexpected', message: 'a string' });
    const abort = new AbortController();
    abort.abort();
    expect(toOperationError(abort.signal.reason)).toMatchObject({ kind: 'interrupted', code: 'operation.cancelled' });
    expect(asProoflineError(new Error('x')).cause).toBeInstanceOf(Error);
  });
});

describe('the web host: one status per kind', () => {
  let host: Host;
  let web: WebHost;
  beforeAll(async () => {
    const renderer = join(dir, 'renderer');
    mkdirSync(renderer, { recursive: true });
    host = createHost({ pl, settings: new SettingsStore(join(dir, 'data')), host: 'web', exportDir: join(dir, 'exports') });
    web = await startWebHost({ host, pl, rendererDir: renderer, archivePath: host.archivePath });
  });
  afterAll(async () => {
    await host.shutdown();
    await web.close();
  });
  const call = async (op: string, input: unknown): Promise<{ status: number; error: Record<string, unknown> }> => {
    const response = await fetch(`${web.origin}/api/${op}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-proofline-secret': web.secret }, body: JSON.stringify(input) });
    return { status: response.status, error: ((await response.json()) as { error: Record<string, unknown> }).error };
  };

  it('maps each kind to its status', () => {
    expect(HTTP_STATUS_OF_KIND).toEqual({ 'invalid-input': 400, 'not-found': 404, conflict: 409, damaged: 422, unavailable: 503, interrupted: 499, failed: 500 });
  });

  it('answers an unknown session 404, a note on a sealed session 409, an unopened archive 404, each with its code', async () => {
    expect(await call('session.get', { id: 'deadbeef' })).toMatchObject({ status: 404, error: { kind: 'not-found', code: 'session.not-found', params: { query: 'deadbeef' } } });
    const session = await pl.sessions.create({ kind: 'creation', title: 'sealed over HTTP' });
    await pl.sessions.seal(session.id);
    expect(await call('session.note', { id: session.id, text: 'late' })).toMatchObject({ status: 409, error: { kind: 'conflict', code: 'session.sealed', params: { sessionId: session.id } } });
    expect(await call('archive.file', { archive: '00000000-0000-4000-8000-000000000000', path: 'bagit.txt' })).toMatchObject({ status: 404, error: { code: 'archive.closed' } });
  });

  it('answers input that fails its schema 400 with input.invalid', async () => {
    expect(await call('session.create', { kind: 'creation', title: '' })).toMatchObject({ status: 400, error: { kind: 'invalid-input', code: 'input.invalid' } });
  });
});

describe('the command line: one exit code per kind', () => {
  it('keeps 2 for a command called wrongly and 1 for every other failure', () => {
    expect(EXIT_CODE_OF_KIND).toEqual({ usage: 2, 'invalid-input': 1, 'not-found': 1, conflict: 1, unavailable: 1, interrupted: 1, damaged: 1, failed: 1 });
    expect(describeFailure(new UsageError("--port must be a port number, not 'x'"))).toEqual({ exitCode: 2, line: "proofline: --port must be a port number, not 'x'\n" });
    expect(describeFailure(new SessionNotFoundError('deadbeef')).exitCode).toBe(1);
    expect(describeFailure(new SessionSealedError('s1', null)).exitCode).toBe(1);
    expect(describeFailure(new Error('first line\nstack')).line).toBe('proofline: first line\n');
  });
});

describe('the renderer: every code in Chinese', () => {
  it('has a Chinese text for every code, and English only where the host’s message speaks to the command line', () => {
    const codes = Object.keys(errorCodes).sort();
    expect(Object.keys(errorsLocale.zh).filter((key) => key !== 'original').sort()).toEqual(codes);
    for (const key of Object.keys(errorsLocale.en)) expect([...codes, 'original']).toContain(key);
  });
});
