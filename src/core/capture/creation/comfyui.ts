import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ArtifactRef, JsonValue } from '../../../shared/domain.js';
import type { Proofline } from '../../proofline.js';
import { mediaTypeOf } from '../../store/media-types.js';
import type { CaptureNotice, CaptureSource, NoticeListener } from '../capture-source.js';
import { asComfyGraph, readImageMetadata, summariseComfyGraph } from './metadata/index.js';
import { parseJsonExact } from './metadata/exact-json.js';
import { metadataJson, RAW_PAYLOAD_LIMIT } from './metadata/payload.js';
import { ProoflineError } from '../../errors.js';

export interface ConnectComfyUIOptions {
  /** The ComfyUI server, e.g. http://127.0.0.1:8188 */
  readonly url: string;
  readonly onNotice?: NoticeListener;
  /** Reconnect backoff: first delay and ceiling (defaults 500 ms and 30 s). */
  readonly reconnect?: { readonly initialMs?: number; readonly maxMs?: number };
  readonly requestTimeoutMs?: number;
}

export interface ComfyUIConnection extends CaptureSource {
  status(): { connected: boolean; prompts: number; lastError?: string };
  /** The clientId this connector's socket uses (prompts queued with it report live progress here). */
  readonly clientId: string;
}

interface HistoryEntry {
  readonly prompt?: readonly unknown[];
  readonly outputs?: Record<string, { images?: { filename?: string; subfolder?: string; type?: string }[] }>;
  readonly status?: { status_str?: string; completed?: boolean; messages?: [string, Record<string, unknown>][] };
}

type Outcome = { status: 'success' | 'error' | 'interrupted'; error?: Record<string, unknown> };

/**
 * Records a running ComfyUI: every finished prompt (graph, status, timings, output images with
 * their embedded metadata) as a `comfyui.prompt` event. ComfyUI sends execution messages only to
 * the client that queued a prompt (server.send_sync(…, sid=client_id)), but `status` goes to all;
 * so a queue change makes the connector read /history for prompts it has not recorded yet, and
 * prompts queued with this connector's clientId are also followed live. The socket reconnects with
 * backoff; a loss and a restore are events, and prompts that finished meanwhile are caught up.
 */
