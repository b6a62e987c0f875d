import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processStart } from '../../src/core/process/process-identity.js';
import { CLI, proofline, startProofline, type RunningCli } from '../support/cli.js';
import { ffmpegsMentioning, storedEvents, waitFor } from '../support/recording.js';
import { startXvfb, type RunningDisplay } from '../support/xvfb.js';

// One owner per session, across processes (DESIGN.md "Integrity model"): `proofline record` in
// one terminal and `proofline seal` in another, a recorder killed with -9, a lease naming a PID
// that is someone else now, and a seal racing a recording's start.

let root: string;
let screen: RunningDisplay | undefined;
const children: ChildProcess[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-owner-'));
});

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

/** Exports and verifies: 0 (all proven) or 3 (no TSA: sound but unproven), never 1 (broken). */
async function exportsAndVerifies(data: string, id: string, zip: string): Promise<void> {
  const exported = await proofline(['--data', data, 'export', id, '--out', zip]);
  expect(exported.code, exported.stderr).toBe(0);
  const verified = await proofline(['verify', zip, '--json']);
  expect([0, 3], verified.stdout + verified.stderr).toContain(verified.code);
}

describe('one owner per session, across processes', () => {
  it('refuses to seal a session another process records, naming it; after the recorder stops the seal works and verifies', async () => {
    const data = join(root, 'two-terminals');
    const watched = join(root, 'watched-a');
    mkdirSync(watched, { recursive: true });
    const id = await newSession(data, 'recorded in one terminal, sealed in another');
    const recorder = record(data, id, ['--watch', watched]);
    await waitFor(() => /recording into session/.test(recorder.stderr()), 20_000, `the recorder to start (stderr: ${recorder.stderr()})`);

    const refused = await proofline(['--data', data, 'seal', id]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(new RegExp(`process ${recorder.child.pid} on ${hostname()}`));
    expect(refused.stderr).toMatch(/recording/);
    expect(storedEvents(data, id).some((e) => e.type === 'session.sealed')).toBe(false);
    // A second recording is refused the same way.
    const second = await proofline(['--data', data, 'record', id, '--watch', watched, '--duration', '1']);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(new RegExp(`process ${recorder.child.pid}`));

    recorder.child.kill('SIGINT');
    expect(await recorder.exited).toBe(0);
    const sealed = await proofline(['--data', data, 'seal', id]);
    expect(sealed.code, sealed.stderr).toBe(0);
    await exportsAndVerifies(data, id, join(root, 'two-terminals.zip'));
  }, 60_000);

  it('kill -9 of the recorder, then seal at once: the dead (or zombie) owner is recovered and the archive verifies', async () => {
    screen = await startXvfb();
    const data = join(root, 'killed');
    const id = await newSession(data, 'recorder killed, sealed at once');
    const recorder = record(data, id, ['--display', screen.display, '--segment-seconds', '1', '--fps', '5']);
    await waitFor(() => /segment 0 appended/.test(recorder.stderr()), 30_000, `a segment (stderr: ${recorder.stderr()})`);
    // No wait for the exit: the recorder is a zombie until this process reaps it, which it cannot
    // do while it waits synchronously, so the seal runs beside a zombie owner.
    const pid = recorder.child.pid!;
    process.kill(pid, 'SIGKILL');
    const state = (): string => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      } catch {
        return 'gone';
      }
    };
    const until = Date.now() + 5_000;
    while (state() !== 'Z' && state() !== 'gone' && Date.now() < until);
    const zombie = state() === 'Z';
    const sealed = spawnSync(process.execPath, [CLI, '--data', data, 'seal', id], { env: { ...process.env, PROOFLINE_TSA_URLS: '' }, encoding: 'utf8', timeout: 30_000 });
    if (process.platform === 'linux') expect(zombie).toBe(true);
    expect(sealed.status, sealed.stderr).toBe(0);
    expect(sealed.stderr).toMatch(/recovered an interrupted recording/);
    const events = storedEvents(data, id);
    expect(events.some((e) => e.type === 'session.interrupted')).toBe(true);
    expect(events.at(-1)?.type).toBe('session.sealed');
    await exportsAndVerifies(data, id, join(root, 'killed.zip'));
    await recorder.exited;
  }, 60_000);

  it.runIf(process.platform === 'linux')('takes a lease naming a running PID with another start time as dead, and the right one as alive', async () => {
    const data = join(root, 'reused-pid');
    const id = await newSession(data, 'a lease whose PID is someone else now');
    const start = processStart(process.pid)!;
    const setLease = (pidStart: string): void => {
      const db = new BetterSqlite3(join(data, 'proofline.sqlite'));
      try {
        db.prepare('INSERT OR REPLACE INTO session_leases (session_id, pid, pid_start, host, purpose, taken_at) VALUES (?, ?, ?, ?, ?, ?)').run(id, process.pid, pidStart, hostname(), 'recording', new Date().toISOString());
      } finally {
        db.close();
      }
    };
    // This test process, as it is: alive, and not the CLI's own process.
    setLease(start);
    const refused = await proofline(['--data', data, 'seal', id]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(new RegExp(`process ${process.pid} on ${hostname()}`));
    // The same PID, started at another time (or in another boot): a process that is gone.
    const [boot, ticks] = start.split(':') as [string, string];
    setLease(`${boot}:${Number(ticks) + 7}`);
    const sealed = await proofline(['--data', data, 'seal', id]);
    expect(sealed.code, sealed.stderr).toBe(0);
    await exportsAndVerifies(data, id, join(root, 'reused-pid.zip'));
  }, 60_000);

  it('a seal racing a recording from another process: every sealed session exports and verifies', async () => {
    const data = join(root, 'race');
    const watched = join(root, 'watched-race');
    mkdirSync(watched, { recursive: true });
    const delays = [0, 150, 400, 900];
    for (const [i, delay] of delays.entries()) {
      const id = await newSession(data, `race ${i}`);
      const recorder = record(data, id, ['--watch', watched]);
      await new Promise((r) => setTimeout(r, delay + Math.floor(Math.random() * 100)));
      let sealed = await proofline(['--data', data, 'seal', id]);
      if (sealed.code !== 0) {
        // Refused while the recorder owns it, and only for that.
        expect(sealed.stderr).toMatch(/process \d+ on \S+ is using it \((recording|recovering)\)/);
        recorder.child.kill('SIGINT');
        await recorder.exited;
        sealed = await proofline(['--data', data, 'seal', id]);
        expect(sealed.code, sealed.stderr).toBe(0);
      } else {
        // Sealed first: the recorder refuses (or stops) on its own; stop it if it still runs.
        const ended = await Promise.race([recorder.exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 5_000))]);
        if (!ended) recorder.child.kill('SIGINT');
        await recorder.exited;
      }
      const zip = join(root, `race-${i}.zip`);
      const exported = await proofline(['--data', data, 'export', id, '--out', zip]);
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stderr).not.toMatch(/changed after seal/);
      const verified = await proofline(['verify', zip, '--json']);
      expect([0, 3], verified.stdout + verified.stderr).toContain(verified.code);
    }
  }, 90_000);
});
