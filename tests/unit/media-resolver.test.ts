// The one media resolver behind the app's proofline-media: protocol and `proofline serve`'s
// /media/ routes, called directly: byte ranges, headers, what it refuses. Real files: a session
// in a temp store, sealed and exported to a real archive.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { byteRange, createMediaResolver, mediaSourcesOf, type MediaRequest, type MediaResolver, type MediaResponse } from '../../src/host/media-resolver.js';
import { createHost, type Host } from '../../src/host/operations.js';
import { handleMediaRequest } from '../../src/main/media-protocol.js';
import { SettingsStore } from '../../src/host/settings-store.js';

let dir: string;
let pl: Proofline;
let host: Host;
let media: MediaResolver;
let session: string;
let handle: string;
const BYTES = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
const DOM = '<!doctype html><title>Copied</title><script>fetch("/ran")</script>';
let shaOf: (name: string) => string;
let sessionJson: Buffer;

const ctx = { progress: () => undefined, signal: new AbortController().signal };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-media-'));
  pl = openProofline({ dataDir: join(dir, 'data') });
  host = createHost({ pl, settings: new SettingsStore(join(dir, 'data')), host: 'web', exportDir: join(dir, 'exports') });
  media = createMediaResolver(mediaSourcesOf(pl, host, () => join(dir, 'no-such-ffmpeg')));
  session = (await pl.sessions.create({ kind: 'creation', title: 'Media' })).id;
  writeFileSync(join(dir, 'bytes.png'), BYTES);
  writeFileSync(join(dir, 'dom.html'), DOM);
  await pl.sessions.attach(session, [join(dir, 'bytes.png'), join(dir, 'dom.html')]);
  const artifacts = [...pl.events.iterate(session)].flatMap((e) => e.body.artifacts);
  shaOf = (name) => artifacts.find((a) => a.name === name)!.sha256;
  await pl.sessions.seal(session);
  const out = join(dir, 'media.zip');
  await pl.exportSession(session, { out });
  handle = (await host.handlers['archive.open']({ path: out }, ctx)).archive;
  const whole = await media.resolve({ path: `archive/${handle}/data/session.json` });
  sessionJson = await bodyOf(whole);
});

afterAll(async () => {
  await host.shutdown();
  pl.close();
  rmSync(dir, { recursive: true, force: true });
});

async function bodyOf(reply: MediaResponse): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of reply.body as Readable) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

const get = (path: string, extra: Omit<MediaRequest, 'path'> = {}): Promise<MediaResponse> => media.resolve({ path, ...extra });
const blob = (name: string): string => `blob/${session}/${shaOf(name)}`;

