#!/usr/bin/env node
// Run by `npm start` / `npm run dev` before Electron starts. Gets what the app needs at run
// time and nothing at install time (DESIGN.md: no postinstall that needs the internet):
//   (a) the Electron binary: electron's own postinstall is disabled (package.json
//       allowScripts), so its install.js is run here, on the first start;
//   (b) better-sqlite3 built for Electron's ABI, in .electron-native/, which main passes to
//       the core as `nativeBinding`. node_modules/better-sqlite3 keeps its Node build, so the
//       tests, the CLI and the app all work from one checkout.
// Exit 0 when both are ready; otherwise one line saying what is missing, and exit 1.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const electronDir = join(root, 'node_modules', 'electron');
const sqliteDir = join(root, 'node_modules', 'better-sqlite3');
const nativeDir = join(root, '.electron-native');
const nativeFile = join(nativeDir, 'better_sqlite3.node');
const stampFile = join(nativeDir, 'build.json');

const electronVersion = readJson(join(electronDir, 'package.json')).version;
// The arch electron/install.js downloads for, so the addon matches the binary.
const arch = process.env['npm_config_arch'] || process.arch;

/** A step that could not be done here; its message is the one line the user sees. */
class SetupError extends Error {}

try {
  ensureElectronBinary();
  ensureNativeSqlite();
} catch (error) {
  if (!(error instanceof SetupError)) throw error;
  console.error(`Proofline: ${error.message}`);
  process.exit(1);
}

function ensureElectronBinary() {
  if (electronBinaryPresent()) return;
  console.log(`Proofline: downloading Electron ${electronVersion} (first start only)…`);
  const run = spawnSync(process.execPath, [join(electronDir, 'install.js')], { cwd: electronDir, encoding: 'utf8' });
  if (run.status === 0 && electronBinaryPresent()) return;
  const reason = firstErrorLine(`${run.stderr ?? ''}\n${run.stdout ?? ''}`) ?? run.error?.message ?? 'no reason given';
  throw new SetupError(
    `the Electron ${electronVersion} binary could not be downloaded (${reason}), so the desktop app cannot start ` +
      'here; `proofline serve` (coming) shows the same UI in a browser.',
  );
}

/** The binary electron's index.js points at: dist/<path.txt>, or ELECTRON_OVERRIDE_DIST_PATH. */
function electronBinaryPresent() {
  try {
    return existsSync(require('electron'));
  } catch {
    return false; // index.js throws when path.txt is missing: not downloaded yet
  }
}

function ensureNativeSqlite() {
  const wanted = { electron: electronVersion, arch, betterSqlite3: readJson(join(sqliteDir, 'package.json')).version };
  const built = existsSync(stampFile) ? readJson(stampFile) : undefined;
  const upToDate =
    existsSync(nativeFile) && built !== undefined && Object.entries(wanted).every(([key, value]) => built[key] === value);
  if (upToDate) return;

  mkdirSync(nativeDir, { recursive: true });
  const logFile = join(nativeDir, 'rebuild.log');
  console.log(`Proofline: building better-sqlite3 ${wanted.betterSqlite3} for Electron ${electronVersion} (${arch}), about a minute…`);

  // Build a copy, so the Node build in node_modules (used by tests and the CLI) is untouched.
  const work = mkdtempSync(join(tmpdir(), 'proofline-electron-sqlite-'));
  try {
    const copy = join(work, 'better-sqlite3');
    cpSync(sqliteDir, copy, { recursive: true, dereference: true, filter: (source) => relative(sqliteDir, source) !== 'build' });
    const gyp = nodeGyp();
    const args = [
      ...gyp.args,
      'rebuild',
      '--release',
      `--target=${electronVersion}`,
      `--arch=${arch}`,
      '--dist-url=https://electronjs.org/headers',
      // Electron's headers kept apart from Node's, as Electron's native-module guide does.
      `--devdir=${join(homedir(), '.electron-gyp')}`,
    ];
    const run = spawnSync(gyp.command, args, { cwd: copy, env: gypEnv(), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    writeFileSync(logFile, `$ ${gyp.command} ${args.join(' ')}\n${run.stdout ?? ''}${run.stderr ?? ''}${run.error ?? ''}\n`);
    const output = join(copy, 'build', 'Release', 'better_sqlite3.node');
    if (run.status !== 0 || !existsSync(output)) {
      throw new SetupError(
        `could not build better-sqlite3 for Electron ${electronVersion} (${gypFailureReason(`${run.stdout ?? ''}\n${run.stderr ?? ''}`) ?? run.error?.message ?? `exit ${run.status}`}); ` +
          `full log: ${relative(root, logFile)}.`,
      );
    }
    // Copy then rename, so an interrupted start never leaves a half-written addon behind.
    cpSync(output, `${nativeFile}.partial`);
    renameSync(`${nativeFile}.partial`, nativeFile);
    writeFileSync(stampFile, `${JSON.stringify(wanted, null, 2)}\n`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * npm's own node-gyp: npm names it in npm_config_node_gyp when it runs a script, and it sits
 * beside node when the script is run directly. Else `npm exec node-gyp` (from the registry).
 */
function nodeGyp() {
  const nodeBin = dirname(process.execPath);
  const bundled = [
    process.env['npm_config_node_gyp'],
    join(nodeBin, '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(nodeBin, 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ].find((candidate) => candidate !== undefined && candidate !== '' && existsSync(candidate));
  if (bundled !== undefined) return { command: process.execPath, args: [bundled] };
  return { command: process.platform === 'win32' ? 'npm.cmd' : 'npm', args: ['exec', '--yes', '--', 'node-gyp'] };
}

/** node-gyp's log is long; name the download that failed, or its first error. */
function gypFailureReason(log) {
  const download = /gyp http GET (\S+)/.exec(log);
  if (download && /install got an error/.test(log)) return `could not download ${download[1]}`;
  const stack = /gyp ERR! stack (\w*Error: .*)/.exec(log);
  return stack?.[1] ?? firstErrorLine(log);
}

/**
 * node-gyp prefers a configured nodedir over --target, and npm passes .npmrc settings down as
 * npm_config_* variables: a `nodedir=/usr` there would silently build against Node's headers,
 * giving an addon Electron refuses to load. Drop it, and any runtime/target override.
 */
function gypEnv() {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url)$/i.test(key)) delete env[key];
  }
  return env;
}

function firstErrorLine(text) {
  const lines = text.split('\n').map((line) => line.trim());
  return lines.find((line) => /error/i.test(line) && !line.startsWith('at ')) ?? lines.find((line) => line !== '');
}

function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}
