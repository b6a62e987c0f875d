import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GENESIS_PREV } from '../../src/core/store/event-chain.js';
import { sha256Hex } from '../../src/core/store/hashing.js';
import { CLI, proofline, run } from '../support/cli.js';
import { buildZip, deepNamesZip, hostile, symlinkZip, zerosDeflated } from '../support/hostile-zips.js';

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'proofline-cli-'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The whole store is sound: SQLite's own check, and every session's chain re-walked. */
function assertStoreSound(dataDir: string): number {
  const db = new BetterSqlite3(join(dataDir, 'proofline.sqlite'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const rows = db.prepare('SELECT session_id, seq, hash, body FROM events ORDER BY session_id, seq').all() as { session_id: string; seq: number; hash: string; body: string }[];
    let prev = new Map<string, string>();
    for (const row of rows) {
      const body = JSON.parse(row.body) as { seq: number; prev: string };
      expect(body.seq).toBe(row.seq);
      expect(body.prev).toBe(prev.get(row.session_id) ?? GENESIS_PREV);
      expect(sha256Hex(row.body)).toBe(row.hash);
      prev.set(row.session_id, row.hash);
    }
    return rows.length;
  } finally {
    db.close();
  }
}

function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) resolve();
      else if (Date.now() - start > timeoutMs) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(tick, 20);
    };
    tick();
  });
}

describe('the command line', () => {
  it('prints --help for every command', async () => {
    for (const command of [[], ['session', 'new'], ['session', 'list'], ['note'], ['attach'], ['seal'], ['export'], ['verify']]) {
      const result = await proofline([...command, '--help']);
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/Usage: proofline/);
    }
  });

  it('reports an error as one line on stderr with a non-zero exit', async () => {
    const data = join(root, 'errors');
    const unknown = await proofline(['--data', data, 'note', 'deadbeef', 'hello']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    expect(unknown.stderr).toMatch(/^proofline: Session 'deadbeef': no session has that id/);

    const missingFile = await proofline(['--data', data, 'session', 'new', '--title', 'x', '--json']);
    const id = JSON.parse(missingFile.stdout).id as string;
    const attach = await proofline(['--data', data, 'attach', id, join(root, 'no-such.png')]);
    expect(attach.code).toBe(1);
    expect(attach.stderr).toMatch(/Cannot read .*no-such\.png/);

    const badKind = await proofline(['--data', data, 'session', 'new', '--title', 'x', '--kind', 'video']);
    expect(badKind.code).not.toBe(0);
    expect(badKind.stderr).toMatch(/video.*invalid|Allowed choices/i);

    const badTsa = await proofline(['--data', data, '--tsa', 'ftp://tsa', 'session', 'list']);
    expect(badTsa.code).toBe(2);
    expect(badTsa.stderr).toMatch(/must start with http/);

    const unsealed = await proofline(['--data', data, 'export', id, '--out', join(root, 'x.zip')]);
    expect(unsealed.code).toBe(1);
    expect(unsealed.stderr).toMatch(/not sealed.*proofline seal/);
  });

  it('uses PROOFLINE_DATA when --data is not given', async () => {
    const data = join(root, 'from-env');
    const created = await proofline(['session', 'new', '--title', 'env', '--kind', 'web', '--json'], { PROOFLINE_DATA: data });
    expect(created.code, created.stderr).toBe(0);
    const list = await proofline(['session', 'list', '--json'], { PROOFLINE_DATA: data });
    expect(JSON.parse(list.stdout)).toMatchObject([{ id: JSON.parse(created.stdout).id, kind: 'web', title: 'env', state: 'open' }]);
  });
});

