import { describe, expect, it } from 'vitest';
import { BatchAccounting, judgeBatches } from '../../src/core/archive/batch-accounting.js';
import type { EventBody } from '../../src/shared/domain.js';

// The verifier's `web.batches` check, fed chains as a forger holding the device key could write
// them: each must either account for every URL a batch asked for, or fail.

const B = '11111111-2222-3333-4444-555555555555';
const URLS = ['https://a.example/', 'https://b.example/', 'https://c.example/'];

function chain(...bodies: { type: string; payload: Record<string, unknown> }[]): EventBody[] {
  return bodies.map((b, seq) => ({ v: 1, session: 's', seq, time: '2026-11-30T10:00:00.000Z', type: b.type, payload: b.payload, artifacts: [], prev: '' }) as unknown as EventBody);
}

function judge(events: readonly EventBody[]): ReturnType<typeof judgeBatches> {
  const accounting = new BatchAccounting();
  for (const e of events) accounting.observe(e);
  return judgeBatches(accounting);
}

const started = { type: 'web.capture.batch.started', payload: { batch: B, urls: URLS, process: { pid: 42, start: null, host: 'h' } } };
const capture = (url: string, extra: Record<string, unknown> = {}) => ({ type: 'web.capture', payload: { batch: B, url, httpError: null, ...extra } });

describe('web.batches', () => {
  it('skips a session with no batch', () => {
    expect(judge(chain({ type: 'session.created', payload: {} })).status).toBe('skip');
  });

  it('passes a finished batch and an interrupted one that names what it did not capture', () => {
    expect(judge(chain(started, capture(URLS[0]!), capture(URLS[1]!), { type: 'web.capture.failed', payload: { batch: B, url: URLS[2], willRetry: false } }, { type: 'web.capture.batch.ended', payload: { batch: B, outcome: 'finished', notCaptured: [] } })))
      .toMatchObject({ status: 'pass', detail: '1 batch capture(s) of 3 URL(s), every URL accounted for' });
    const interrupted = judge(chain(started, capture(URLS[0]!), { type: 'web.capture.interrupted', payload: { batch: B, notCaptured: [URLS[1], URLS[2]] } }));
    expect(interrupted.status).toBe('pass');
    expect(interrupted.detail).toMatch(/interrupted \(its process ended\) at event 2: 1 of 3 captured, 2 not captured/);
  });

  it('counts a retried failure as not settled, and a page kept with an HTTP error as failed', () => {
    const events = chain(
      started,
      { type: 'web.capture.failed', payload: { batch: B, url: URLS[0], willRetry: true } },
      capture(URLS[1]!, { httpError: { kind: 'http-error', message: 'HTTP 404' } }),
      { type: 'web.capture.failed', payload: { batch: B, url: URLS[1], willRetry: false, captureEventSeq: 2 } },
      { type: 'web.capture.cancelled', payload: { batch: B, notCaptured: [URLS[0], URLS[2]] } },
    );
    expect(judge(events).status).toBe('pass');
  });

  it('fails an end that hides a URL it did not capture', () => {
    const judged = judge(chain(started, capture(URLS[0]!), { type: 'web.capture.interrupted', payload: { batch: B, notCaptured: [URLS[1]] } }));
    expect(judged.status).toBe('fail');
    expect(judged.detail).toMatch(/says 1 URL\(s\) of batch 11111111 were not captured; the chain shows 2/);
    expect(judged.seqs).toEqual([2]);
  });

  it('fails a "finished" batch that left URLs unsettled', () => {
    expect(judge(chain(started, capture(URLS[0]!), { type: 'web.capture.batch.ended', payload: { batch: B, outcome: 'finished', notCaptured: [] } })).status).toBe('fail');
  });

  it('fails a batch with no end, an event after the end, a capture of a URL not asked for, and an unknown batch', () => {
    expect(judge(chain(started, capture(URLS[0]!))).detail).toMatch(/has no end/);
    const after = judge(chain(started, { type: 'web.capture.cancelled', payload: { batch: B, notCaptured: URLS } }, capture(URLS[0]!)));
    expect(after).toMatchObject({ status: 'fail', detail: expect.stringMatching(/comes after batch 11111111 ended at event 1/) });
    expect(judge(chain(started, capture('https://z.example/'), { type: 'web.capture.cancelled', payload: { batch: B, notCaptured: URLS } })).detail).toMatch(/did not ask for it/);
    expect(judge(chain(capture(URLS[0]!))).detail).toMatch(/never started/);
    expect(judge(chain(started, started)).detail).toMatch(/a second time/);
  });

  it('settles each of a URL asked for twice once', () => {
    const twice = { type: 'web.capture.batch.started', payload: { batch: B, urls: [URLS[0], URLS[0]] } };
    expect(judge(chain(twice, capture(URLS[0]!), { type: 'web.capture.interrupted', payload: { batch: B, notCaptured: [URLS[0]] } })).status).toBe('pass');
    expect(judge(chain(twice, capture(URLS[0]!), capture(URLS[0]!), capture(URLS[0]!))).detail).toMatch(/settled it already/);
  });
});
