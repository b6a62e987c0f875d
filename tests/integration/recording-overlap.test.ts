// A second recording of the same folder or display, across processes (issue 11, point 7): the
// app, `serve` and the CLI share one data folder. A folder watched by a live recording of another
// session (or inside one) is refused, naming that session; the same display is allowed and said,
// on stderr and in the evidence; a claim whose process was killed blocks nothing.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CaptureLifecycle } from '../../src/core/capture/lifecycle/index.js';
import { openProofline } from '../../src/core/proofline.js';
import { settingsSchema } from '../../src/shared/contract.js';
import { proofline, startProofline, type RunningCli } from '../support/cli.js';
import { ffmpegsMentioning, storedEvents, waitFor } from '../support/recording.js';
import { startXvfb, type RunningDisplay } from '../support/xvfb.js';

let root: string;
let screen: RunningDisplay;
const children: ChildProcess[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-overlap-'));
  screen = await startXvfb();
}, 30_000);

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of ffmpegsMentioning(root)) process.kill(pid, 'SIGKILL');
  await screen?.stop();
  rmSync(root, { recursive: true, force: true });
});

function record(data: string, id: string, args: readonly string[]): RunningCli {
  const running = startProofline(['--data', data, 'record', id, ...args]);
  children.push(running.child);
  return running;
}

async function newSession(data: string, title: string): Promise<string> {
  const made = await proofline(['--data', data, 'session', 'new', '--title', title]);
  expect(made.code, made.stderr).toBe(0);
  return made.stdout.trim();
}

describe('two recordings of one folder or display, in two processes', () => {
  it('refuses the same folder (and one inside it) naming the other session, warns for the same display, and frees the folder once the first is killed with SIGKILL', async () => {
    const data = join(root, 'data');
    const folder = join(root, 'outputs');
    mkdirSync(join(folder, 'inner'), { recursive: true });
    const first = await newSession(data, 'first session');
    const second = await newSession(data, 'second session');

    const recorder = record(data, first, ['--screen', '--display', screen.display, '--watch', folder, '--fps', '5', '--segment-seconds', '2']);
    await waitFor(() => /recording into session/.test(recorder.stderr()), 30_000, `the first recorder to start (stderr: ${recorder.stderr()})`);

    // The same folder from a second CLI: refused, naming the first session and its process.
    const before = storedEvents(data, second).length;
    const same = await proofline(['--data', data, 'record', second, '--watch', folder, '--duration', '1']);
    expect(same.code).toBe(1);
    expect(same.stderr).toContain(`Cannot watch ${folder}: session ${first} ("first session") already watches this folder (process ${recorder.child.pid}`);
    expect(storedEvents(data, second).length).toBe(before);

    // A folder inside it, through the lifecycle of another process (this one), as the app or `serve` would.
    const pl = openProofline({ dataDir: data });
    const lifecycle = new CaptureLifecycle({ pl, settings: () => settingsSchema.parse({}) });
    try {
      const inner = await lifecycle.start(second, { screen: false, watch: [join(folder, 'inner')] }).catch((e: unknown) => e);
      expect(inner).toMatchObject({ code: 'recording.folder-in-use', kind: 'conflict', params: { sessionId: first, otherPath: folder, pid: recorder.child.pid! } });
    } finally {
      await lifecycle.stopAll();
      pl.close();
    }
    expect(storedEvents(data, second).length).toBe(before);

    // The same display: two recordings of one screen may be intended, so it records, and says so.
    const shared = await proofline(['--data', data, 'record', second, '--display', screen.display, '--fps', '5', '--duration', '2']);
    expect(shared.code, shared.stderr).toBe(0);
    expect(shared.stderr).toContain(`warn: session ${first} ("first session") is recording the same display ${screen.display} too (process ${recorder.child.pid}`);
    const started = storedEvents(data, second).find((e) => e.type === 'recording.started');
    expect(started?.payload['sharedDisplay']).toEqual([expect.objectContaining({ sessionId: first, pid: recorder.child.pid })]);

    // kill -9 of the first: its claims die with it; the folder can be watched by the second.
    recorder.child.kill('SIGKILL');
    await recorder.exited;
    const after = await proofline(['--data', data, 'record', second, '--watch', folder, '--duration', '1']);
    expect(after.code, after.stderr).toBe(0);
    expect(after.stderr).not.toMatch(/Cannot watch/);
    expect(storedEvents(data, second).map((e) => e.type)).toContain('capture.watch.started');
  }, 90_000);
});
