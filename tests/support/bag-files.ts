import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { run } from './cli.js';

/** Unzips an archive into `dir` with Info-ZIP, as a lawyer would. */
export async function unzipTo(zip: string, dir: string): Promise<void> {
  const result = await run('unzip', ['-q', zip, '-d', dir]);
  if (result.code !== 0) throw new Error(`unzip failed: ${result.stderr}`);
}

/** Zips a folder back up with Info-ZIP (what an attacker who edits an archive would do). */
export async function zipFolder(dir: string, zip: string): Promise<void> {
  const result = await run('zip', ['-q', '-r', '-X', '-D', zip, '.'], dir);
  if (result.code !== 0) throw new Error(`zip failed: ${result.stderr}`);
}

const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

function filesUnder(dir: string, sub: string): string[] {
  const root = join(dir, sub);
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(root);
  return out.sort();
}

/**
 * What a careful attacker does after editing a bag: recompute both payload manifests' SHA-256
 * lines, Payload-Oxum, and the tag manifest, so that `sha256sum -c` passes again.
 */
export function recomputeManifests(dir: string): void {
  const payload = filesUnder(dir, 'data');
  writeFileSync(join(dir, 'manifest-sha256.txt'), payload.map((p) => `${sha256(readFileSync(join(dir, p)))}  ${p}\n`).join(''));
  const octets = payload.reduce((sum, p) => sum + statSync(join(dir, p)).size, 0);
  const info = readFileSync(join(dir, 'bag-info.txt'), 'utf8').replace(/^Payload-Oxum: .*$/m, `Payload-Oxum: ${octets}.${payload.length}`);
  writeFileSync(join(dir, 'bag-info.txt'), info);
  const tags = readFileSync(join(dir, 'tagmanifest-sha256.txt'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(66));
  writeFileSync(join(dir, 'tagmanifest-sha256.txt'), tags.map((p) => `${sha256(readFileSync(join(dir, p)))}  ${p}\n`).join(''));
}

export function rewriteEvents(dir: string, edit: (lines: string[]) => string[]): void {
  const path = join(dir, 'data', 'events.jsonl');
  const lines = readFileSync(path, 'utf8').split('\n').filter(Boolean);
  writeFileSync(path, `${edit(lines).join('\n')}\n`);
}

export { sha256 };
