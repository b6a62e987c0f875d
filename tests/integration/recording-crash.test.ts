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
    // setpriv --pdeathsig KILL: the kernel ends ffmpeg when its parent dies.
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
