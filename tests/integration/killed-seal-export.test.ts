import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proofline, run, startProofline, type RunningCli } from '../support/cli.js';
import { waitFor } from '../support/recording.js';

// A seal and an export killed with -9 half-way. A seal is two steps (session.sealed, then the bag
// fixed): killed between them, the next `seal` finishes it and the archive discloses that it was
// finished by a later process. An export writes beside its target and links the file into place
// only when whole: killed, nothing exists under the archive's name, the half-written file is
// refused by verify as unusable (exit 2, not "tampered"), and the next export is whole.

let root: string;
let hanging: Server;
let hangingUrl: string;
const sockets = new Set<Socket>();
const children: ChildProcess[] = [];

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-killed-'));
  // A "TSA" that accepts the connection and never answers: the seal waits on it.
  hanging = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/tsa`;
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => hanging.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

function start(args: readonly string[], env: Record<string, string> = {}): RunningCli {
  const running = startProofline(args, env);
  children.push(running.child);
  return running;
}

function sessionState(data: string, id: string): { state: string; sealRecord: boolean } {
  const db = new BetterSqlite3(join(data, 'proofline.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT state FROM sessions WHERE id = ?').get(id) as { state: string };
    return { state: row.state, sealRecord: db.prepare('SELECT 1 FROM seals WHERE session_id = ?').get(id) !== undefined };
  } finally {
    db.close();
  }
}

async function newSession(data: string, title: string): Promise<string> {
  const made = await proofline(['--data', data, 'session', 'new', '--title', title]);
  expect(made.code, made.stderr).toBe(0);
  const id = made.stdout.trim();
  expect((await proofline(['--data', data, 'note', id, 'a note before the seal'])).code).toBe(0);
  return id;
}

describe('a seal killed between its two steps', () => {
  it('is finished by the next seal; the archive verifies and says the seal was finished by a later process', async () => {
    const data = join(root, 'seal');
    const id = await newSession(data, 'sealed, killed, sealed again');
    const sealing = start(['--data', data, 'seal', id], { PROOFLINE_TSA_URLS: hangingUrl });
    await waitFor(() => sessionState(data, id).state === 'sealed', 30_000, 'the first step of the seal');
    sealing.child.kill('SIGKILL');
    await sealing.exited;
    expect(sessionState(data, id)).toEqual({ state: 'sealed', sealRecord: false });

    // An export before the seal is finished says what to do.
    const early = await proofline(['--data', data, 'export', id, '--out', join(root, 'early.zip')]);
    expect(early.code).not.toBe(0);
    expect(early.stderr).toMatch(new RegExp(`its seal did not finish. Run 'proofline seal ${id}'`));

    await new Promise((resolve) => setTimeout(resolve, 200));
    const finished = await proofline(['--data', data, 'seal', id]);
    expect(finished.code, finished.stderr).toBe(0);
    expect(sessionState(data, id)).toEqual({ state: 'sealed', sealRecord: true });

    const zip = join(root, 'resumed.zip');
    const exported = await proofline(['--data', data, 'export', id, '--out', zip]);
    expect(exported.code, exported.stderr).toBe(0);
    const bagInfo = (await run('unzip', ['-p', zip, 'bag-info.txt'])).stdout;
    expect(bagInfo).toMatch(/^Proofline-Seal-Resumed-At: \d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    const verified = await proofline(['verify', zip, '--json']);
    expect([0, 3], verified.stdout + verified.stderr).toContain(verified.code);
    const report = JSON.parse(verified.stdout) as { checks: { id: string; status: string; detail: string }[] };
    expect(report.checks.find((c) => c.id === 'seal.signature')).toMatchObject({ status: 'pass', detail: expect.stringMatching(/the seal was interrupted and finished at .* by a later process/) });
    // Exported again, the same bag.
    const again = join(root, 'resumed-again.zip');
    expect((await proofline(['--data', data, 'export', id, '--out', again])).code).toBe(0);
    expect((await run('unzip', ['-p', again, 'tagmanifest-sha256.txt'])).stdout).toBe((await run('unzip', ['-p', zip, 'tagmanifest-sha256.txt'])).stdout);
  }, 120_000);
});

describe('an export killed half-way', () => {
  it('leaves nothing under the archive name, a part file verify calls unusable, and the next export is whole', async () => {
    const data = join(root, 'export');
    const id = await newSession(data, 'a large attachment');
    const big = join(root, 'big.bin');
    writeFileSync(big, randomBytes(400 << 20));
    expect((await proofline(['--data', data, 'attach', id, big])).code).toBe(0);
    expect((await proofline(['--data', data, 'seal', id])).code).toBe(0);

    const outDir = join(root, 'out');
    const zip = join(outDir, 'evidence.zip');
    mkdirSync(outDir, { recursive: true });
    const exporting = start(['--data', data, 'export', id, '--out', zip]);
    const partial = (): string | undefined => readdirSync(outDir).find((name) => name.endsWith('.partial'));
    await waitFor(() => {
      const name = partial();
      return name !== undefined && statSync(join(outDir, name)).size > 50 << 20;
    }, 60_000, 'the export to be half-way');
    exporting.child.kill('SIGKILL');
    await exporting.exited;
    expect(existsSync(zip)).toBe(false);
    const left = join(outDir, partial()!);
    const refused = await proofline(['verify', left]);
    expect(refused.code, refused.stdout + refused.stderr).toBe(2);
    expect(refused.stdout + refused.stderr).not.toMatch(/NOT VERIFIED/);

    const whole = await proofline(['--data', data, 'export', id, '--out', zip]);
    expect(whole.code, whole.stderr).toBe(0);
    expect((await run('unzip', ['-tq', zip])).code).toBe(0);
    const verified = await proofline(['verify', zip]);
    expect([0, 3]).toContain(verified.code);
  }, 180_000);
});