/** Every tag file a bag needs, so the verifier gets as far as streaming the payload. */
async function bagWithLyingBomb(): Promise<Buffer> {
  const z = await zerosDeflated();
  const text = (name: string, data: string) => ({ name, data: Buffer.from(data) });
  return buildZip([
    text('bagit.txt', 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n'),
    text('bag-info.txt', 'Payload-Oxum: 65538.3\n'),
    text('manifest-sha256.txt', `${'0'.repeat(64)}  data/zeros.bin\n`),
    text('tagmanifest-sha256.txt', ''),
    text('data/session.json', '{}'),
    text('data/events.jsonl', '{}\n'),
    { name: 'data/zeros.bin', method: 8, compressed: z.compressed, size: 64 << 10, crc: z.crc },
  ]);
}

describe('hostile archives are refused without writing outside a temp folder', () => {
  const cases: [string, () => Buffer | Promise<Buffer>][] = [
    ['zip-slip', hostile.zipSlip],
    ['absolute path', hostile.absolute],
    ['duplicate names', hostile.duplicate],
    ['symlink', symlinkZip],
    ['zip bomb', hostile.honestBomb],
    ['zip bomb lying about its size, inside a well-formed bag', bagWithLyingBomb],
  ];
  for (const [name, build] of cases) {
    it(`${name}: exit 2, the entry named`, async () => {
      const dir = join(root, `hostile-${name.replace(/\W+/g, '-')}`);
      mkdirSync(dir);
      const zip = join(dir, 'received.zip');
      writeFileSync(zip, await build());
      const before = readdirSync(dir);
      const parent = readdirSync(root);
      const result = await proofline(['verify', zip, '--json'], {}, dir);
      expect(result.code).toBe(2);
      const report = JSON.parse(result.stdout) as { verdict: string; summary: string };
      expect(report.verdict).toBe('unusable');
      expect(report.summary).toMatch(/archive entry '/);
      expect(readdirSync(dir)).toEqual(before);
      expect(readdirSync(root)).toEqual(parent);
      expect(existsSync(join(root, 'proofline-slip.txt'))).toBe(false);
    });
  }
});

describe('an archive built to exhaust memory', () => {
  it('names nested 32,000 deep: exit 2, saying why, in under 200 MB', async () => {
    const dir = join(root, 'deep-names');
    mkdirSync(dir);
    const zip = join(dir, 'received.zip');
    writeFileSync(zip, deepNamesZip());
    // GNU time prints the child's peak resident set size (KiB) as the last line of stderr.
    // Before the fix this archive took 4.2 GB and died with "JavaScript heap out of memory".
    const result = await run('/usr/bin/time', ['-f', '%M', process.execPath, CLI, 'verify', zip, '--json']);
    expect(result.stderr).not.toMatch(/heap out of memory/);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as { verdict: string; summary: string };
    expect(report.verdict).toBe('unusable');
    expect(report.summary).toMatch(/has a name 65523 bytes long, over the 4096 allowed/);
    const maxRssKiB = Number(result.stderr.trim().split('\n').at(-1));
    expect(maxRssKiB).toBeGreaterThan(0);
    expect(maxRssKiB).toBeLessThan(200 * 1024);
  });
});

describe('kill -9', () => {
  it('during appends leaves a database that passes integrity_check and a chain that verifies', async () => {
    const data = join(root, 'killed-append');
    const created = await proofline(['--data', data, 'session', 'new', '--title', 'killed', '--json']);
    const id = JSON.parse(created.stdout).id as string;
    const script = `
      const { openProofline } = await import(${JSON.stringify(new URL('../../build/core/proofline.js', import.meta.url).href)});
      const pl = openProofline({ dataDir: ${JSON.stringify(data)} });
      for (let round = 0; ; round++) {
        pl.events.appendBatch(${JSON.stringify(id)}, Array.from({ length: 200 }, (_, i) => ({ type: 'note', payload: { text: 'round ' + round + ' note ' + i } })));
        if (round % 5 === 0) process.stdout.write('batch ' + round + '\\n');
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    await waitFor(() => (output.match(/batch/g) ?? []).length >= 4, 30_000, 'appends to start');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const events = assertStoreSound(data);
    expect(events).toBeGreaterThan(600);
    expect((await proofline(['--data', data, 'seal', id])).code).toBe(0);
    const zip = join(root, 'killed-append.zip');
    expect((await proofline(['--data', data, 'export', id, '--out', zip])).code).toBe(0);
    const verified = await proofline(['verify', zip, '--json']);
    expect(verified.code).toBe(3); // no TSA configured: intact, not attested
    const failed = (JSON.parse(verified.stdout) as { checks: { status: string }[] }).checks.filter((c) => c.status === 'fail');
    expect(failed).toEqual([]);
  });

  it('during export leaves no archive at the target, a sound store, and a later export that verifies', async () => {
    const data = join(root, 'killed-export');
    const created = await proofline(['--data', data, 'session', 'new', '--title', 'big', '--json']);
    const id = JSON.parse(created.stdout).id as string;
    const big = join(root, 'recording.mp4');
    const fd = openSync(big, 'w');
    for (let i = 0; i < 48; i++) writeSync(fd, randomBytes(4 << 20)); // 192 MiB, incompressible
    closeSync(fd);
    expect((await proofline(['--data', data, 'attach', id, big])).code).toBe(0);
    expect((await proofline(['--data', data, 'seal', id])).code).toBe(0);
    const outDir = join(root, 'exports');
    mkdirSync(outDir);
    const target = join(outDir, 'evidence.zip');
    const child = spawn(process.execPath, [CLI, '--data', data, 'export', id, '--out', target], { stdio: 'ignore' });
    const partial = (): string | undefined => readdirSync(outDir).find((f) => f.endsWith('.partial'));
    await waitFor(() => {
      const p = partial();
      return p !== undefined && statSync(join(outDir, p)).size > 20 << 20;
    }, 60_000, 'the export to be under way');
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    expect(existsSync(target)).toBe(false);
    assertStoreSound(data);
    const again = await proofline(['--data', data, 'export', id, '--out', target]);
    expect(again.code, again.stderr).toBe(0);
    const verified = await proofline(['verify', target, '--json']);
    expect(verified.code).toBe(3);
    expect((JSON.parse(verified.stdout) as { checks: { status: string }[] }).checks.filter((c) => c.status === 'fail')).toEqual([]);
  });
});
