// `proofline --help` must start fast (issue 13: under 150 ms, measured by bench/run.mjs, not
// here: timings are not asserted in tests). What this pins is the cause: printing the help loads
// the command line's own modules and commander, never the store, the archive layer, X.509 or the
// capture modules. A loader hook records every module the real, built CLI resolves.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI } from '../support/cli.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'proofline-startup-'));
  // ES modules pass the resolve hook (run on the loader's thread, so it appends to a file);
  // CommonJS modules end up in require.cache, listed at exit.
  writeFileSync(
    join(dir, 'hook.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.LOADED_LOG, resolved.url + '\\n');
  return resolved;
}
`,
  );
  writeFileSync(
    join(dir, 'register.mjs'),
    `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
register('./hook.mjs', import.meta.url);
const require = createRequire(import.meta.url);
process.on('exit', () => appendFileSync(process.env.LOADED_LOG, Object.keys(require.cache).join('\\n') + '\\n'));
`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the built CLI with the hook; resolves with its exit code, output and the modules it loaded. */
function loadedBy(args: readonly string[]): Promise<{ code: number; stdout: string; loaded: string[] }> {
  const log = join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(log, '');
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', join(dir, 'register.mjs'), CLI, ...args],
      { env: { ...process.env, PROOFLINE_TSA_URLS: '', LOADED_LOG: log } },
      (error, stdout) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, loaded: readFileSync(log, 'utf8').split('\n').filter(Boolean) });
      },
    );
  });
}

// What a command loads when it runs, and --help must not: the store (better-sqlite3), the archive
// writer and reader, X.509 and CMS, the capture modules (Playwright, the folder watcher), PDF.
const HEAVY = /node_modules\/(better-sqlite3|archiver|yauzl|playwright|playwright-core|pkijs|@peculiar\/[^/]+|asn1js|chokidar|pdf-lib|pngjs|jpeg-js|exifr|ws)\/|build\/core\/(proofline|archive\/|store\/|capture\/|attest\/)/;

describe('proofline start-up', () => {
  it('prints the help without loading the store, the archive layer, X.509 or capture modules', async () => {
    const { code, stdout, loaded } = await loadedBy(['--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: proofline');
    for (const command of ['export', 'verify', 'capture', 'record', 'serve', 'report']) expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    expect(loaded.some((m) => m.includes('commander'))).toBe(true);
    expect(loaded.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  it("prints a command's own help as lightly", async () => {
    const { code, stdout, loaded } = await loadedBy(['export', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('--out <file.zip>');
    expect(loaded.filter((m) => HEAVY.test(m))).toEqual([]);
  });

  it('exports a sealed session without X.509, PKI.js, the ZIP reader or the verifier: it signs and reads no archive', async () => {
    const data = join(dir, 'export-data');
    const session = await loadedBy(['--data', data, 'session', 'new', '--title', 'what export loads']);
    const id = session.stdout.trim();
    expect((await loadedBy(['--data', data, 'seal', id])).code).toBe(0);

    const { code, loaded } = await loadedBy(['--data', data, 'export', id, '--out', join(dir, 'export.zip')]);
    expect(code).toBe(0);
    expect(loaded.some((m) => m.includes('build/core/archive/write-bag.js'))).toBe(true);
    const notNeeded = /node_modules\/(pkijs|@peculiar\/[^/]+|yauzl|playwright|playwright-core|chokidar)\/|build\/core\/archive\/(verify-archive|read-zip)\.js/;
    expect(loaded.filter((m) => notNeeded.test(m))).toEqual([]);
  });

  it('loads the verifier once a command needs it (the hook sees what is loaded)', async () => {
    const { code, loaded } = await loadedBy(['verify', join(dir, 'no-such-archive.zip')]);
    expect(code).toBe(2);
    expect(loaded.some((m) => m.includes('build/core/archive/verify-archive.js'))).toBe(true);
  });
});
