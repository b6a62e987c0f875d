// STYLE.md habit 12: every child goes through one launcher, tied to its parent and to an
// AbortSignal. The first test pins the "one launcher" part on the sources; the others show the
// ties on real processes.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { failureOf, launch, run } from '../../src/core/process/launch.js';
import { remuxTsToMp4 } from '../../src/host/remux.js';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.tsx?$/.test(name) ? [path] : [];
  });
}

/** Whether a process still runs (a zombie has ended: only its exit status is left). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The pids of this process's children whose command is `name`. */
function children(name: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').trim();
        const [, comm, rest] = /^\d+ \((.*)\) (.*)$/.exec(stat)!;
        return comm === name && Number(rest!.split(' ')[1]) === process.pid && running(Number(pid));
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('the one launcher of child processes', () => {
  it('is the only place in src/core, src/host and src/main that starts a child (serve opening a browser excepted)', () => {
    const allowed = new Set(['src/core/process/launch.ts', 'src/host/commands/serve.ts']);
    const starting: string[] = [];
    const browsers: string[] = [];
    for (const file of ['src/core', 'src/host', 'src/main'].flatMap((dir) => sources(join(root, dir)))) {
      const name = relative(root, file);
      const text = readFileSync(file, 'utf8');
      if (/\b(spawn|spawnSync|execFile|execFileSync|exec|execSync|fork)\(/.test(text) && /node:child_process|'child_process'/.test(text) && !allowed.has(name)) starting.push(name);
      // Playwright starts Chromium itself: it must be started through launchVia, which ties it to the signal.
      if (/\.(launch|launchPersistentContext)\(/.test(text) && /from 'playwright'/.test(text) && !/launchVia\(/.test(text)) browsers.push(name);
    }
    expect(starting).toEqual([]);
    expect(browsers).toEqual([]);
  });

  it('kills a child when its signal aborts, and starts none on a signal already aborted', async () => {
    const abort = new AbortController();
    const child = launch('sleep', ['60'], { signal: abort.signal });
    expect(running(child.pid)).toBe(true);
    abort.abort();
    const exit = await child.exited;
    expect(exit).toMatchObject({ aborted: true, signal: 'SIGKILL', timedOut: false });
    expect(running(child.pid)).toBe(false);
    expect(() => launch('sleep', ['60'], { signal: abort.signal })).toThrow(/cancelled/);
  });

  it('runs a tool to its end, and says plainly when it is not installed or too slow', async () => {
    const ok = await run('sh', ['-c', 'printf out; printf err >&2; exit 3'], { input: 'ignored' });
    expect({ code: ok.code, stdout: ok.stdout.toString(), stderr: ok.stderr.toString() }).toEqual({ code: 3, stdout: 'out', stderr: 'err' });
    const missing = await run('proofline-no-such-tool', ['--version']);
    expect(missing.error?.code).toBe('ENOENT');
    expect(failureOf('proofline-no-such-tool', missing)).toBe('proofline-no-such-tool is not installed (not found on PATH)');
    const slow = await run('sleep', ['60'], { timeoutMs: 100 });
    expect(slow).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });

  it('ties a child to its parent: killing the parent with SIGKILL ends the child at once', async () => {
    const script = `import('${join(root, 'src/core/process/launch.ts')}').then(({ launch }) => { const c = launch('sleep', ['60']); console.log(c.pid, c.guard); setInterval(() => {}, 1000); });`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolveLine) => parent.stdout.once('data', (chunk: Buffer) => resolveLine(chunk.toString())));
    const [pid, guard] = line.trim().split(' ');
    expect(guard).toBe(existsSync('/usr/bin/setpriv') ? 'pdeathsig' : 'watchdog');
    expect(running(Number(pid))).toBe(true);
    parent.kill('SIGKILL');
    await until(() => !running(Number(pid)), guard === 'pdeathsig' ? 2_000 : 5_000);
  }, 30_000);

  it('on request, ends a child gently when the parent dies (SIGTERM, so it can finish writing), and kills it after the grace if it does not end', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'proofline-launch-'));
    const marker = join(dir, 'terminated');
    const gentle = `trap 'echo finished > ${marker}; exit 0' TERM; while :; do sleep 0.1; done`;
    const stubborn = `trap '' TERM; while :; do sleep 0.1; done`;
    const launchTs = join(root, 'src/core/process/launch.ts');
    const script = `import('${launchTs}').then(({ launch }) => { const o = { onParentDeath: { signal: 'SIGTERM', graceMs: 1000 } }; const a = launch('sh', ['-c', ${JSON.stringify(gentle)}], o); const b = launch('sh', ['-c', ${JSON.stringify(stubborn)}], o); console.log(a.pid, b.pid); setInterval(() => {}, 1000); });`;
    const parent = spawn(process.execPath, ['--import', 'tsx', '-e', script], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolveLine) => parent.stdout.once('data', (chunk: Buffer) => resolveLine(chunk.toString())));
    const [gentlePid, stubbornPid] = line.trim().split(' ').map(Number) as [number, number];
    await until(() => running(gentlePid) && running(stubbornPid));
    parent.kill('SIGKILL');
    try {
      // The gentle one ran its TERM handler; the one that ignores TERM is killed after the grace.
      await until(() => !running(gentlePid), 3_000);
      expect(readFileSync(marker, 'utf8').trim()).toBe('finished');
      await until(() => !running(stubbornPid), 6_000);
    } finally {
      for (const pid of [gentlePid, stubbornPid]) if (running(pid)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('stops the viewer’s remux (ffmpeg) when its signal aborts', async () => {
    const before = new Set(children('ffmpeg'));
    const abort = new AbortController();
    // An input that never ends: ffmpeg would wait for it for ever.
    const input = new PassThrough();
    const remux = await remuxTsToMp4(input, '/usr/bin/ffmpeg', abort.signal);
    // Under setpriv the child is named setpriv until it execs ffmpeg.
    let started: number[] = [];
    await until(() => (started = children('ffmpeg').filter((pid) => !before.has(pid))).length === 1);
    const closed = new Promise<void>((resolveClose) => remux.output.once('close', () => resolveClose()));
    remux.output.resume();
    abort.abort();
    await closed;
    await until(() => !running(started[0]!));
    // ffmpeg gone, nothing reads the input: it is let go (a file or an archive entry closed).
    await until(() => input.destroyed);
  });
});
