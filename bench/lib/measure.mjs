// Timing helpers: run a command (optionally under /usr/bin/time for peak RSS), medians, flushes.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/**
 * Runs `cmd args` and resolves with its wall time and, where GNU time exists, its peak RSS.
 * /usr/bin/time costs one fork+exec (well under a millisecond), the same for every contender.
 */
export function runTimed(cmd, args, { cwd, scratch, env, allowFail = false } = {}) {
  const rssFile = GNU_TIME && scratch ? join(scratch, `rss-${process.pid}-${Math.random().toString(36).slice(2)}.txt`) : undefined;
  const [file, argv] = rssFile ? [GNU_TIME, ['-f', '%M', '-o', rssFile, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(file, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let maxRssKb;
      if (rssFile && existsSync(rssFile)) {
        maxRssKb = Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop());
        rmSync(rssFile, { force: true });
      }
      if (code !== 0 && !allowFail) {
        reject(new Error(`${cmd} ${args.join(' ')} exited with ${code} in ${cwd ?? process.cwd()}:\n${stderr.slice(-2000)}`));
        return;
      }
      resolve({ seconds, maxRssKb, code, stdout, stderr });
    });
  });
}

/** Flushes every dirty page so one contender's writeback never lands in another's timing. */
export function flushAll() {
  spawnSync('sync', { stdio: 'ignore' });
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median, min and max of some values, and the values themselves. */
export function spread(values) {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), values };
}

export function toolVersion(cmd, args = ['--version'], pattern = /\S/) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return (r.stdout || r.stderr || '').split('\n').find((l) => pattern.test(l))?.trim() ?? 'unknown';
}
