// Anchoring follows the events: in a session that runs for about three minutes, with images
// arriving in a watched folder and notes added from another process, every event is covered by a
// checkpoint token dated within the anchoring interval (60 s) plus the TSA's latency. Checked from
// the exported archive alone, with openssl, the way someone without Proofline would check it.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventBody } from '../../src/shared/domain.js';
import { a1111Parameters, pngWithText } from '../support/ai-images.js';
import { unzipTo } from '../support/bag-files.js';
import { CLI, proofline, run } from '../support/cli.js';
import { sha256Hex, tokenTime } from '../support/forge.js';
import { startTsa, type RunningTsa } from '../support/tsa-server.js';

const ANCHOR_SECONDS = 60;
/** The TSA's latency and the rounding of genTime to whole seconds. */
const LATENCY_SECONDS = 20;
const RECORD_SECONDS = 190;

let tsa: RunningTsa;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-anchoring-'));
  tsa = await startTsa({ name: 'Anchoring' });
});

afterAll(async () => {
  await tsa?.stop();
  rmSync(root, { recursive: true, force: true });
});

const sleepUntil = (start: number, seconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, start + seconds * 1000 - Date.now())));

describe('anchoring while a session is being recorded', () => {
  it('proves every event of a three-minute session within 60 s plus the TSA latency, from the archive alone', async () => {
    const data = join(root, 'data');
    const watched = join(root, 'outputs');
    const staging = join(root, 'staging');
    mkdirSync(watched, { recursive: true });
    mkdirSync(staging, { recursive: true });
    const cli = (...args: string[]) => proofline(['--data', data, '--tsa', tsa.url, ...args]);

    const created = await cli('session', 'new', '--title', 'Ink landscapes, afternoon', '--json');
    expect(created.code, created.stderr).toBe(0);
    const id = JSON.parse(created.stdout).id as string;

    // `proofline record` in the background, as a user leaves it running: no screen, one watched folder.
    const start = Date.now();
    const recorder = spawn(process.execPath, [CLI, '--data', data, '--tsa', tsa.url, 'record', id, '--watch', watched, '--duration', String(RECORD_SECONDS)], {
      env: { ...process.env, PROOFLINE_TSA_URLS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let recorderOutput = '';
    recorder.stdout.on('data', (chunk: Buffer) => (recorderOutput += chunk.toString()));
    recorder.stderr.on('data', (chunk: Buffer) => (recorderOutput += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => recorder.on('exit', (code) => resolve(code)));

    try {
      // Images at about 5, 65, 125 and 175 s (written aside, then renamed in whole); notes between them.
      const plan: [number, () => Promise<void>][] = [];
      [5, 65, 125, 175].forEach((at, i) => {
        plan.push([at, async () => {
          const name = `0000${i + 1}-${1000 + i}.png`;
          writeFileSync(join(staging, name), pngWithText([{ type: 'tEXt', keyword: 'parameters', text: a1111Parameters(1000 + i) }], { width: 32, height: 32, seed: i + 3 }));
          renameSync(join(staging, name), join(watched, name));
        }]);
      });
      [35, 95, 150].forEach((at, i) => {
        plan.push([at, async () => {
          const note = await cli('note', id, `note ${i + 1}: kept the composition, warmer light`);
          expect(note.code, note.stderr).toBe(0);
        }]);
      });
      plan.sort((a, b) => a[0] - b[0]);
      for (const [at, step] of plan) {
        await sleepUntil(start, at);
        await step();
      }
      const code = await exited;
      expect(code, recorderOutput).toBe(0);
    } finally {
      if (recorder.exitCode === null && recorder.pid) recorder.kill('SIGTERM');
    }

    const sealed = await cli('seal', id, '--json');
    expect(sealed.code, sealed.stderr).toBe(0);
    const zip = join(root, 'session.zip');
    const exported = await cli('export', id, '--out', zip);
    expect(exported.code, exported.stderr).toBe(0);
    const bag = join(root, 'bag');
    await unzipTo(zip, bag);

    const events = readFileSync(join(bag, 'data', 'events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as EventBody);
    // The session did spread over about three minutes: four images and three notes.
    expect(events.filter((e) => e.type === 'note')).toHaveLength(3);
    expect(events.filter((e) => e.artifacts.some((a) => a.name.endsWith('.png'))).length).toBeGreaterThanOrEqual(4);
    const span = (Date.parse(events.at(-1)!.time) - Date.parse(events[0]!.time)) / 1000;
    expect(span).toBeGreaterThan(170);

    // Every checkpoint token: its checkpoint's tree size, its time as openssl prints it, and openssl's verdict.
    const tokens: { path: string; covers: number; time: Date }[] = [];
    for (const name of readdirSync(join(bag, 'proofline', 'timestamps')).sort()) {
      const match = /^(\d{6})-tsa(\d+)\.tsr$/.exec(name);
      if (!match) continue;
      const statementPath = join(bag, 'proofline', 'checkpoints', `${match[1]}.json`);
      const statement = readFileSync(statementPath);
      const path = `proofline/timestamps/${name}`;
      const verified = await run('openssl', ['ts', '-verify', '-digest', sha256Hex(statement), '-in', path, '-CAfile', tsa.caPath, '-untrusted', `proofline/tsa-certs/tsa${match[2]}.pem`], bag);
      expect(verified.stdout + verified.stderr, path).toMatch(/Verification: OK/);
      const { time } = await tokenTime(join(bag, path));
      tokens.push({ path, covers: (JSON.parse(statement.toString('utf8')) as { treeSize: number }).treeSize, time });
    }
    expect(tokens.length).toBeGreaterThan(0);

    const late: string[] = [];
    for (const event of events) {
      const covering = tokens.filter((t) => t.covers > event.seq).sort((a, b) => a.time.getTime() - b.time.getTime());
      const first = covering[0];
      if (!first) {
        late.push(`#${event.seq} ${event.type} at ${event.time}: no checkpoint token covers it`);
        continue;
      }
      const lag = (first.time.getTime() - Date.parse(event.time)) / 1000;
      if (lag > ANCHOR_SECONDS + LATENCY_SECONDS) late.push(`#${event.seq} ${event.type} at ${event.time}: first proven by ${first.path} at ${first.time.toISOString()}, ${lag.toFixed(0)} s later`);
    }
    expect(late, `events not anchored within ${ANCHOR_SECONDS} s + ${LATENCY_SECONDS} s`).toEqual([]);
  }, 300_000);
});
