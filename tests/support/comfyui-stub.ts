// A stand-in for a running ComfyUI server (none can run here: it needs PyTorch and a model),
// speaking its documented protocol (docs.comfy.org "Server Overview"/"Messages"; server.py and
// execution.py): POST /prompt queues a graph, GET /history[/id], /view and /system_stats answer as
// ComfyUI does, and /ws?clientId=… carries `status` to every client while `execution_start`,
// `execution_cached`, `executing`, `progress`, `executed`, `execution_success` / `execution_error`
// go only to the client whose id queued the prompt (send_sync(…, sid=client_id)). Images are real
// PNGs with the `prompt` and `workflow` text chunks ComfyUI's SaveImage writes.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { pngWithText, pythonJson } from './ai-images.js';

export interface HistoryEntry {
  prompt: [number, string, Record<string, unknown>, Record<string, unknown>, string[]];
  outputs: Record<string, { images: { filename: string; subfolder: string; type: string }[] }>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: [string, Record<string, unknown>][] };
  meta: Record<string, unknown>;
}

export interface ComfyStub {
  readonly url: string;
  readonly images: ReadonlyMap<string, Buffer>;
  readonly history: ReadonlyMap<string, HistoryEntry>;
  /** Queues a graph as a browser tab would (POST /prompt); resolves with the prompt id once it ran. */
  queue(graph: Record<string, unknown>, options?: { clientId?: string; workflow?: Record<string, unknown>; failNode?: string }): Promise<string>;
  /** Drops every open socket (as a server restart or a network blip would). */
  dropSockets(): void;
  /** While true, WebSocket upgrades are refused with 503. */
  refuseSockets(refuse: boolean): void;
  socketCount(): number;
  close(): Promise<void>;
}

export const SYSTEM_STATS = {
  system: {
    os: 'posix',
    ram_total: 67_321_016_320,
    ram_free: 52_101_877_760,
    comfyui_version: '0.3.62',
    python_version: '3.12.3 (main, Feb  4 2025, 14:48:35) [GCC 13.3.0]',
    pytorch_version: '2.8.0+cu128',
    embedded_python: false,
    argv: ['main.py', '--listen', '127.0.0.1'],
  },
  devices: [{ name: 'cuda:0 NVIDIA GeForce RTX 4090 : cudaMallocAsync', type: 'cuda', index: 0, vram_total: 25_386_352_640, vram_free: 23_711_318_016, torch_vram_total: 0, torch_vram_free: 0 }],
};

