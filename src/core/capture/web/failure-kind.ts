/** Why a URL could not be captured, in words a person can act on. */
export type FailureKind = 'refused' | 'dns' | 'timeout' | 'tls' | 'http-error' | 'network' | 'invalid-url' | 'aborted' | 'browser' | 'other';

export interface CaptureFailure {
  readonly kind: FailureKind;
  readonly message: string;
}

const NET_ERROR = /net::(ERR_[A-Z0-9_]+)/;

/** Chromium's net error names (net/base/net_error_list.h) grouped into the kinds a user sees. */
export function classifyFailure(error: unknown): CaptureFailure {
  const message = error instanceof Error ? error.message.split('\n')[0]! : String(error);
  const name = error instanceof Error ? error.name : '';
  const code = NET_ERROR.exec(message)?.[1] ?? '';
  if (code === 'ERR_CONNECTION_REFUSED') return { kind: 'refused', message: 'the server refused the connection (nothing listens on that port)' };
  if (code === 'ERR_NAME_NOT_RESOLVED' || code === 'ERR_NAME_RESOLUTION_FAILED') return { kind: 'dns', message: 'the host name could not be resolved (DNS)' };
  if (code.startsWith('ERR_CERT_') || code.startsWith('ERR_SSL_') || code === 'ERR_BAD_SSL_CLIENT_AUTH_CERT') {
    return { kind: 'tls', message: `TLS failed (${code}): the certificate is not trusted or the handshake failed; pass the site's CA with extraCaRoots, or ignoreHttpsErrors to capture anyway` };
  }
  if (code === 'ERR_TIMED_OUT' || code === 'ERR_CONNECTION_TIMED_OUT' || name === 'TimeoutError' || /Timeout \d+ms exceeded/.test(message)) {
    return { kind: 'timeout', message: `no response in time: ${message}` };
  }
  if (code === 'ERR_ABORTED' && /frame was detached|Target.*closed/i.test(message)) return { kind: 'browser', message };
  if (code) return { kind: 'network', message: `${code}: ${message}` };
  if (/Target (page, context or browser )?(has been )?closed|Browser has been closed|crash/i.test(message)) return { kind: 'browser', message };
  return { kind: 'other', message };
}

/** Failures worth another attempt: the network or the server may do better next time. */
export function isRetryable(kind: FailureKind): boolean {
  return kind === 'refused' || kind === 'dns' || kind === 'timeout' || kind === 'network' || kind === 'browser';
}
