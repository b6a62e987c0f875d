import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, proofline, run } from '../support/cli.js';
import { archivedSegments, ffmpegsMentioning, probe, processRunning, storedEvents, waitFor } from '../support/recording.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { startXvfb, type RunningDisplay } from '../support/xvfb.js';

let root: string;
let screen: RunningDisplay;
let tsa: RunningTsa;
const children: ChildProcess[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-recording-crash-'));
  screen = await startXvfb({ animate: true });
  tsa = await startTsa({ dir: root, name: 'Crash' });
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const pid of ffmpegsMentioning(root)) process.kill(pid, 'SIGKILL');
  await screen?.stop();
  await tsa?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Starts `proofline record` and resolves once it has appended `segments` segments. */
async function recordUntil(data: string, id: string, segments: number): Promise<{ child: ChildProcess; exited: Promise<unknown>; ffmpegPid: number; stderr: () => string }> {
  const child = spawn(process.execPath, [CLI, '--data', data, '--tsa', tsa.url, 'record', id, '--display', screen.display, '--segment-seconds', '1', '--fps', '10'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PROOFLINE_TSA_URLS: '' },
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  await waitFor(() => new RegExp(`segment ${segments - 1} appended`).test(stderr), 30_000, `${segments} segments (stderr: ${stderr})`);
  const started = storedEvents(data, id).find((e) => e.type === 'recording.started')!;
  return { child, exited, ffmpegPid: Number(started.payload['pid']), stderr: () => stderr };
}

/**
 * Starts `proofline record` for `duration` s with 10 s segments, kills (-9) the recorder, or the
 * recorder and its ffmpeg, `killAt` s after it reported the recording started, lets the next
 * start recover, and returns the seconds of video the session holds (events and ffprobe).
 */
async function killedAt(name: string, killAt: number, what: 'recorder' | 'recorder and ffmpeg'): Promise<{ events: number; probed: number; interrupted: Record<string, unknown>; partial: boolean }> {
  const data = join(root, name);
  const id = (await proofline(['--data', data, 'session', 'new', '--title', `killed at ${killAt} s`])).stdout.trim();
  const child = spawn(process.execPath, [CLI, '--data', data, 'record', id, '--display', screen.display, '--segment-seconds', '10', '--fps', '10', '--duration', '40'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PROOFLINE_TSA_URLS: '' },
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  // The notice follows the recording.started event: ffmpeg has been started, no frame is in yet.
  await waitFor(() => /recording the screen/.test(stderr), 30_000, `the recording to start (stderr: ${stderr})`);
  const startedAt = Date.now();
  await waitFor(() => Date.now() - startedAt >= killAt * 1000, killAt * 1000 + 5_000, `${killAt} s of recording`);
  process.kill(child.pid!, 'SIGKILL');
  const ffmpegPid = Number(storedEvents(data, id).find((e) => e.type === 'recording.started')!.payload['pid']);
  if (what === 'recorder and ffmpeg') process.kill(ffmpegPid, 'SIGKILL');
  await exited;
  expect(/segment 0 appended/.test(stderr), stderr).toBe(true);
  // SIGTERM by pdeathsig: ffmpeg closes its segment and ends; the watchdog's SIGKILL is the backstop.
  await waitFor(() => !processRunning(ffmpegPid), 8_000, 'ffmpeg to end after its parent');
  const sealed = await proofline(['--data', data, 'seal', id]);
  expect(sealed.code, sealed.stderr).toBe(0);
  expect(sealed.stderr).toMatch(/recovered an interrupted recording/);
  const events = storedEvents(data, id);
  const segments = events.filter((e) => e.type === 'recording.segment');
  expect(segments.map((e) => e.payload['index'])).toEqual(segments.map((_, i) => i));
  let probed = 0;
  for (const segment of segments) {
    const sha = segment.artifacts[0]!.sha256;
    const played = await probe(join(data, 'blobs', sha.slice(0, 2), sha));
    expect(played.packets, `segment ${String(segment.payload['index'])} plays`).toBeGreaterThan(0);
    probed += played.durationSeconds;
  }
  const interrupted = events.find((e) => e.type === 'session.interrupted')!.payload;
  return {
    events: segments.reduce((sum, e) => sum + Number(e.payload['durationSeconds']), 0),
    probed,
    interrupted,
    partial: segments.some((e) => e.payload['partial'] === true),
  };
}

describe('what a kill -9 loses', () => {
  // The README's figure: "after kill -9 at most 2 s before the kill is lost".
  it.each(['recorder', 'recorder and ffmpeg'] as const)('kill -9 of the %s 15 s into a 40 s recording with 10 s segments loses at most 2 s', async (what) => {
    const survived = await killedAt(what.replace(/ /g, '-'), 15, what);
    console.log(`kill -9 of the ${what} at 15 s: ${survived.events.toFixed(2)} s recorded (events), ${survived.probed.toFixed(2)} s (ffprobe), lost ${(15 - survived.events).toFixed(2)} s; last segment ${survived.partial ? 'cut short, kept by probing' : 'closed by ffmpeg'}; orphans stopped: ${JSON.stringify(survived.interrupted['orphanedFfmpegStopped'])}`);
    expect(survived.events).toBeGreaterThanOrEqual(13);
    expect(survived.events).toBeLessThanOrEqual(15.5);
    expect(survived.probed).toBeGreaterThanOrEqual(13);
    expect(survived.interrupted['survived']).toMatchObject({ missing: [] });
    expect(Number((survived.interrupted['survived'] as Record<string, unknown>)['seconds'])).toBeCloseTo(survived.events, 2);
  }, 150_000);
});

describe('a recording whose process is killed', () => {
  it('kill -9 of the recorder and its ffmpeg: closed segments survive and play, nothing keeps running, the next start recovers, seals and verifies', async () => {
    const data = join(root, 'tree');
    const id = (await proofline(['--data', data, '--tsa', tsa.url, 'session', 'new', '--title', 'killed mid-recording'])).stdout.trim();
    const recorder = await recordUntil(data, id, 3);
    expect(processRunning(recorder.ffmpegPid)).toBe(true);
    // The whole process tree at once, as a crash or a power cut would end it.
    process.kill(recorder.child.pid!, 'SIGKILL');
    process.kill(recorder.ffmpegPid, 'SIGKILL');
    await recorder.exited;
    await waitFor(() => !processRunning(recorder.ffmpegPid), 5_000, 'ffmpeg to be gone');
    expect(ffmpegsMentioning(data)).toEqual([]);
    const before = storedEvents(data, id);
    const storedBefore = before.filter((e) => e.type === 'recording.segment').length;
    expect(storedBefore).toBeGreaterThanOrEqual(3);
    expect(before.some((e) => e.type === 'recording.stopped')).toBe(false);
    // The segment being written is still on disk, waiting for recovery.
    const recordingDir = join(data, 'recordings', id);
    expect(readdirSync(join(recordingDir, readdirSync(recordingDir)[0]!)).some((f) => f.endsWith('.ts'))).toBe(true);

    // The next start (here: seal) closes the recording out before sealing.
    const sealed = await proofline(['--data', data, '--tsa', tsa.url, 'seal', id]);
    expect(sealed.code, sealed.stderr).toBe(0);
    expect(sealed.stderr).toMatch(new RegExp(`recovered an interrupted recording of session ${id}: ${storedBefore} segment\\(s\\) stored while it ran`));
    const after = storedEvents(data, id);
    const interrupted = after.find((e) => e.type === 'session.interrupted')!;
    expect(interrupted.payload).toMatchObject({ survived: { segmentsBefore: storedBefore, missing: [] }, orphanedFfmpegStopped: [] });
    expect(interrupted.payload['survived']).toMatchObject({ seconds: expect.any(Number) });
    expect(after.at(-1)?.type).toBe('session.sealed');
    expect(after.at(-1)?.payload['interrupted']).toBe(true);
    const list = JSON.parse((await proofline(['--data', data, 'session', 'list', '--json'])).stdout) as { id: string; interrupted: boolean }[];
    expect(list.find((s) => s.id === id)?.interrupted).toBe(true);

    const zip = join(root, 'tree.zip');
    expect((await proofline(['--data', data, 'export', id, '--out', zip])).code).toBe(0);
    const verified = await proofline(['verify', zip, '--trust', tsa.caPath, '--json']);
    expect(verified.code, verified.stdout).toBe(0);
    const report = JSON.parse(verified.stdout) as { checks: { id: string; status: string; detail: string }[] };
    expect(report.checks.find((c) => c.id === 'recording.continuity')).toMatchObject({ status: 'pass' });

    const dir = mkdtempSync(join(root, 'tree-x-'));
    expect((await run('unzip', ['-q', zip, '-d', dir])).code).toBe(0);
    const segments = archivedSegments(dir);
    expect(segments.length).toBeGreaterThanOrEqual(storedBefore);
    expect(segments.map((s) => s.index)).toEqual(segments.map((_, i) => i));
    for (const segment of segments) expect((await probe(segment.file)).packets, `segment ${segment.index}${segment.partial ? ' (cut short)' : ''} plays`).toBeGreaterThan(0);
  }, 150_000);

  it('kill -9 of the recorder alone takes its ffmpeg with it, and the interruption is disclosed', async () => {
    const data = join(root, 'parent-only');
    const id = (await proofline(['--data', data, 'session', 'new', '--title', 'recorder killed'])).stdout.trim();
    const recorder = await recordUntil(data, id, 1);
    process.kill(recorder.child.pid!, 'SIGKILL');
    await recorder.exited;
    // setpriv --pdeathsig TERM: the kernel tells ffmpeg to finish when its parent dies (the watchdog kills it 3 s on).
    await waitFor(() => !processRunning(recorder.ffmpegPid), 5_000, 'the orphaned ffmpeg to die with its parent');
    const recovered = await proofline(['--data', data, 'record', id, '--display', screen.display, '--duration', '1', '--segment-seconds', '1']);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stderr).toMatch(/recovered an interrupted recording/);
    const events = storedEvents(data, id);
    const types = events.map((e) => e.type);
    // The first recording ends with the interruption; the second one starts after it, and stops.
    expect(types.indexOf('session.interrupted')).toBeLessThan(types.lastIndexOf('recording.started'));
    expect(types.lastIndexOf('recording.stopped')).toBeGreaterThan(types.lastIndexOf('recording.started'));
    expect((await proofline(['--data', data, 'seal', id])).code).toBe(0);
    const zip = join(root, 'parent-only.zip');
    expect((await proofline(['--data', data, 'export', id, '--out', zip])).code).toBe(0);
    const verified = await proofline(['verify', zip, '--json']);
    expect(verified.code).toBe(3);
    const report = JSON.parse(verified.stdout) as { checks: { id: string; status: string; detail: string }[] };
    expect(report.checks.find((c) => c.id === 'recording.continuity')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/^2 recording\(s\)/) });
  }, 150_000);
});