export async function startComfyStub(): Promise<ComfyStub> {
  const images = new Map<string, Buffer>();
  const history = new Map<string, HistoryEntry>();
  const sockets = new Map<WebSocket, string>();
  let refusing = false;
  let number = 0;
  let queueRemaining = 0;
  let imageCounter = 0;

  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const send = (type: string, data: Record<string, unknown>, sid?: string): void => {
    const message = JSON.stringify({ type, data });
    for (const [socket, id] of sockets) if (sid === undefined || id === sid) socket.send(message);
  };
  const status = (): void => send('status', { status: { exec_info: { queue_remaining: queueRemaining } } });
  const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 5));

  const run = async (promptId: string, graph: Record<string, unknown>, extra: Record<string, unknown>, failNode?: string): Promise<void> => {
    const sid = typeof extra['client_id'] === 'string' ? extra['client_id'] : undefined;
    const messages: [string, Record<string, unknown>][] = [];
    const to = (type: string, data: Record<string, unknown>): void => {
      if (['execution_start', 'execution_cached', 'execution_success', 'execution_error', 'execution_interrupted'].includes(type)) messages.push([type, data]);
      if (sid !== undefined) send(type, data, sid);
    };
    const myNumber = number++;
    queueRemaining += 1;
    status();
    await tick();
    to('execution_start', { prompt_id: promptId, timestamp: Date.now() });
    to('execution_cached', { nodes: [], prompt_id: promptId, timestamp: Date.now() });
    const outputs: HistoryEntry['outputs'] = {};
    let failed = false;
    for (const id of Object.keys(graph)) {
      to('executing', { node: id, display_node: id, prompt_id: promptId });
      await tick();
      const node = graph[id] as { class_type: string; inputs: Record<string, unknown> };
      if (id === failNode) {
        to('execution_error', { prompt_id: promptId, node_id: id, node_type: node.class_type, executed: [], exception_message: 'Allocation on device: out of memory', exception_type: 'torch.OutOfMemoryError', traceback: ['  File "execution.py", line 496, in execute\n'], current_inputs: {}, current_outputs: {}, timestamp: Date.now() });
        failed = true;
        break;
      }
      if (/Sampler/.test(node.class_type)) for (let v = 1; v <= 3; v++) to('progress', { value: v, max: 3, prompt_id: promptId, node: id });
      if (node.class_type === 'SaveImage') {
        imageCounter += 1;
        const filename = `${String(node.inputs['filename_prefix'] ?? 'ComfyUI')}_${String(imageCounter).padStart(5, '0')}_.png`;
        const chunks = [{ type: 'tEXt' as const, keyword: 'prompt', text: pythonJson(graph) }];
        const workflow = (extra['extra_pnginfo'] as { workflow?: unknown } | undefined)?.workflow;
        if (workflow) chunks.push({ type: 'tEXt', keyword: 'workflow', text: pythonJson(workflow) });
        images.set(`output//${filename}`, pngWithText(chunks, { seed: imageCounter }));
        const ui = { images: [{ filename, subfolder: '', type: 'output' }] };
        outputs[id] = ui;
        to('executed', { node: id, display_node: id, output: ui, prompt_id: promptId });
      }
    }
    if (!failed) to('execution_success', { prompt_id: promptId, timestamp: Date.now() });
    history.set(promptId, {
      prompt: [myNumber, promptId, graph, extra, Object.keys(outputs)],
      outputs,
      status: { status_str: failed ? 'error' : 'success', completed: !failed, messages },
      meta: Object.fromEntries(Object.keys(outputs).map((id) => [id, { node_id: id, display_node: id, parent_node: null, real_node_id: id }])),
    });
    // main.py prompt_worker: task_done (history stored), then executing with node None.
    if (sid !== undefined) send('executing', { node: null, prompt_id: promptId }, sid);
    queueRemaining -= 1;
    status();
  };

  const pending = new Map<string, Promise<void>>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    if (req.method === 'GET' && url.pathname === '/system_stats') return json(res, 200, SYSTEM_STATS);
    if (req.method === 'GET' && url.pathname === '/history') {
      const max = Number(url.searchParams.get('max_items') ?? Infinity);
      const entries = [...history].slice(-Math.max(0, Math.min(max, history.size)));
      return json(res, 200, Object.fromEntries(max === 0 ? [] : entries));
    }
    if (req.method === 'GET' && url.pathname.startsWith('/history/')) {
      const id = decodeURIComponent(url.pathname.slice('/history/'.length));
      const entry = history.get(id);
      return json(res, 200, entry ? { [id]: entry } : {});
    }
    if (req.method === 'GET' && url.pathname === '/view') {
      const key = `${url.searchParams.get('type') ?? 'output'}/${url.searchParams.get('subfolder') ?? ''}/${url.searchParams.get('filename') ?? ''}`;
      const image = images.get(key);
      if (!image) return json(res, 404, { error: 'not found' });
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': image.length });
      return res.end(image);
    }
    if (req.method === 'POST' && url.pathname === '/prompt') {
      const body: Buffer[] = [];
      req.on('data', (c: Buffer) => body.push(c));
      req.on('end', () => {
        const request = JSON.parse(Buffer.concat(body).toString('utf8')) as { prompt: Record<string, unknown>; client_id?: string; extra_data?: Record<string, unknown>; fail_node?: string };
        const promptId = randomUUID();
        const extra = { ...(request.extra_data ?? {}), ...(request.client_id ? { client_id: request.client_id } : {}) };
        pending.set(promptId, run(promptId, request.prompt, extra, request.fail_node));
        json(res, 200, { prompt_id: promptId, number, node_errors: {} });
      });
      return undefined;
    }
    return json(res, 404, { error: `no route ${url.pathname}` });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://stub');
    if (url.pathname !== '/ws' || refusing) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const sid = url.searchParams.get('clientId') ?? randomUUID().replace(/-/g, '');
      sockets.set(ws, sid);
      ws.on('close', () => sockets.delete(ws));
      ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: queueRemaining } }, sid } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: base,
    images,
    history,
    async queue(graph, options = {}) {
      const response = await fetch(`${base}/prompt`, {
        method: 'POST',
        body: JSON.stringify({ prompt: graph, client_id: options.clientId, extra_data: options.workflow ? { extra_pnginfo: { workflow: options.workflow } } : {}, fail_node: options.failNode }),
      });
      const { prompt_id: id } = (await response.json()) as { prompt_id: string };
      await pending.get(id);
      return id;
    },
    dropSockets() {
      for (const socket of sockets.keys()) socket.terminate();
    },
    refuseSockets(refuse) {
      refusing = refuse;
    },
    socketCount: () => sockets.size,
    async close() {
      for (const socket of sockets.keys()) socket.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
    },
  };
}
