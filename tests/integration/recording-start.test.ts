// A start that fails checks first and leaves no misleading events (issue 11, point 7): a watched
// folder that does not exist, an ffmpeg path that is wrong, a display that is not there each
// fail at once with an error that names them, before anything is entered in the session; ffmpeg
// dying at once after its start was recorded is recorded as a failure, and the session verifies.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureLifecycle } from '../../src/core/capture/lifecycle/index.js';
import { openProofline } from '../../src/core/proofline.js';
import { settingsSchema } from '../../src/shared/contract.js';
import { proofline } from '../support/cli.js';
import { ffmpegsMentioning, storedEvents } from '../support/recording.js';
import { startXvfb, type RunningDisplay } from '../support/xvfb.js';

let root: string;
let screen: RunningDisplay;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-start-'));
  screen = await startXvfb();
}, 30_000);

afterAll(async () => {
  for (const pid of ffmpegsMentioning(root)) process.kill(pid, 'SIGKILL');
  await screen?.stop();
  rmSync(root, { recursive: true, force: true });
});

async function newSession(data: string, title: string): Promise<string> {
  const made = await proofline(['--data', data, 'session', 'new', '--title', title]);
  expect(made.code, made.stderr).toBe(0);
  return made.stdout.trim();
}

const recordingEvents = (data: string, id: string): string[] =>
  storedEvents(data, id)
    .map((e) => e.type)
    .filter((type) => type.startsWith('recording.') || type.startsWith('capture.watch') || type === 'environment.snapshot');

describe('a recording that cannot start', () => {
  it('with a watched folder that does not exist, fails in under 2 s naming the folder, and the session gains no recording event', async () => {
    const data = join(root, 'missing-folder');
    const id = await newSession(data, 'missing folder');
    const before = storedEvents(data, id).length;
    const missing = join(root, 'no-such-folder');

    // Through the lifecycle, as the app and `serve` call it: the screen asked for too (the UI's default).
    const pl = openProofline({ dataDir: data });
    const lifecycle = new CaptureLifecycle({ pl, settings: () => settingsSchema.parse({ recording: { display: screen.display } }) });
    try {
      const started = Date.now();
      const error = await lifecycle.start(id, { screen: true, watch: [missing] }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(error).toMatchObject({ code: 'folder.missing', kind: 'not-found', params: { path: missing } });
      expect((error as Error).message).toMatch(/does not exist/);
      expect(lifecycle.status(id).state).toBe('idle');
    } finally {
      await lifecycle.stopAll();
      pl.close();
    }
    expect(ffmpegsMentioning(data)).toEqual([]);

    // Through the command line, as a user types it.
    const started = Date.now();
    const cli = await proofline(['--data', data, 'record', id, '--screen', '--display', screen.display, '--watch', missing]);
    const took = Date.now() - started;
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`The output folder ${missing} does not exist`);
    expect(cli.stderr).not.toMatch(/recording into session/);
    // A whole CLI run (Node's start, the store's open) is counted here: still far under the 10–17 s of before.
    expect(took).toBeLessThan(5_000);

    expect(storedEvents(data, id).length).toBe(before);
    expect(recordingEvents(data, id)).toEqual([]);
  }, 30_000);

  it('with a wrong ffmpeg path and the screen, says it is the ffmpeg, and records nothing', async () => {
    const data = join(root, 'wrong-ffmpeg');
    const id = await newSession(data, 'wrong ffmpeg');
    const before = storedEvents(data, id).length;
    const started = Date.now();
    const cli = await proofline(['--data', data, 'record', id, '--display', screen.display, '--ffmpeg', join(root, 'not-ffmpeg')]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain(`the configured ffmpeg (${join(root, 'not-ffmpeg')}) does not exist or is not an executable file`);
    expect(storedEvents(data, id).length).toBe(before);
    const types = storedEvents(data, id).map((e) => e.type);
    expect(types).not.toContain('recording.started');
    expect(types).not.toContain('recording.segment');
    expect(JSON.stringify(storedEvents(data, id))).not.toContain('stopped by the user');
  }, 30_000);

  it('with a wrong ffmpeg path while only folders are watched, records the folders: ffmpeg is not needed for them', async () => {
    // What a user expects: the screen is off, so the ffmpeg setting has nothing to do with it.
    const data = join(root, 'folders-only');
    const folder = join(root, 'outputs');
    mkdirSync(folder);
    const id = await newSession(data, 'folders only');
    const cli = await proofline(['--data', data, 'record', id, '--watch', folder, '--ffmpeg', join(root, 'not-ffmpeg'), '--duration', '1']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toMatch(/recording into session .*: watch:/);
    const types = storedEvents(data, id).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['capture.watch.started', 'capture.watch.stopped']));
    expect(types).not.toContain('recording.started');
  }, 30_000);

  it('with a display that is not running, says which display, and records nothing', async () => {
    const data = join(root, 'no-display');
    const id = await newSession(data, 'no display');
    const before = storedEvents(data, id).length;
    const cli = await proofline(['--data', data, 'record', id, '--display', ':4242']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('The X display :4242 cannot be reached');
    expect(storedEvents(data, id).length).toBe(before);
  }, 30_000);

  it('when ffmpeg dies at once after the start was recorded, records recording.failed with the reason (never "stopped by the user") and the session still verifies', async () => {
    const data = join(root, 'ffmpeg-dies');
    const id = await newSession(data, 'ffmpeg dies at once');
    // The display answers, but the region lies outside its 1280x720 screen: ffmpeg cannot grab it.
    const cli = await proofline(['--data', data, 'record', id, '--display', screen.display, '--region', '640x480+5000+5000', '--fps', '5']);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/Screen recording could not start/);
    const events = storedEvents(data, id);
    const types = events.map((e) => e.type);
    expect(types).toContain('recording.started');
    expect(types).toContain('recording.failed');
    expect(types).not.toContain('recording.stopped');
    expect(JSON.stringify(events)).not.toContain('stopped by the user');
    expect(events.find((e) => e.type === 'recording.failed')?.payload['reason']).toBeTruthy();

    const sealed = await proofline(['--data', data, 'seal', id]);
    expect(sealed.code, sealed.stderr).toBe(0);
    const zip = join(root, 'ffmpeg-dies.zip');
    const exported = await proofline(['--data', data, 'export', id, '--out', zip]);
    expect(exported.code, exported.stderr).toBe(0);
    const verified = await proofline(['verify', zip, '--json']);
    expect([0, 3], verified.stdout + verified.stderr).toContain(verified.code);
  }, 60_000);
});
