import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureNotice } from '../../src/core/capture/capture-source.js';
import { startScreenRecording } from '../../src/core/capture/recording/screen-recorder.js';
import { openProofline } from '../../src/core/proofline.js';
import { CLI, proofline, run } from '../support/cli.js';
import { archivedSegments, clockPixels, probe, processRunning, storedEvents, waitFor } from '../support/recording.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';
import { startXvfb, type RunningDisplay } from '../support/xvfb.js';

let root: string;
let screen: RunningDisplay;
let tsa: RunningTsa;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-recording-'));
  screen = await startXvfb({ animate: true });
  tsa = await startTsa({ dir: root, name: 'Recording' });
});

afterAll(async () => {
  await screen?.stop();
  await tsa?.stop();
  rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function extract(zip: string): Promise<string> {
  const dir = mkdtempSync(join(root, 'x-'));
  const unzipped = await run('unzip', ['-q', zip, '-d', dir]);
  expect(unzipped.code, unzipped.stderr).toBe(0);
  return dir;
}

function continuity(stdout: string): { status: string; detail: string } {
  const report = JSON.parse(stdout) as { checks: { id: string; status: string; detail: string }[] };
  return report.checks.find((c) => c.id === 'recording.continuity')!;
}

describe('screen recording under Xvfb', () => {
  it('records segments that are appended as they close, pause and resume included, and the sealed archive verifies and plays', async () => {
    const data = join(root, 'core');
    const pl = openProofline({ dataDir: data, tsaUrls: [tsa.url] });
    const notices: CaptureNotice[] = [];
    let sessionId: string;
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'Poster, batch 3' });
      sessionId = session.id;
      const recording = await startScreenRecording(pl, session.id, { display: screen.display, fps: 10, segmentSeconds: 1, onNotice: (n) => notices.push(n) });
      // The chain grows while recording: a segment is in the store before we stop.
      await waitFor(() => recording.status().segments >= 2, 15_000, 'two segments to be appended while recording');
      expect(recording.status().state).toBe('recording');
      await recording.pause();
      expect(recording.status().state).toBe('paused');
      const pausedAt = recording.status().segments;
      await sleep(1500);
      expect(recording.status().segments).toBe(pausedAt);
      await recording.resume();
      await waitFor(() => recording.status().segments >= pausedAt + 2, 15_000, 'segments after resuming');
      await recording.stop();
      await recording.done;
      const status = recording.status();
      expect(status.state).toBe('stopped');
      expect(existsSync(join(data, 'recordings', session.id))).toBe(false); // every working file is in the blob store

      const events = pl.events.count(session.id);
      expect(events).toBeGreaterThan(6);
      const types = [...pl.events.iterate(session.id)].map((e) => e.body.type);
      expect(types.filter((t) => t.startsWith('recording.') && t !== 'recording.segment')).toEqual(['recording.started', 'recording.paused', 'recording.resumed', 'recording.stopped']);
      const segments = [...pl.events.iterate(session.id)].filter((e) => e.body.type === 'recording.segment');
      expect(segments.map((e) => e.body.payload['index'])).toEqual(segments.map((_, i) => i));
      expect(segments.every((e) => e.body.artifacts[0]?.mime === 'video/mp2t')).toBe(true);
      expect(notices.filter((n) => /segment \d+ appended/.test(n.message))).toHaveLength(segments.length);
      await pl.sessions.seal(session.id);
      await pl.exportSession(session.id, { out: join(root, 'core.zip') });
    } finally {
      pl.close();
    }

    const verified = await proofline(['verify', join(root, 'core.zip'), '--trust', tsa.caPath, '--json']);
    expect(verified.code, verified.stdout).toBe(0);
    expect(continuity(verified.stdout)).toMatchObject({ status: 'pass', detail: expect.stringMatching(/1 recording\(s\), \d+ segment\(s\).*1 gap\(s\), each disclosed/) });

    const extracted = await extract(join(root, 'core.zip'));
    const segments = archivedSegments(extracted);
    let played = 0;
    for (const segment of segments) {
      const p = await probe(segment.file);
      expect(p.packets, `segment ${segment.index} plays`).toBeGreaterThan(0);
      played += p.durationSeconds;
    }
    const recorded = segments.reduce((sum, s) => sum + s.durationSeconds, 0);
    expect(recorded).toBeGreaterThan(3);
    expect(Math.abs(played - recorded)).toBeLessThan(segments.length * 0.25);
    // The burned-in clock: white text top-left, where the test pattern never reaches.
    expect(clockPixels(segments[0]!.file)).toBeGreaterThan(50);
    expect(sessionId!).toBeDefined();
  });

  it('proofline record stops at --duration, prints progress, exits 0, and the archive verifies (3 without a TSA)', async () => {
    const data = join(root, 'cli');
    const id = (await proofline(['--data', data, 'session', 'new', '--title', 'cli recording'])).stdout.trim();
    const recorded = await proofline(['--data', data, 'record', id, '--display', screen.display, '--duration', '3', '--segment-seconds', '1', '--fps', '10', '--no-clock', '--quality', 'low']);
    expect(recorded.code, recorded.stderr).toBe(0);
    expect(recorded.stderr).toMatch(/screen: segment 0 appended \(1\.0 s, \d+ bytes, sha256 [0-9a-f]{12}…\)/);
    expect(recorded.stdout).toMatch(/stopped after \d+\.\d s: \d+ segment\(s\)/);
    const stopped = storedEvents(data, id).find((e) => e.type === 'recording.stopped')!;
    expect(stopped.payload['reason']).toBe('the requested duration of 3 s was reached');
    const started = storedEvents(data, id).find((e) => e.type === 'recording.started')!;
    expect(started.payload).toMatchObject({ fps: 10, segmentSeconds: 1, quality: { crf: 34, preset: 'ultrafast' }, clock: { enabled: false }, ffmpeg: { source: 'path' } });
    // The environment at the start of the work, once per session, with its full report attached.
    const snapshots = storedEvents(data, id).filter((e) => e.type === 'environment.snapshot');
    expect(snapshots).toHaveLength(1);
    expect(snapshots[0]!.artifacts.map((a) => a.name)).toContain('environment.json');

    expect((await proofline(['--data', data, 'seal', id])).code).toBe(0);
    expect((await proofline(['--data', data, 'export', id, '--out', join(root, 'cli.zip')])).code).toBe(0);
    const verified = await proofline(['verify', join(root, 'cli.zip'), '--json']);
    expect(verified.code).toBe(3);
    expect(continuity(verified.stdout).status).toBe('pass');
    const segments = archivedSegments(await extract(join(root, 'cli.zip')));
    expect(segments.length).toBeGreaterThanOrEqual(2);
    expect(clockPixels(segments[0]!.file)).toBe(0); // --no-clock
  }, 120_000);

  it('Ctrl-C (SIGINT) closes the open segment and exits 0', async () => {
    const data = join(root, 'sigint');
    const id = (await proofline(['--data', data, 'session', 'new', '--title', 'interrupted by the user'])).stdout.trim();
    const child = spawn(process.execPath, [CLI, '--data', data, 'record', id, '--display', screen.display, '--segment-seconds', '1', '--fps', '10'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => /segment 1 appended/.test(stderr), 20_000, 'two segments');
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
    const events = storedEvents(data, id);
    expect(events.find((e) => e.type === 'recording.stopped')?.payload['reason']).toBe('interrupted by the user (SIGINT)');
    const pid = Number(events.find((e) => e.type === 'recording.started')!.payload['pid']);
    expect(processRunning(pid)).toBe(false);
  });

  it('says how to get ffmpeg when there is none, and records nothing', async () => {
    const data = join(root, 'no-ffmpeg');
    const id = (await proofline(['--data', data, 'session', 'new', '--title', 'no ffmpeg'])).stdout.trim();
    const before = storedEvents(data, id).length;
    const configured = await proofline(['--data', data, 'record', id, '--display', screen.display, '--ffmpeg', join(root, 'missing', 'ffmpeg'), '--duration', '1']);
    expect(configured.code).toBe(1);
    expect(configured.stderr).toMatch(/the configured ffmpeg \(.*missing\/ffmpeg\) does not exist.*Install ffmpeg/);
    const emptyPath = await proofline(['--data', data, 'record', id, '--display', screen.display, '--duration', '1'], { PATH: '', FFMPEG_PATH: '' });
    expect(emptyPath.code).toBe(1);
    expect(emptyPath.stderr).toMatch(/^proofline: ffmpeg was not found: .*no ffmpeg on PATH\. Install ffmpeg \(Debian\/Ubuntu: apt-get install ffmpeg/);
    expect(storedEvents(data, id)).toHaveLength(before);
  }, 120_000);

  it('records why when ffmpeg dies mid-recording, keeps what was recorded, and the session still verifies', async () => {
    const data = join(root, 'ffmpeg-dies');
    const pl = openProofline({ dataDir: data });
    try {
      const session = await pl.sessions.create({ kind: 'creation', title: 'ffmpeg killed' });
      const recording = await startScreenRecording(pl, session.id, { display: screen.display, fps: 10, segmentSeconds: 1 });
      await waitFor(() => recording.status().segments >= 1, 15_000, 'a first segment');
      const started = [...pl.events.iterate(session.id)].find((e) => e.body.type === 'recording.started')!;
      process.kill(Number(started.body.payload['pid']), 'SIGKILL');
      await recording.done;
      expect(recording.status()).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/^ffmpeg was killed by SIGKILL/) });
      const failed = [...pl.events.iterate(session.id)].find((e) => e.body.type === 'recording.failed')!;
      expect(failed.body.payload).toMatchObject({ signal: 'SIGKILL', diskFull: false });
      expect(Number(failed.body.payload['segments'])).toBeGreaterThanOrEqual(1);
      await recording.stop(); // a host stopping every source afterwards gets no error
      await pl.sessions.seal(session.id);
      await pl.exportSession(session.id, { out: join(root, 'dies.zip') });
    } finally {
      pl.close();
    }
    const verified = await proofline(['verify', join(root, 'dies.zip'), '--json']);
    expect(verified.code).toBe(3);
    expect(continuity(verified.stdout).status).toBe('pass');
    for (const segment of archivedSegments(await extract(join(root, 'dies.zip')))) expect((await probe(segment.file)).packets).toBeGreaterThan(0);
  });
});
