import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaptureNotice } from '../../src/core/capture/capture-source.js';
import { CaptureLifecycle } from '../../src/core/capture/lifecycle/index.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { settingsSchema } from '../../src/shared/contract.js';

// The one capture lifecycle every host uses (the app, `proofline serve`, the CLI), on a real
// store and a real folder watcher. The screen is left out: recording.test.ts records it under Xvfb.

let root: string;
let pl: Proofline;
let lifecycle: CaptureLifecycle;
let sessionId: string;
let folder: string;
const notices: { sessionId: string; notice: CaptureNotice }[] = [];
const settings = settingsSchema.parse({});
const types = (): string[] => [...pl.events.iterate(sessionId)].map((e) => e.body.type);

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'proofline-lifecycle-'));
  folder = join(root, 'outputs');
  mkdirSync(folder);
  pl = openProofline({ dataDir: join(root, 'data') });
  lifecycle = new CaptureLifecycle({ pl, settings: () => settings, onNotice: (id, notice) => notices.push({ sessionId: id, notice }) });
  sessionId = (await pl.sessions.create({ kind: 'creation', title: 'lifecycle' })).id;
  // The environment snapshot is environment.test.ts's: here the session has one already.
  pl.events.append(sessionId, { type: 'environment.snapshot', payload: {} });
});

afterEach(async () => {
  await lifecycle.stopAll();
  pl.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the capture lifecycle', () => {
  it('a seal asked for while a recording starts waits for the start, stops it, and keeps new captures out until sealed', async () => {
    const starting = lifecycle.start(sessionId, { screen: false, watch: [folder] });
    let refused: unknown;
    const sealed = lifecycle.whileSealing(sessionId, async () => {
      refused = await lifecycle.start(sessionId, { screen: false, watch: [folder] }).catch((error: unknown) => error);
      return pl.sessions.seal(sessionId);
    });
    // The start completes (its sources are stopped by the seal, not left running): it says so.
    await expect(starting).resolves.toMatchObject({ state: 'stopping' });
    await sealed;
    expect(refused).toMatchObject({ code: 'session.sealed', kind: 'conflict' });
    expect(lifecycle.recordingSessions()).toEqual([]);
    // The watcher's stop is in the chain before the seal, and nothing came after it.
    const log = types();
    expect(log.indexOf('capture.watch.stopped')).toBeGreaterThan(log.indexOf('capture.watch.started'));
    expect(log.at(-1)).toBe('session.sealed');
    expect(lifecycle.status(sessionId)).toMatchObject({ state: 'idle', ended: { reason: 'stopped by the user', screen: null } });
  });

  it('ends a recording asked to last a given time by itself, and says how it ended', async () => {
    const started = await lifecycle.start(sessionId, { screen: false, watch: [folder], durationSeconds: 0.5 });
    expect(started.sources.map((s) => s.kind)).toEqual(['watch']);
    await expect.poll(() => lifecycle.status(sessionId).state, { timeout: 10_000 }).toBe('idle');
    expect(lifecycle.status(sessionId).ended).toMatchObject({ reason: 'the requested duration of 0.5 s was reached', screen: null, segments: 0 });
    expect(types().filter((t) => t.startsWith('capture.watch.'))).toEqual(['capture.watch.started', 'capture.watch.stopped']);
  });

  it('refuses a second recording of a session, and a recording with nothing to record, leaving nothing running', async () => {
    await expect(lifecycle.start(sessionId, { screen: false })).rejects.toMatchObject({ code: 'recording.nothing', kind: 'invalid-input' });
    expect(lifecycle.recordingSessions()).toEqual([]);
    await lifecycle.start(sessionId, { screen: false, drafts: [folder] });
    await expect(lifecycle.start(sessionId, { screen: false, drafts: [folder] })).rejects.toMatchObject({ code: 'recording.already' });
    await expect(lifecycle.pause(sessionId)).resolves.toMatchObject({ state: 'paused' });
    const stopped = await lifecycle.stop(sessionId, 'the test is over');
    expect(stopped).toMatchObject({ state: 'idle', ended: { reason: 'the test is over' } });
    await expect(lifecycle.pause(sessionId)).rejects.toMatchObject({ code: 'recording.not-running' });
  });

  it('hands the notices of every source to the host with its session, and keeps the recording\'s for its status', async () => {
    notices.length = 0;
    await lifecycle.start(sessionId, { screen: false, watch: [folder] });
    await lifecycle.stop(sessionId);
    expect(notices.map((n) => [n.sessionId, n.notice.source, n.notice.message.split(':')[0]])).toEqual([
      [sessionId, `watch:${folder}`, 'watching 1 output and 0 draft folder(s)'],
      [sessionId, `watch:${folder}`, 'stopped'],
    ]);
  });
});
