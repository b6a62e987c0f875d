// The renderer's client for every operation of the contract. Inside the app it calls the
// preload bridge; in a browser (`proofline serve`) it POSTs to /api/<operation> with the
// per-launch secret, reading progress as server-sent events. Screens only see `api`.
import type { Envelope, ProoflineBridge } from '../../shared/bridge';
import { isLongOperation, operationNames, type CallOptions, type OperationClient, type OperationError, type OperationName } from '../../shared/contract';

/** A failed operation, with the kind the UI uses to choose its words and the code it says in the reader's language. */
export class ApiError extends Error {
  readonly kind: OperationError['kind'] | 'unauthorised' | 'offline';
  readonly issues: OperationError['issues'];
  readonly code: OperationError['code'];
  readonly params: OperationError['params'];
  constructor(error: OperationError | { kind: 'unauthorised' | 'offline'; message: string; issues?: undefined; code?: undefined; params?: undefined }) {
    super(error.message);
    this.kind = error.kind;
    this.issues = error.issues;
    this.code = error.code;
    this.params = error.params;
  }
}

const SECRET_KEY = 'proofline.secret';

/**
 * Whether the host answers. A call that cannot reach it marks the connection lost; while lost,
 * the host is asked every few seconds, and the first answer (any call's) marks it back.
 */
type ConnectionListener = () => void;
const connectionListeners = new Set<ConnectionListener>();
let connectionLost = false;
let probe: ReturnType<typeof setInterval> | undefined;
function setConnectionLost(lost: boolean, ping?: () => Promise<unknown>): void {
  if (lost && ping && probe === undefined) probe = setInterval(() => void ping().catch(() => undefined), 2000);
  if (!lost && probe !== undefined) {
    clearInterval(probe);
    probe = undefined;
  }
  if (connectionLost === lost) return;
  connectionLost = lost;
  for (const listener of connectionListeners) listener();
}
export const connection = {
  lost: (): boolean => connectionLost,
  subscribe(listener: ConnectionListener): () => void {
    connectionListeners.add(listener);
    return () => connectionListeners.delete(listener);
  },
};

/** Reads the secret from the address `proofline serve` printed, then hides it from the URL bar. */
function webSecret(): string | null {
  // `#secret=…`, or a route with the secret after it (`#/session/ID#secret=…`): keep the route.
  const match = /[#&]secret=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem(SECRET_KEY, match[1]!);
    const route = window.location.hash.slice(0, match.index).replace(/^#?$/, '');
    history.replaceState(null, '', window.location.pathname + window.location.search + route);
  }
  return sessionStorage.getItem(SECRET_KEY);
}

/** Unique across windows and tabs: the web host keys its running calls by it. */
const newCallId = (): string => crypto.randomUUID();

/**
 * Runs `call` with a fresh call id and ties `signal` to the host's cancel channel: aborting it
 * asks the host to abort that call. The call then settles as the host ends it, with the
 * cancellation error (nothing is reported cancelled before the host has stopped the work).
 */
async function withCancel<R>(signal: AbortSignal | undefined, cancel: (callId: string) => Promise<unknown>, call: (callId: string) => Promise<R>): Promise<R> {
  if (signal?.aborted) throw new ApiError({ kind: 'interrupted', code: 'operation.cancelled', message: 'The operation was cancelled before it started.' });
  const callId = newCallId();
  const onAbort = (): void => void cancel(callId).catch(() => undefined);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await call(callId);
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

function unwrap<R>(envelope: Envelope<R>): R {
  if (envelope.ok) return envelope.result;
  throw new ApiError(envelope.error);
}

function bridgeClient(bridge: ProoflineBridge): OperationClient {
  const listeners = new Map<string, (progress: unknown) => void>();
  bridge.onProgress((callId, progress) => listeners.get(callId)?.(progress));
  const entries = operationNames.map((name) => [
    name,
    async (input: unknown, options: CallOptions<unknown> = {}) => {
      if (!isLongOperation(name)) return unwrap((await bridge.operations[name](input, newCallId())) as Envelope<unknown>);
      return withCancel(options.signal, (callId) => bridge.cancel(callId), async (callId) => {
        if (options.onProgress) listeners.set(callId, options.onProgress);
        try {
          return unwrap((await bridge.operations[name](input, callId)) as Envelope<unknown>);
        } finally {
          listeners.delete(callId);
        }
      });
    },
  ]);
  return Object.fromEntries(entries) as OperationClient;
}

async function readEvents(response: Response, onProgress?: (progress: unknown) => void): Promise<unknown> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    let chunk: ReadableStreamReadResult<string>;
    try {
      chunk = await reader.read();
    } catch {
      break; // the connection dropped mid-stream: said below as a lost connection
    }
    const { value, done } = chunk;
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data === undefined) continue;
      if (event === 'progress') onProgress?.(JSON.parse(data));
      if (event === 'result') return unwrap(JSON.parse(data) as Envelope<unknown>);
    }
  }
  setConnectionLost(true, () => api['app.info']({}));
  throw new ApiError({ kind: 'offline', message: 'The connection to Proofline closed before the operation finished.' });
}

