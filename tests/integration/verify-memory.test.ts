import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openProofline } from '../../src/core/proofline.js';
import { CLI, startProofline } from '../support/cli.js';
import { recomputeManifests, rewriteEvents, unzipTo, zipFolder } from '../support/bag-files.js';

// verify walks data/events.jsonl once and keeps per event only its recorded time (8 bytes) and
// type (2 bytes): no hash, leaf or report line (issue 13). A heap far smaller than what the old
// walk held for this many events (every hash, every leaf, a report object per event) proves it.
const EVENTS = 200_000;
const HEAP_MB = 64;

let root: string;
let archive: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-verify-memory-'));
  const pl = openProofline({ dataDir: join(root, 'data'), tsaUrls: [] });
  try {
    const { id } = await pl.sessions.create({ kind: 'creation', title: 'A long session' });
    for (let appended = pl.events.count(id); appended < EVENTS; ) {
      const n = Math.min(10_000, EVENTS - appended);
      pl.events.appendBatch(id, Array.from({ length: n }, (_, i) => ({ type: 'note', payload: { text: `prompt ${appended + i}: a cat crystal pendant, seed ${(appended + i) * 7919}` } })));
      appended += n;
    }
    await pl.sessions.seal(id);
    archive = join(root, 'long.zip');
    await pl.exportSession(id, { out: archive });
  } finally {
    pl.close();
  }
}, 300_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('verifying a long session', () => {
  it(`checks ${EVENTS.toLocaleString('en-US')} events and their checkpoints within a ${HEAP_MB} MB heap`, async () => {
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [`--max-old-space-size=${HEAP_MB}`, CLI, 'verify', archive], { maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
      });
    });
    // 3: intact but not attested in time (no TSA here); a heap overflow would be a crash, not 3.
    expect(result.code, result.stderr).toBe(3);
    const walked = /(\d+) events, each hash-linked to the one before/.exec(result.stdout);
    expect(Number(walked?.[1])).toBeGreaterThan(EVENTS);
    expect(result.stdout).toMatch(/each checkpoint's head and Merkle root match the chain/);
  }, 120_000);

  it('stops at Ctrl-C in the middle of the walk, its worker threads with it: exit 130, no verdict', async () => {
    const run = startProofline(['verify', archive]);
    // The walk of 200,000 events (on worker threads: the log is past chainWorkersFor's bound) takes a while.
    await new Promise((r) => setTimeout(r, 700));
    run.child.kill('SIGINT');
    const killedAt = Date.now();
    const code = await run.exited;
    expect(code, run.stderr()).toBe(130);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(run.stderr()).not.toMatch(/VERIFIED|TAMPERED/);
  }, 60_000);

  it("names the first event that does not follow when an edit falls where the walk joins two blocks (a block's first line)", async () => {
    // Line 147,457 starts a block (36 x 4,096 lines + 1): the event before it, at the end of the
    // block before, is edited, and the manifests recomputed as a careful attacker would.
    const dir = join(root, 'edited');
    await unzipTo(archive, dir);
    rewriteEvents(dir, (lines) => lines.map((line, i) => (i === 147_455 ? line.replace(/prompt (\d+):/, 'prompt 1$1:') : line)));
    recomputeManifests(dir);
    const edited = join(root, 'edited.zip');
    await zipFolder(dir, edited);
    const result = await new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'verify', edited, '--json'], { maxBuffer: 256 << 20 }, (error, stdout) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout }));
    });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { checks: { id: string; status: string; detail: string; where: string[] }[] };
    const chain = report.checks.find((c) => c.id === 'events.chain')!;
    expect(chain.status).toBe('fail');
    expect(chain.where).toEqual(['data/events.jsonl:147457']);
    expect(chain.detail).toMatch(/^event 147456 does not follow event 147455/);
  }, 120_000);
});