describe('the media resolver: a file recorded in a session', () => {
  it('sends the whole file with its recorded type and length, says it takes ranges, and sandboxes it', async () => {
    const reply = await get(blob('bytes.png'));
    expect(reply.status).toBe(200);
    expect(reply.headers).toMatchObject({ 'Content-Type': 'image/png', 'Content-Length': '4096', 'Accept-Ranges': 'bytes', 'X-Content-Type-Options': 'nosniff' });
    expect(reply.headers['Content-Security-Policy']).toMatch(/^sandbox;/);
    expect(reply.headers['Content-Range']).toBeUndefined();
    expect(await bodyOf(reply)).toEqual(BYTES);
  });

  it('sends the first bytes a range asks for, as 206 with their Content-Range', async () => {
    const reply = await get(blob('bytes.png'), { range: 'bytes=0-99' });
    expect(reply.status).toBe(206);
    expect(reply.headers).toMatchObject({ 'Content-Range': 'bytes 0-99/4096', 'Content-Length': '100' });
    expect(await bodyOf(reply)).toEqual(BYTES.subarray(0, 100));
  });

  it('sends the last n bytes for a suffix range, and the rest of the file for an open-ended one', async () => {
    const tail = await get(blob('bytes.png'), { range: 'bytes=-100' });
    expect(tail.status).toBe(206);
    expect(tail.headers['Content-Range']).toBe('bytes 3996-4095/4096');
    expect(await bodyOf(tail)).toEqual(BYTES.subarray(3996));
    const rest = await get(blob('bytes.png'), { range: 'bytes=4000-' });
    expect(rest.headers['Content-Range']).toBe('bytes 4000-4095/4096');
    expect(await bodyOf(rest)).toEqual(BYTES.subarray(4000));
    const beyond = await get(blob('bytes.png'), { range: 'bytes=4000-99999' });
    expect(beyond.headers['Content-Range']).toBe('bytes 4000-4095/4096');
  });

  it('answers 416 with the size for a range that starts past the end, and no body', async () => {
    const reply = await get(blob('bytes.png'), { range: 'bytes=4096-' });
    expect(reply.status).toBe(416);
    expect(reply.headers['Content-Range']).toBe('bytes */4096');
    expect(reply.body).toBeNull();
    expect((await get(blob('bytes.png'), { range: 'bytes=-0' })).status).toBe(416);
  });

  it('sends the whole file for a range it does not take (several, or last before first)', async () => {
    for (const range of ['bytes=0-1,5-6', 'bytes=50-10', 'items=0-1']) {
      const reply = await get(blob('bytes.png'), { range });
      expect(reply.status, range).toBe(200);
      expect(reply.headers['Content-Length']).toBe('4096');
    }
  });

  it('answers HEAD with the headers only', async () => {
    const reply = await get(blob('bytes.png'), { method: 'HEAD', range: 'bytes=10-19' });
    expect(reply.status).toBe(206);
    expect(reply.headers['Content-Length']).toBe('10');
    expect(reply.body).toBeNull();
  });

  it('sandboxes a captured page so its scripts cannot run, even opened on its own', async () => {
    const reply = await get(blob('dom.html'));
    expect(reply.headers['Content-Type']).toBe('text/html');
    expect(reply.headers['Content-Security-Policy']).toBe("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'");
    expect((await bodyOf(reply)).toString()).toBe(DOM);
  });

  it('answers 404 for a SHA-256 the session does not hold, one that is not a SHA-256, and an unknown session', async () => {
    const unknown = await get(`blob/${session}/${'0'.repeat(64)}`);
    expect(unknown.status).toBe(404);
    expect((await bodyOf(unknown)).toString()).toContain('No file 000000000000… is recorded in session');
    expect((await get(`blob/${session}/${shaOf('bytes.png').slice(0, 12)}`)).status).toBe(404);
    expect((await get(`blob/${session}/../../etc/passwd`)).status).toBe(404);
    expect((await get(`blob/ffffffff/${shaOf('bytes.png')}`)).status).toBe(404);
    expect((await get('blob')).status).toBe(404);
    expect((await get('elsewhere/x/y')).status).toBe(404);
  });

  it('says plainly when the recording cannot be converted for playback (no ffmpeg), and HEAD needs none', async () => {
    const reply = await get(blob('bytes.png'), { as: 'mp4' });
    expect(reply.status).toBe(503);
    expect((await bodyOf(reply)).toString()).toMatch(/^Cannot convert the recording for playback: .*no-such-ffmpeg/);
    const head = await get(blob('bytes.png'), { as: 'mp4', method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers).toMatchObject({ 'Content-Type': 'video/mp4', 'Accept-Ranges': 'none', 'Cache-Control': 'no-store' });
    expect(head.headers['Content-Security-Policy']).toMatch(/^sandbox;/);
  });
});

describe('the media resolver: an entry of an opened archive', () => {
  it('sends an entry whole, typed by the core media types, sandboxed, and by byte range', async () => {
    const whole = await get(`archive/${handle}/data/session.json`);
    expect(whole.status).toBe(200);
    expect(whole.headers).toMatchObject({ 'Content-Type': 'application/json', 'Accept-Ranges': 'bytes', 'Content-Length': String(sessionJson.length) });
    expect(whole.headers['Content-Security-Policy']).toMatch(/^sandbox;/);
    expect(JSON.parse(sessionJson.toString()).id).toBe(session);
    const part = await get(`archive/${handle}/data/session.json`, { range: 'bytes=5-14' });
    expect(part.status).toBe(206);
    expect(part.headers['Content-Range']).toBe(`bytes 5-14/${sessionJson.length}`);
    expect(await bodyOf(part)).toEqual(sessionJson.subarray(5, 15));
    const tail = await get(`archive/${handle}/data/session.json`, { range: 'bytes=-7' });
    expect(await bodyOf(tail)).toEqual(sessionJson.subarray(sessionJson.length - 7));
    expect((await get(`archive/${handle}/data/session.json`, { range: 'bytes=999999-' })).status).toBe(416);
  });

  it('sends a stored artifact from the archive byte for byte', async () => {
    const listing = await host.handlers['archive.contents']({ archive: handle }, ctx);
    const path = listing.artifactPaths[shaOf('bytes.png')]!;
    const reply = await get(`archive/${handle}/${path.split('/').map(encodeURIComponent).join('/')}`, { range: 'bytes=4000-' });
    expect(reply.headers['Content-Type']).toBe('image/png');
    expect(await bodyOf(reply)).toEqual(BYTES.subarray(4000));
  });

  it('refuses a path that is not a plain path inside the archive, with 400, before opening it', async () => {
    for (const path of ['data/../data/session.json', 'data/%2e%2e/data/session.json', 'data//session.json', './data/session.json', 'data%2Fsession.json', 'data\\session.json', 'data/session.json%00', 'data/%E0%A4%A']) {
      const reply = await get(`archive/${handle}/${path}`);
      expect(reply.status, path).toBe(400);
    }
    expect((await bodyOf(await get(`archive/${handle}/data/../x`))).toString()).toBe("Not a file inside an archive ('..' in the path): data/../x");
  });

  it('answers 404 for an entry the archive lacks and for an archive that is not open', async () => {
    const missing = await get(`archive/${handle}/data/nothing.json`);
    expect(missing.status).toBe(404);
    expect((await bodyOf(missing)).toString()).toBe('The archive has no file data/nothing.json.');
    expect((await get(`archive/00000000-0000-4000-8000-000000000000/data/session.json`)).status).toBe(404);
    expect((await get('archive/not-a-handle/data/session.json')).status).toBe(404);
  });
});

describe('the app\'s proofline-media: protocol, an adapter over the resolver', () => {
  it('answers a fetch Request with the resolver\'s status, headers and bytes', async () => {
    const part = await handleMediaRequest(new Request(`proofline-media://blob/${session}/${shaOf('bytes.png')}`, { headers: { range: 'bytes=-10' } }), media);
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 4086-4095/4096');
    expect(part.headers.get('content-security-policy')).toMatch(/^sandbox;/);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(BYTES.subarray(4086));
    const entry = await handleMediaRequest(new Request(`proofline-media://archive/${handle}/data/session.json`), media);
    expect(entry.headers.get('content-type')).toBe('application/json');
    expect(Buffer.from(await entry.arrayBuffer())).toEqual(sessionJson);
    expect((await handleMediaRequest(new Request(`proofline-media://archive/${handle}/data/nothing.json`), media)).status).toBe(404);
  });
});

describe('the recording as one HLS playlist (archive/<handle>/recording.m3u8?as=hls)', () => {
  let filmHandle: string;
  beforeAll(async () => {
    const id = (await pl.sessions.create({ kind: 'creation', title: 'Film' })).id;
    const recording = '7b0c0f4e-2d7e-4d39-9d1e-2f1f0c3b9a10';
    const t0 = Date.UTC(2026, 10, 30, 9, 0, 0);
    pl.events.append(id, { type: 'recording.started', payload: { recording, run: 1 } });
    for (const [index, from, to] of [[0, 0, 10], [1, 10, 20]] as const) {
      const file = join(dir, `seg-${index}.ts`);
      writeFileSync(file, Buffer.alloc(188 * 4, index + 1));
      const stored = await pl.blobs.putFile(file);
      pl.events.append(id, {
        type: 'recording.segment',
        payload: { recording, run: 1, index, file: `seg-${index}.ts`, durationSeconds: to - from, startedAt: new Date(t0 + from * 1000).toISOString(), endedAt: new Date(t0 + to * 1000).toISOString(), partial: false },
        artifacts: [{ sha256: stored.sha256, size: stored.size, name: `seg-${index}.ts`, mime: 'video/mp2t' }],
      });
    }
    pl.events.append(id, { type: 'recording.stopped', payload: { recording, reason: 'stopped by the user' } });
    await pl.sessions.seal(id);
    const out = join(dir, 'film.zip');
    await pl.exportSession(id, { out });
    filmHandle = (await host.handlers['archive.open']({ path: out }, ctx)).archive;
  });

  it('lists the archive\'s segments by their paths beside it, typed as an HLS playlist, never cached', async () => {
    const reply = await get(`archive/${filmHandle}/recording.m3u8`, { as: 'hls' });
    expect(reply.status).toBe(200);
    expect(reply.headers['Content-Type']).toBe('application/vnd.apple.mpegurl');
    expect(reply.headers['Cache-Control']).toBe('no-store');
    const text = (await bodyOf(reply)).toString();
    expect(text).toContain('#EXT-X-PROGRAM-DATE-TIME:2026-11-30T09:00:00.000Z');
    const uris = text.split('\n').filter((l) => l.startsWith('data/'));
    expect(uris).toHaveLength(2);
    // Each URI, resolved against the playlist's address, is the media route of that entry.
    const segment = await get(new URL(uris[1]!, `http://x/archive/${filmHandle}/recording.m3u8`).pathname);
    expect(segment.headers['Content-Type']).toBe('video/mp2t');
    expect(await bodyOf(segment)).toEqual(Buffer.alloc(188 * 4, 2));
  });

  it('says when there is nothing to play, and makes no playlist for another name or a session\'s blob', async () => {
    expect((await bodyOf(await get(`archive/${handle}/recording.m3u8`, { as: 'hls' }))).toString()).toBe('The archive holds no screen recording segment to play.');
    expect((await get(`archive/${filmHandle}/data/recording.m3u8`, { as: 'hls' })).status).toBe(404);
    expect((await get(`${blob('bytes.png')}`, { as: 'hls' })).status).toBe(404);
    expect((await get(`archive/${filmHandle}/recording.m3u8`)).status).toBe(404); // an entry of that name: none
  });

  it('lets the app\'s player fetch the playlist and segments from its page, and nothing else', async () => {
    const playlist = await handleMediaRequest(new Request(`proofline-media://archive/${filmHandle}/recording.m3u8?as=hls`), media);
    expect(playlist.status).toBe(200);
    expect(playlist.headers.get('access-control-allow-origin')).toBe('*');
    const first = (await playlist.text()).split('\n').find((l) => l.startsWith('data/'))!;
    const segment = await handleMediaRequest(new Request(new URL(first, `proofline-media://archive/${filmHandle}/recording.m3u8?as=hls`).href), media);
    expect(segment.headers.get('content-type')).toBe('video/mp2t');
    expect(segment.headers.get('access-control-allow-origin')).toBe('*');
    const other = await handleMediaRequest(new Request(`proofline-media://archive/${handle}/data/session.json`), media);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('byteRange (RFC 9110 §14.1.2)', () => {
  it('reads first-last, first-, and the suffix -n, clamped to the size', () => {
    expect(byteRange('bytes=0-0', 10)).toEqual({ start: 0, end: 0 });
    expect(byteRange('bytes=3-', 10)).toEqual({ start: 3, end: 9 });
    expect(byteRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(byteRange('bytes=-30', 10)).toEqual({ start: 0, end: 9 });
    expect(byteRange('bytes=2-400', 10)).toEqual({ start: 2, end: 9 });
  });

  it('is unsatisfiable past the end or for an empty suffix, and ignored when absent or invalid', () => {
    expect(byteRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(byteRange('bytes=-0', 10)).toBe('unsatisfiable');
    expect(byteRange('bytes=0-', 0)).toBe('unsatisfiable');
    expect(byteRange(undefined, 10)).toBeNull();
    expect(byteRange('bytes=-', 10)).toBeNull();
    expect(byteRange('bytes=5-2', 10)).toBeNull();
  });
});