function webClient(secret: string | null): OperationClient {
  const post = (path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> =>
    fetch(path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-proofline-secret': secret!, ...headers }, body: JSON.stringify(body ?? {}) });
  const cancel = (callId: string): Promise<Response> => post('/api/cancel', { callId });
  const call = async (name: OperationName, input: unknown, headers: Record<string, string>, onProgress?: (progress: unknown) => void): Promise<unknown> => {
    if (!secret) throw new ApiError({ kind: 'unauthorised', message: 'Open the address that `proofline serve` printed: it carries this launch’s secret.' });
    let response: Response;
    try {
      response = await post(`/api/${name}`, input, headers);
    } catch {
      setConnectionLost(true, () => call('app.info', {}, {}));
      throw new ApiError({ kind: 'offline', message: 'Proofline is not running: start `proofline serve` again and open the address it prints.' });
    }
    setConnectionLost(false);
    if (response.status === 401) throw new ApiError({ kind: 'unauthorised', message: 'This page’s secret is not accepted: open the address `proofline serve` printed this time.' });
    if ((response.headers.get('content-type') ?? '').startsWith('text/event-stream')) return readEvents(response, onProgress);
    return unwrap((await response.json()) as Envelope<unknown>);
  };
  const entries = operationNames.map((name) => [
    name,
    async (input: unknown, options: CallOptions<unknown> = {}) => {
      if (!isLongOperation(name)) return call(name, input, {});
      // A long call always streams: its result comes as an event, after its progress, cancelled or not.
      return withCancel(options.signal, cancel, (callId) => call(name, input, { accept: 'text/event-stream', 'x-proofline-call-id': callId }, options.onProgress));
    },
  ]);
  return Object.fromEntries(entries) as OperationClient;
}

const bridge = window.proofline;
const secret = bridge ? null : webSecret();

export const api: OperationClient = bridge ? bridgeClient(bridge) : webClient(secret);
export const inDesktopApp = bridge !== undefined;

/** Where the window loads a stored file or an archive entry from (video, images, pages). */
export const mediaUrl = {
  blob: (sessionId: string, sha256: string): string =>
    bridge ? `proofline-media://blob/${sessionId}/${sha256}` : `/media/blob/${encodeURIComponent(sessionId)}/${sha256}`,
  archive: (handle: string, path: string): string =>
    bridge ? `proofline-media://archive/${handle}/${path.split('/').map(encodeURIComponent).join('/')}` : `/media/archive/${handle}/${path.split('/').map(encodeURIComponent).join('/')}`,
};

/** In a browser, an archive chosen with a file input is uploaded to the host; returns its path there. */
export function uploadArchive(file: File, onProgress?: (done: number, total: number) => void): Promise<string> {
  if (!secret) return Promise.reject(new ApiError({ kind: 'unauthorised', message: 'Open the address that `proofline serve` printed.' }));
  // XMLHttpRequest, not fetch: only it reports upload progress, which a multi-GB archive needs.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', `/upload?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('x-proofline-secret', secret);
    xhr.upload.onprogress = (event) => onProgress?.(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onerror = () => reject(new ApiError({ kind: 'offline', message: 'The upload did not reach Proofline: is `proofline serve` still running?' }));
    xhr.onload = () => {
      try {
        resolve(unwrap(JSON.parse(xhr.responseText) as Envelope<{ path: string }>).path);
      } catch (error) {
        reject(error instanceof ApiError ? error : new ApiError({ kind: 'failed', message: `The upload failed (HTTP ${xhr.status}).` }));
      }
    };
    onProgress?.(0, file.size);
    xhr.send(file);
  });
}

/** Commands pushed by the app's main process (global shortcut, tray). */
export function onAppCommand(listener: (command: string) => void): () => void {
  return bridge ? bridge.onCommand(listener) : () => undefined;
}

export type { OperationName };
