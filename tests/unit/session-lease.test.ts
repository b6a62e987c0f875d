import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isRunning, ownIdentity, parseProcStat, pidRunning, processStart, type ProcessIdentity } from '../../src/core/process/process-identity.js';
import { openDatabase, type Database } from '../../src/core/store/database.js';
import { SessionLeases, SessionOwnedError } from '../../src/core/store/session-lease.js';

const linux = process.platform === 'linux';

describe('process identity', () => {
  it('reads the state and start time of /proc/PID/stat, whatever the command name holds', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 4));
    expect(parseProcStat(`123 (a) b (c)) S ${fields.slice(0, 18).join(' ')} 98765 ${fields.slice(19).join(' ')}`)).toEqual({ state: 'S', startTicks: '98765' });
    expect(parseProcStat('garbage')).toBeUndefined();
  });

  it('knows this process, by PID, start and host', () => {
    const me = ownIdentity();
    expect(me.pid).toBe(process.pid);
    expect(me.host).toBe(hostname());
    if (linux) {
      const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
      expect(me.start).toMatch(new RegExp(`^${boot}:\\d+$`));
    }
    expect(isRunning(me)).toBe(true);
    expect(pidRunning(process.pid)).toBe(true);
  });

  it('takes this PID with another start time, another boot or another host as not running', () => {
    const me = ownIdentity();
    expect(isRunning({ ...me, host: `${me.host}-elsewhere` })).toBe(false);
    if (!linux) return;
    const [boot, ticks] = me.start!.split(':') as [string, string];
    expect(isRunning({ ...me, start: `${boot}:${Number(ticks) + 1}` })).toBe(false);
    expect(isRunning({ ...me, start: `00000000-0000-0000-0000-000000000000:${ticks}` })).toBe(false);
  });

  it.runIf(linux)('takes a killed child that is not yet reaped (a zombie) as not running', async () => {
    // A shell whose child is killed and not waited for: the child stays a zombie while the shell sleeps.
    const shell = spawn('sh', ['-c', 'sleep 60 & echo $!; kill -9 $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const pid = Number(await new Promise<string>((resolve) => shell.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
      let state = '';
      for (let i = 0; i < 50 && state !== 'Z'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        state = parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))?.state ?? '';
      }
      expect(state).toBe('Z');
      // Signal 0 still finds it: the PID alone calls it alive.
      expect(() => process.kill(pid, 0)).not.toThrow();
      expect(pidRunning(pid)).toBe(false);
      expect(isRunning({ pid, start: processStart(pid), host: hostname() })).toBe(false);
    } finally {
      shell.kill('SIGKILL');
    }
  });
});

describe('session leases', () => {
  let dir: string;
  let db: Database;
  const other: ProcessIdentity = { pid: 999_999_0, start: 'boot:1', host: hostname() };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'proofline-lease-'));
    db = openDatabase(join(dir, 'proofline.db'));
    db.prepare("INSERT INTO sessions (id, kind, title, created_at, state) VALUES ('s1', 'creation', 't', '2026-01-01T00:00:00Z', 'open')").run();
  });

  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a second process while the owner lives, naming it; the row goes with the last use', () => {
    let otherAlive = true;
    const theirs = new SessionLeases(db, () => otherAlive, other);
    const mine = new SessionLeases(db, () => otherAlive);
    const recording = theirs.take('s1', 'recording');
    expect(recording.previous.kind).toBe('none');
    let refused: unknown;
    try {
      mine.take('s1', 'sealing');
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(SessionOwnedError);
    expect((refused as SessionOwnedError).code).toBe('session.owned');
    expect((refused as SessionOwnedError).kind).toBe('conflict');
    expect((refused as SessionOwnedError).params).toMatchObject({ sessionId: 's1', pid: other.pid, host: other.host, purpose: 'recording' });
    expect((refused as Error).message).toMatch(/Cannot seal session s1: process 9999990/);
    expect(() => mine.assertNotOwned('s1', 'export')).toThrow(SessionOwnedError);
    expect(mine.tryTake('s1', 'recovering')).toBeUndefined();

    // The same process may hold it twice (record and browse): the row stays until both end.
    const browsing = theirs.take('s1', 'browsing');
    expect(browsing.previous.kind).toBe('ours');
    expect(theirs.holder('s1')).toMatchObject({ kind: 'ours', lease: { purpose: 'recording, browsing' } });
    recording.release();
    recording.release();
    expect(theirs.holder('s1')).toMatchObject({ kind: 'ours', lease: { purpose: 'browsing' } });
    browsing.release();
    expect(theirs.holder('s1').kind).toBe('none');

    // A dead owner's lease is taken over, and says it was dead.
    theirs.take('s1', 'recording');
    otherAlive = false;
    expect(mine.holder('s1').kind).toBe('dead');
    const taken = mine.take('s1', 'sealing');
    expect(taken.previous).toMatchObject({ kind: 'dead', lease: { pid: other.pid, purpose: 'recording' } });
    expect(mine.holder('s1')).toMatchObject({ kind: 'ours', lease: { pid: process.pid, purpose: 'sealing' } });
    taken.release();
    expect(mine.holder('s1').kind).toBe('none');
  });

  it('judges a lease naming this PID with another start time as dead (by default)', () => {
    const me = ownIdentity();
    db.prepare('INSERT INTO session_leases (session_id, pid, pid_start, host, purpose, taken_at) VALUES (?, ?, ?, ?, ?, ?)').run('s1', me.pid, `${me.start ?? 'x'}-not-this-one`, me.host, 'recording', '2026-01-01T00:00:00Z');
    const leases = new SessionLeases(db);
    if (linux) expect(leases.holder('s1').kind).toBe('dead');
    const taken = leases.take('s1', 'recording');
    expect(taken.previous.kind).toBe(linux ? 'dead' : 'ours');
    taken.release();
  });
});
