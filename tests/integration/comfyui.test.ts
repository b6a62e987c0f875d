import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CaptureNotice } from '../../src/core/capture/capture-source.js';
import { connectComfyUI } from '../../src/core/capture/creation/comfyui.js';
import { openProofline, type Proofline } from '../../src/core/proofline.js';
import { sha256Hex } from '../../src/core/store/hashing.js';
import type { EventBody } from '../../src/shared/domain.js';
import { comfyPromptGraph, comfyWorkflow } from '../support/ai-images.js';
import { startComfyStub, SYSTEM_STATS, type ComfyStub } from '../support/comfyui-stub.js';

let root: string;
let stub: ComfyStub | undefined;
let pl: Proofline | undefined;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'proofline-comfyui-'));
});
afterEach(async () => {
  await stub?.close();
  stub = undefined;
  pl?.close();
  pl = undefined;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function events(p: Proofline, sessionId: string, type: string): EventBody[] {
  return [...p.events.iterate(sessionId)].map((e) => e.body).filter((b) => b.type === type);
}

async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function setUp(name: string): Promise<{ p: Proofline; sessionId: string; s: ComfyStub }> {
  stub = await startComfyStub();
  pl = openProofline({ dataDir: join(root, name), tsaUrls: [] });
  const session = await pl.sessions.create({ kind: 'creation', title: `comfyui ${name}` });
  return { p: pl, sessionId: session.id, s: stub };
}

describe('the ComfyUI connector', () => {
  it('records the environment once, and each executed prompt with its graph, timings and output image', async () => {
    const { p, sessionId, s } = await setUp('prompt');
    // A prompt that ran before we connected is not part of this session.
    await s.queue(comfyPromptGraph(1));
    const notices: CaptureNotice[] = [];
    const comfy = await connectComfyUI(p, sessionId, { url: `${s.url}/`, onNotice: (n) => notices.push(n) });
    await waitFor(() => comfy.status().connected, 'socket open');

    // Queued from the browser tab (another clientId): seen through `status` and /history.
    const fromBrowser = await s.queue(comfyPromptGraph(424242, { img2img: true }), { clientId: 'browser-tab', workflow: comfyWorkflow() });
    // Queued with the connector's clientId: followed live through the execution messages.
    const followed = await s.queue(comfyPromptGraph(7), { clientId: comfy.clientId });
    await waitFor(() => events(p, sessionId, 'comfyui.prompt').length >= 2, 'two prompt events');
    await comfy.stop();

    const connected = events(p, sessionId, 'comfyui.connected');
    expect(connected).toHaveLength(1);
    expect(connected[0]!.payload).toMatchObject({ url: s.url, systemStats: SYSTEM_STATS, earlierPrompts: 1 });

    const prompts = events(p, sessionId, 'comfyui.prompt');
    expect(prompts.map((e) => e.payload['prompt_id']).sort()).toEqual([fromBrowser, followed].sort());
    const browser = prompts.find((e) => e.payload['prompt_id'] === fromBrowser)!;
    expect(browser.payload).toMatchObject({
      status: 'success',
      observedLive: false,
      metadata: { tool: 'comfyui', seed: '424242', steps: 25, cfgScale: 7.5, sampler: 'dpmpp_2m', model: { name: 'sd_xl_base_1.0.safetensors' }, inputImage: 'sketch-v3.png', prompt: '水墨山水，远山与小舟, ink landscape', negativePrompt: 'text, watermark, 模糊' },
    });
    const timings = browser.payload['timings'] as { startedAt: string; endedAt: string; durationMs: number };
    expect(Date.parse(timings.endedAt)).toBeGreaterThanOrEqual(Date.parse(timings.startedAt));
    expect(timings.durationMs).toBeGreaterThanOrEqual(0);

    // The graph is an artifact holding exactly what /history returned; the image is the bytes /view served.
    const graphArtifact = browser.artifacts.find((a) => a.name === `prompt-${fromBrowser}.json`)!;
    const graphFile = JSON.parse(readFileSync(p.blobs.pathOf(graphArtifact.sha256), 'utf8')) as { prompt: unknown; extra_data: { extra_pnginfo: { workflow: unknown } } };
    expect(graphFile.prompt).toEqual(s.history.get(fromBrowser)!.prompt[2]);
    expect(graphFile.extra_data.extra_pnginfo.workflow).toEqual(comfyWorkflow());
    const outputs = browser.payload['outputs'] as { filename: string; sha256: string; metadata: { tool: string; seed: string } }[];
    expect(outputs).toHaveLength(1);
    const served = s.images.get(`output//${outputs[0]!.filename}`)!;
    expect(outputs[0]!.sha256).toBe(sha256Hex(served));
    expect(outputs[0]!.metadata).toMatchObject({ tool: 'comfyui', seed: '424242' });
    expect(browser.artifacts.map((a) => a.sha256)).toContain(sha256Hex(served));

    const live = prompts.find((e) => e.payload['prompt_id'] === followed)!;
    expect(live.payload).toMatchObject({ status: 'success', observedLive: true, metadata: { seed: '7' } });
    expect(comfy.status()).toMatchObject({ connected: false, prompts: 2 });
    expect(events(p, sessionId, 'comfyui.disconnected').at(-1)!.payload).toMatchObject({ reason: 'stopped', prompts: 2 });
    expect(notices.some((n) => n.message.includes('0.3.62'))).toBe(true);
  });

  it('records a failed prompt with the error ComfyUI reported', async () => {
    const { p, sessionId, s } = await setUp('error');
    const comfy = await connectComfyUI(p, sessionId, { url: s.url });
    await waitFor(() => comfy.status().connected, 'socket open');
    const id = await s.queue(comfyPromptGraph(9), { clientId: comfy.clientId, failNode: '3' });
    await waitFor(() => events(p, sessionId, 'comfyui.prompt').length === 1, 'error prompt');
    await comfy.stop();
    const [event] = events(p, sessionId, 'comfyui.prompt');
    expect(event!.payload).toMatchObject({ prompt_id: id, status: 'error', error: { node_id: '3', node_type: 'KSampler', exception_type: 'torch.OutOfMemoryError' }, outputs: [] });
  });

  it('records a dropped socket, reconnects with backoff, and catches up on prompts that ran meanwhile', async () => {
    const { p, sessionId, s } = await setUp('drop');
    const comfy = await connectComfyUI(p, sessionId, { url: s.url, reconnect: { initialMs: 50, maxMs: 200 } });
    await waitFor(() => comfy.status().connected, 'socket open');
    s.refuseSockets(true);
    s.dropSockets();
    await waitFor(() => events(p, sessionId, 'comfyui.disconnected').length === 1, 'disconnect event');
    expect(comfy.status().connected).toBe(false);
    // Runs while the connector is offline: only history can tell of it.
    const during = await s.queue(comfyPromptGraph(55), { clientId: 'browser-tab' });
    await new Promise((r) => setTimeout(r, 300));
    s.refuseSockets(false);
    await waitFor(() => comfy.status().connected, 'reconnected');
    await waitFor(() => events(p, sessionId, 'comfyui.prompt').length === 1, 'caught-up prompt');
    await comfy.stop();

    const lost = events(p, sessionId, 'comfyui.disconnected')[0]!;
    expect(lost.payload).toMatchObject({ url: s.url, wasConnected: true });
    const restored = events(p, sessionId, 'comfyui.reconnected');
    expect(restored).toHaveLength(1);
    expect(restored[0]!.payload['attempts'] as number).toBeGreaterThanOrEqual(2);
    expect(restored[0]!.payload['offlineMs'] as number).toBeGreaterThanOrEqual(300);
    expect(restored[0]!.seq).toBeGreaterThan(lost.seq);
    expect(events(p, sessionId, 'comfyui.prompt')[0]!.payload).toMatchObject({ prompt_id: during, metadata: { seed: '55' } });
  });

  it('fails to connect with a clear message when nothing listens at the URL', async () => {
    pl = openProofline({ dataDir: join(root, 'nothing'), tsaUrls: [] });
    const session = await pl.sessions.create({ kind: 'creation', title: 'no comfy' });
    await expect(connectComfyUI(pl, session.id, { url: 'http://127.0.0.1:9', requestTimeoutMs: 2000 })).rejects.toThrow(/Cannot reach ComfyUI at http:\/\/127\.0\.0\.1:9: .*Start ComfyUI/);
    await expect(connectComfyUI(pl, session.id, { url: 'ftp://x' })).rejects.toThrow(/must start with http/);
  });
});
