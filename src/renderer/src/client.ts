// The renderer's client for every operation of the contract. Inside the app it calls the
// preload bridge; in a browser (`proofline serve`) it POSTs to /api/<operation> with the
// per-launch secret, reading progress as server-sent events. Screens only see `api`, and `live`
// for what the host pushes about the sessions they show.
import type { Envelope, ProoflineBridge } from '../../shared/bridge';
import { isLongOperation, operationNames, type CallOptions, type OperationClient, type OperationError, type OperationName, type SessionPulse } from '../../shared/contract';

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

/** The events of a server-sent stream, as they come; ends when the stream ends or drops. */
async function* serverSentEvents(response: Response): AsyncGenerator<{ readonly event: string | undefined; readonly data: string }> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    let chunk: ReadableStreamReadResult<string>;
    try {
      chunk = await reader.read();
    } catch {
      return; // the connection dropped mid-stream: the caller says what that means
    }
    const { value, done } = chunk;
    if (done) return;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (data !== undefined) yield { event, data };
    }
  }
}

async function readEvents(response: Response, onProgress?: (progress: unknown) => void): Promise<unknown> {
  for await (const { event, data } of serverSentEvents(response)) {
    if (event === 'progress') onProgress?.(JSON.parse(data));
    if (event === 'result') return unwrap(JSON.parse(data) as Envelope<unknown>);
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

/** Sends the host the sessions watched now: every transport replaces its last list. */
type WatchSessions = (sessions: readonly string[]) => void;

function bridgeWatch(bridge: ProoflineBridge, deliver: (pulse: SessionPulse) => void): WatchSessions {
  bridge.onPulse(deliver);
  return (sessions) =>
    void bridge.watch(sessions).then((envelope) => {
      // Only a malformed id is refused: a bug here, said where a developer looks.
      if (!envelope.ok) console.error(`live updates refused: ${envelope.error.message}`);
    });
}

/** The longest wait before the live stream is opened again after it dropped. */
const MAX_STREAM_BACKOFF_MS = 15_000;

/**
 * One stream per page, `GET /api/live?session=…` (a fetch, so the secret goes as a header),
 * opened again when the list changes, when it drops (with backoff), and at once when the host
 * answers again after the connection was lost. A stream that cannot be opened marks the
 * connection lost, as a failed call does.
 */
function webWatch(secret: string | null, deliver: (pulse: SessionPulse) => void): WatchSessions {
  let watched: readonly string[] = [];
  let stream: AbortController | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  const again = (): void => {
    failures += 1;
    retry = setTimeout(open, Math.min(MAX_STREAM_BACKOFF_MS, 1000 * 2 ** (failures - 1)));
  };
  function open(): void {
    clearTimeout(retry);
    retry = undefined;
    stream?.abort();
    stream = undefined;
    if (!secret || watched.length === 0) return;
    const controller = new AbortController();
    stream = controller;
    const query = watched.map((id) => `session=${encodeURIComponent(id)}`).join('&');
    void (async () => {
      let response: Response;
      try {
        response = await fetch(`/api/live?${query}`, { headers: { accept: 'text/event-stream', 'x-proofline-secret': secret }, signal: controller.signal });
      } catch {
        if (controller.signal.aborted) return;
        setConnectionLost(true, () => api['app.info']({}));
        return again();
      }
      // Refused (a secret from another launch, a host without the channel): the screens' own
      // calls say why, and their fallback poll keeps them current.
      if (!response.ok) return void response.body?.cancel();
      setConnectionLost(false);
      failures = 0;
      for await (const { event, data } of serverSentEvents(response)) {
        if (event === 'pulse') deliver(JSON.parse(data) as SessionPulse);
      }
      if (!controller.signal.aborted) again();
    })();
  }
  connection.subscribe(() => {
    if (!connection.lost() && retry !== undefined) open();
  });
  return (sessions) => {
    watched = sessions;
    open();
  };
}

const bridge = window.proofline;
const secret = bridge ? null : webSecret();

export const api: OperationClient = bridge ? bridgeClient(bridge) : webClient(secret);
export const inDesktopApp = bridge !== undefined;

/**
 * How often a live screen asks the host anyway: a push can be missed (a stream that dropped, a
 * host without the live channel), and this bounds how long a screen can stay stale. A test sets
 * `proofline.fallbackPollMs` in sessionStorage to show that the pushes alone keep a screen current.
 */
export const FALLBACK_POLL_MS = Number(sessionStorage.getItem('proofline.fallbackPollMs')) || 10_000;

const pulseListeners = new Map<string, Set<(pulse: SessionPulse) => void>>();
const deliverPulse = (pulse: SessionPulse): void => {
  for (const listener of pulseListeners.get(pulse.id) ?? []) listener(pulse);
};
const watchSessions: WatchSessions = bridge ? bridgeWatch(bridge, deliverPulse) : webWatch(secret, deliverPulse);
let watchedKey = '';
let watchQueued = false;
/** Sends the list once the screens have settled (a route change unwatches and watches in one go). */
function queueWatch(): void {
  if (watchQueued) return;
  watchQueued = true;
  setTimeout(() => {
    watchQueued = false;
    const sessions = [...pulseListeners.keys()].sort();
    if (sessions.join(',') === watchedKey) return;
    watchedKey = sessions.join(',');
    watchSessions(sessions);
  }, 0);
}

/**
 * The live channel (contract.ts, `watchInput`): what the host pushes about the sessions the
 * screens show. A pulse comes at once when a session is first watched (and whenever the stream
 * is opened again), then each time its chain grows or its anchoring moves, in this process or
 * another (the CLI appending to the same data folder).
 */
export const live = {
  watch(sessionId: string, listener: (pulse: SessionPulse) => void): () => void {
    let listeners = pulseListeners.get(sessionId);
    if (!listeners) pulseListeners.set(sessionId, (listeners = new Set()));
    listeners.add(listener);
    queueWatch();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && pulseListeners.get(sessionId) === listeners) pulseListeners.delete(sessionId);
      queueWatch();
    };
  },
};

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