export async function connectComfyUI(pl: Proofline, sessionId: string, options: ConnectComfyUIOptions): Promise<ComfyUIConnection> {
  const base = normaliseUrl(options.url);
  const name = `comfyui:${base}`;
  const timeoutMs = options.requestTimeoutMs ?? 15_000;
  const initialDelay = options.reconnect?.initialMs ?? 500;
  const maxDelay = options.reconnect?.maxMs ?? 30_000;
  const notify = (level: CaptureNotice['level'], message: string, eventSeq?: number): void =>
    options.onNotice?.({ source: name, level, message, ...(eventSeq === undefined ? {} : { eventSeq }) });
  const getJson = async (path: string): Promise<unknown> => {
    const response = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`${path} answered HTTP ${response.status}`);
    // ComfyUI seeds run to 2^64: parsed as doubles they would be recorded with wrong digits.
    return parseJsonExact(await response.text());
  };

  const systemStats = await probeComfyUI(base, timeoutMs);
  // Prompts that ran before we connected are not part of this session.
  const known = new Set<string>();
  try {
    for (const id of Object.keys((await getJson('/history?max_items=10000')) as Record<string, unknown>)) known.add(id);
  } catch (error) {
    notify('warn', `could not read ComfyUI's history at connect (${describeError(error)}); earlier prompts may be recorded as new`);
  }
  const clientId = randomUUID().replace(/-/g, '');
  const connected = pl.events.append(sessionId, {
    type: 'comfyui.connected',
    payload: { url: base, clientId, systemStats: toJson(systemStats), earlierPrompts: known.size },
  });
  notify('info', `connected to ComfyUI ${versionOf(systemStats)} at ${base}`, connected.body.seq);

  const state = { connected: false, prompts: 0, lastError: undefined as string | undefined };
  const live = new Map<string, { cached: string[]; outcome?: Outcome; observedAt: string }>();
  const inflight = new Set<Promise<void>>();
  let stopping = false;
  let socket: WebSocket | undefined;
  let reconnectTimer: NodeJS.Timeout | undefined;
  let attempts = 0;
  let lostAt: number | undefined;

  const track = (work: Promise<void>): void => {
    inflight.add(work);
    void work.finally(() => inflight.delete(work));
  };
  const fail = (message: string): void => {
    state.lastError = message;
    notify('error', message);
    try {
      pl.events.append(sessionId, { type: 'comfyui.error', payload: { url: base, message } });
    } catch {
      // A sealed session cannot take the error; the notice above still reaches the host.
    }
  };

  const record = async (promptId: string, liveOutcome?: Outcome): Promise<void> => {
    if (known.has(promptId)) return;
    known.add(promptId);
    let entry: HistoryEntry | undefined;
    // History is written when the prompt worker finishes, just after the last execution message.
    for (let wait = 50; wait <= 1600 && !entry; wait *= 2) {
      try {
        entry = ((await getJson(`/history/${encodeURIComponent(promptId)}`)) as Record<string, HistoryEntry>)[promptId];
      } catch (error) {
        state.lastError = describeError(error);
      }
      if (!entry) await delay(wait);
    }
    if (!entry) {
      known.delete(promptId);
      fail(`prompt ${promptId} finished but ComfyUI's /history has no entry for it (${state.lastError ?? 'empty answer'})`);
      return;
    }
    try {
      await storePrompt(promptId, entry, liveOutcome);
    } catch (error) {
      known.delete(promptId);
      fail(`prompt ${promptId} could not be recorded: ${describeError(error)}`);
    }
  };

  const storePrompt = async (promptId: string, entry: HistoryEntry, liveOutcome?: Outcome): Promise<void> => {
    const [number, , graphValue, extraData, outputsToExecute] = entry.prompt ?? [];
    const messages = entry.status?.messages ?? [];
    const timeOf = (type: string): number | null => {
      const found = messages.find(([t]) => t === type)?.[1]?.['timestamp'];
      return typeof found === 'number' ? found : null;
    };
    const started = timeOf('execution_start');
    const ended = timeOf('execution_success') ?? timeOf('execution_error') ?? timeOf('execution_interrupted');
    const errorMessage = messages.find(([t]) => t === 'execution_error' || t === 'execution_interrupted');
    const status = liveOutcome?.status
      ?? (errorMessage ? (errorMessage[0] === 'execution_error' ? 'error' : 'interrupted') : entry.status?.status_str === 'error' ? 'error' : 'success');
    const graphFile = Buffer.from(JSON.stringify({ prompt_id: promptId, number: number ?? null, prompt: graphValue ?? null, extra_data: extraData ?? null, outputs_to_execute: outputsToExecute ?? null }, null, 2));
    const graphBlob = await pl.blobs.putBytes(graphFile);
    const artifacts: ArtifactRef[] = [{ sha256: graphBlob.sha256, size: graphBlob.size, name: `prompt-${promptId}.json`, mime: 'application/json' }];
    const graph = asComfyGraph(graphValue);
    const outputs: JsonValue[] = [];
    const scratch = await mkdtemp(join(tmpdir(), 'proofline-comfyui-'));
    try {
      for (const [node, output] of Object.entries(entry.outputs ?? {})) {
        for (const image of output.images ?? []) {
          const ref = { node, filename: image.filename ?? '', subfolder: image.subfolder ?? '', type: image.type ?? 'output' };
          try {
            const query = new URLSearchParams({ filename: ref.filename, subfolder: ref.subfolder, type: ref.type });
            const response = await fetch(`${base}/view?${query}`, { signal: AbortSignal.timeout(timeoutMs) });
            if (!response.ok) throw new Error(`/view answered HTTP ${response.status}`);
            const file = join(scratch, `${outputs.length}-${ref.filename.replace(/[^\w.-]/g, '_')}`);
            await writeFile(file, Buffer.from(await response.arrayBuffer()));
            const blob = await pl.blobs.putFile(file);
            let metadata: JsonValue = null;
            try {
              metadata = metadataJson(await readImageMetadata(pl.blobs.pathOf(blob.sha256)), RAW_PAYLOAD_LIMIT);
            } catch (error) {
              metadata = { error: describeError(error) };
            }
            artifacts.push({ sha256: blob.sha256, size: blob.size, name: ref.filename, mime: mediaTypeOf(ref.filename) });
            outputs.push({ ...ref, sha256: blob.sha256, sm3: blob.sm3, size: blob.size, metadata });
          } catch (error) {
            outputs.push({ ...ref, sha256: null, error: describeError(error) });
            notify('warn', `prompt ${promptId}: output ${ref.filename} could not be fetched: ${describeError(error)}`);
          }
        }
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
    const seen = live.get(promptId);
    live.delete(promptId);
    const error = liveOutcome?.error ?? (errorMessage ? errorMessage[1] : undefined);
    const event = pl.events.append(sessionId, {
      type: 'comfyui.prompt',
      payload: {
        prompt_id: promptId,
        number: typeof number === 'number' ? number : null,
        status,
        ...(error ? { error: toJson(error) } : {}),
        timings: { startedAt: started === null ? null : new Date(started).toISOString(), endedAt: ended === null ? null : new Date(ended).toISOString(), durationMs: started !== null && ended !== null ? ended - started : null },
        cachedNodes: seen?.cached ?? toJson(messages.find(([t]) => t === 'execution_cached')?.[1]?.['nodes'] ?? []),
        observedLive: seen !== undefined,
        graph: { sha256: graphBlob.sha256, nodes: graph ? Object.keys(graph).length : 0, classTypes: graph ? [...new Set(Object.values(graph).map((n) => n.class_type))].sort() : [] },
        metadata: graph ? (summaryJson(summariseComfyGraph(graph)) as JsonValue) : null,
        outputs,
      },
      artifacts,
    });
    state.prompts += 1;
    notify(status === 'success' ? 'info' : 'warn', `prompt ${promptId} ${status}: ${outputs.length} output image(s)`, event.body.seq);
  };

  // Serialised catch-up: read recent history and record what is new.
  let polling: Promise<void> | undefined;
  let pollAgain = false;
  const poll = (): void => {
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = (async () => {
      do {
        pollAgain = false;
        try {
          const recent = (await getJson('/history?max_items=64')) as Record<string, HistoryEntry>;
          for (const id of Object.keys(recent)) if (!known.has(id) && !live.has(id)) await record(id);
        } catch (error) {
          state.lastError = describeError(error);
        }
      } while (pollAgain && !stopping);
    })().finally(() => {
      polling = undefined;
    });
    track(polling);
  };

  const onMessage = (raw: WebSocket.RawData, isBinary: boolean): void => {
    if (isBinary) return; // preview frames
    let message: { type?: string; data?: Record<string, unknown> };
    try {
      message = JSON.parse(raw.toString()) as typeof message;
    } catch {
      return;
    }
    const data = message.data ?? {};
    const promptId = typeof data['prompt_id'] === 'string' ? data['prompt_id'] : undefined;
    switch (message.type) {
      case 'status':
        poll();
        break;
      case 'execution_start':
        if (promptId && !known.has(promptId)) live.set(promptId, { cached: [], observedAt: new Date().toISOString() });
        break;
      case 'execution_cached':
        if (promptId && live.has(promptId) && Array.isArray(data['nodes'])) live.get(promptId)!.cached = data['nodes'].map(String);
        break;
      case 'execution_success':
      case 'execution_error':
      case 'execution_interrupted': {
        const entry = promptId ? live.get(promptId) : undefined;
        if (entry) entry.outcome = message.type === 'execution_success' ? { status: 'success' } : { status: message.type === 'execution_error' ? 'error' : 'interrupted', error: data };
        break;
      }
      case 'executing':
        // node null: the prompt worker is done and history is written (main.py prompt_worker).
        if (promptId && data['node'] === null && live.has(promptId)) track(record(promptId, live.get(promptId)!.outcome));
        break;
      default:
        break;
    }
  };

  const open = (): void => {
    const wsUrl = `${base.replace(/^http/, 'ws')}/ws?clientId=${clientId}`;
    const ws = new WebSocket(wsUrl, { handshakeTimeout: timeoutMs });
    socket = ws;
    ws.on('open', () => {
      state.connected = true;
      if (lostAt !== undefined) {
        const offlineMs = Date.now() - lostAt;
        try {
          const event = pl.events.append(sessionId, { type: 'comfyui.reconnected', payload: { url: base, attempts, offlineMs } });
          notify('info', `reconnected to ComfyUI after ${Math.round(offlineMs / 100) / 10} s`, event.body.seq);
        } catch (error) {
          notify('error', `reconnected, but could not record it: ${describeError(error)}`);
        }
      }
      lostAt = undefined;
      attempts = 0;
      poll(); // prompts that finished while the socket was down
    });
    ws.on('message', onMessage);
    ws.on('error', (error) => {
      state.lastError = describeError(error);
    });
    ws.on('close', (code, reason) => {
      const wasConnected = state.connected;
      state.connected = false;
      if (stopping) return;
      if (lostAt === undefined) {
        lostAt = Date.now();
        try {
          const event = pl.events.append(sessionId, { type: 'comfyui.disconnected', payload: { url: base, code, reason: reason.toString() || (state.lastError ?? ''), wasConnected } });
          notify('warn', `lost the connection to ComfyUI (${state.lastError ?? `code ${code}`}); reconnecting`, event.body.seq);
        } catch (error) {
          notify('error', `lost the connection to ComfyUI and could not record it: ${describeError(error)}`);
        }
      }
      attempts += 1;
      const wait = Math.min(maxDelay, initialDelay * 2 ** Math.min(attempts - 1, 16));
      reconnectTimer = setTimeout(open, wait);
    });
  };
  open();

  let stopped: Promise<void> | undefined;
  return {
    name,
    clientId,
    status: () => ({ connected: state.connected, prompts: state.prompts, ...(state.lastError ? { lastError: state.lastError } : {}) }),
    stop() {
      stopped ??= (async () => {
        stopping = true;
        if (reconnectTimer) clearTimeout(reconnectTimer);
        socket?.removeAllListeners('message');
        socket?.close();
        state.connected = false;
        while (inflight.size > 0) await Promise.allSettled([...inflight]);
        try {
          const event = pl.events.append(sessionId, { type: 'comfyui.disconnected', payload: { url: base, reason: 'stopped', prompts: state.prompts, stopped: true } });
          notify('info', `stopped: ${state.prompts} prompt(s) recorded`, event.body.seq);
        } catch (error) {
          notify('error', `could not record the end of the ComfyUI connection: ${describeError(error)}`);
        }
      })();
      return stopped;
    },
  };
}

/**
 * ComfyUI's /system_stats at `url`, or `comfyui.unreachable` saying why: asked by the connector
 * and, before anything is recorded, by the recording's checks (recording-plan.ts).
 */
export async function probeComfyUI(url: string, timeoutMs = 15_000): Promise<unknown> {
  const base = normaliseUrl(url);
  try {
    const response = await fetch(`${base}/system_stats`, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`/system_stats answered HTTP ${response.status}`);
    return await response.json();
  } catch (error) {
    throw new ProoflineError('comfyui.unreachable', `Cannot reach ComfyUI at ${base}: ${describeError(error)}. Start ComfyUI, or check the address and port (default http://127.0.0.1:8188).`, { url: base }, { cause: error });
  }
}

/** The ComfyUI address as the connector uses it; `comfyui.url-invalid` if it is not an http(s) URL. */
export function normaliseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ProoflineError('comfyui.url-invalid', `'${url}' is not a URL. Give the ComfyUI address, e.g. http://127.0.0.1:8188`, { url });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ProoflineError('comfyui.url-invalid', `ComfyUI URL '${url}' must start with http:// or https://`, { url });
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

function summaryJson(fields: ReturnType<typeof summariseComfyGraph>): { [key: string]: JsonValue } {
  return { ...fields, model: { ...fields.model }, parameters: { ...fields.parameters } };
}

function toJson(value: unknown): JsonValue {
  return JSON.parse(JSON.stringify(value ?? null)) as JsonValue;
}

function versionOf(stats: unknown): string {
  const version = (stats as { system?: { comfyui_version?: unknown } } | undefined)?.system?.comfyui_version;
  return typeof version === 'string' ? version : '(version not reported)';
}

function describeError(error: unknown): string {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(error);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
