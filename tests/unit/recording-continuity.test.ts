import { describe, expect, it } from 'vitest';
import { RecordingContinuity } from '../../src/core/archive/verify-recording.js';
import type { EventBody, JsonValue } from '../../src/shared/domain.js';

const T0 = Date.parse('2026-01-01T00:00:00Z');
const at = (s: number): string => new Date(T0 + s * 1000).toISOString();

function events(specs: [string, { [key: string]: JsonValue }][]): EventBody[] {
  return specs.map(([type, payload], seq) => ({ v: 1, session: 's', seq, time: at(seq), type, payload: { recording: 'r1', ...payload }, artifacts: [], prev: '' }));
}

const seg = (index: number, run: number, start: number, end: number): [string, { [key: string]: JsonValue }] => [
  'recording.segment',
  { index, run, startedAt: at(start), endedAt: at(end), durationSeconds: end - start },
];

function check(list: EventBody[]): ReturnType<RecordingContinuity['result']> {
  const c = new RecordingContinuity();
  for (const e of list) c.observe(e);
  return c.result();
}

describe('recording continuity', () => {
  it('passes contiguous segments and a pause disclosed by its events', () => {
    const r = check(events([
      ['recording.started', { run: 1 }],
      seg(0, 1, 0, 2), seg(1, 1, 2, 4),
      ['recording.paused', { run: 1 }], ['recording.resumed', { run: 2 }],
      seg(2, 2, 30, 32),
      ['recording.stopped', {}],
    ]));
    expect(r.status).toBe('pass');
    expect(r.detail).toMatch(/1 recording\(s\), 3 segment\(s\), 6\.0 s.*1 gap\(s\), each disclosed/);
  });

  it('fails a missing segment that no event discloses, naming the line', () => {
    const r = check(events([['recording.started', {}], seg(0, 1, 0, 2), seg(2, 1, 4, 6), ['recording.stopped', {}]]));
    expect(r.status).toBe('fail');
    expect(r.detail).toMatch(/segment\(s\) 1 are missing and no event discloses their loss/);
    expect(r.where).toEqual(['data/events.jsonl:3']);
  });

  it('accepts a lost segment that the interruption event lists as missing', () => {
    // Recovery appends what survived, then session.interrupted naming what did not.
    const r = check(events([['recording.started', {}], seg(0, 1, 0, 2), seg(2, 1, 4, 5), ['session.interrupted', { survived: { missing: [1] } }]]));
    expect(r.status).toBe('pass');
    expect(r.detail).toMatch(/1 gap\(s\), each disclosed/);
  });

  it('fails a time gap inside one run with no pause or failure between', () => {
    const r = check(events([['recording.started', {}], seg(0, 1, 0, 2), seg(1, 1, 12, 14), ['recording.stopped', {}]]));
    expect(r.status).toBe('fail');
    expect(r.detail).toMatch(/starts 10\.0 s after segment 0 ended and no pause/);
  });

  it('fails a recording with no end event, and events after its end', () => {
    expect(check(events([['recording.started', {}], seg(0, 1, 0, 2)])).detail).toMatch(/has no end/);
    expect(check(events([['recording.started', {}], ['recording.stopped', {}], seg(0, 1, 0, 2)])).detail).toMatch(/comes after recording r1 ended/);
  });

  it('skips a session without recordings', () => {
    expect(check([]).status).toBe('skip');
  });
});
