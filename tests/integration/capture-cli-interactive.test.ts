import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, proofline } from '../support/cli.js';
import { storedEvents, waitFor } from '../support/recording.js';
import { startTestSite, type TestSite } from '../support/test-site.js';
import { startXvfb, type RunningDisplay } from '../support/xvfb.js';

let root: string;
let site: TestSite;
let xvfb: RunningDisplay;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-browse-cli-'));
  [site, xvfb] = await Promise.all([startTestSite(root), startXvfb({ width: 1280, height: 900 })]);
});

afterAll(async () => {
  await Promise.all([site?.stop(), xvfb?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

describe('proofline capture without URLs (a browser the user drives)', () => {
  it('Ctrl-C ends the browsing through the lifecycle: the network log is stored, the last line says what was captured, exit 0', async () => {
    const data = join(root, 'data');
    const id = (await proofline(['--data', data, 'session', 'new', '--kind', 'web', '--title', 'browsed from the CLI'])).stdout.trim();
    const child = spawn(process.execPath, [CLI, '--data', data, 'capture', id, '--start', `${site.httpOrigin}/plain`, '--no-env-check', '--no-record'], {
      env: { ...process.env, DISPLAY: xvfb.display, PROOFLINE_TSA_URLS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => storedEvents(data, id).some((e) => e.type === 'web.capture'), 45_000, `the capture of /plain (stderr: ${stderr})`);
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(0);
    expect(stdout).toBe(`browsing ended: 1 page capture(s) in session ${id}\n`);
    const events = storedEvents(data, id);
    expect(events.find((e) => e.type === 'web.interactive.stopped')?.payload).toMatchObject({ reason: 'interrupted (Ctrl-C)', networkLog: 'stored', pagesCaptured: 1 });
    expect(events.find((e) => e.type === 'web.capture.network')?.artifacts.map((a) => a.name).sort()).toEqual(['capture.wacz', 'network.har']);
  }, 120_000);
});
