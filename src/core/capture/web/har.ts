import { ProoflineError } from '../../errors.js';

/** The parts of HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/) that a capture reads back. */
export interface HarHeader {
  readonly name: string;
  readonly value: string;
}

export interface HarEntry {
  readonly startedDateTime: string;
  readonly request: {
    readonly method: string;
    readonly url: string;
    readonly httpVersion: string;
    readonly headers: readonly HarHeader[];
    readonly postData?: { readonly mimeType?: string; readonly text?: string };
  };
  readonly response: {
    readonly status: number;
    readonly statusText: string;
    readonly httpVersion: string;
    readonly headers: readonly HarHeader[];
    readonly content: { readonly size: number; readonly mimeType?: string; readonly text?: string; readonly encoding?: string };
    readonly redirectURL?: string;
  };
  readonly serverIPAddress?: string;
  /** Playwright's extension: the server port. */
  readonly _serverPort?: number;
}

export interface Har {
  readonly log: { readonly version: string; readonly creator: { readonly name: string; readonly version: string }; readonly entries: readonly HarEntry[] };
}

/** One HTTP request and its response, as bytes, ready for WARC records. */
export interface HttpExchange {
  readonly url: string;
  readonly date: Date;
  readonly method: string;
  readonly requestHeaders: readonly (readonly [string, string])[];
  readonly requestBody: Uint8Array;
  readonly status: number;
  readonly statusText: string;
  readonly responseHeaders: readonly (readonly [string, string])[];
  readonly body: Uint8Array;
  readonly serverIp?: string;
  /** The body did not arrive whole (the server held it open past the capture). */
  readonly truncated: boolean;
}

export function parseHar(text: string, source: string): Har {
  let har: Har;
  try {
    har = JSON.parse(text) as Har;
  } catch (error) {
    throw new ProoflineError('har.invalid', `The network log ${source} is not valid JSON (${(error as Error).message}); the browser may have stopped while writing it.`, { path: source }, { cause: error });
  }
  if (!har?.log || !Array.isArray(har.log.entries)) throw new ProoflineError('har.invalid', `The network log ${source} has no log.entries: not a HAR file.`, { path: source });
  return har;
}

/**
 * The exchanges a HAR holds, with bodies decoded to bytes. Entries that never got a response
 * (status 0) have nothing to archive and are left out; the HAR itself keeps them.
 * Text bodies come back from the HAR as UTF-8; a page in another charset is archived as the
 * browser decoded it.
 */
export function harExchanges(har: Har): HttpExchange[] {
  const out: HttpExchange[] = [];
  for (const entry of har.log.entries) {
    const { request, response } = entry;
    if (!response || response.status <= 0) continue;
    const content = response.content;
    const body = content.text === undefined
      ? new Uint8Array(0)
      : content.encoding === 'base64' ? Buffer.from(content.text, 'base64') : Buffer.from(content.text, 'utf8');
    const declared = Number(headerValue(response.headers, 'content-length') ?? NaN);
    const truncated = content.size < 0 && body.length === 0 && response.status !== 204 && response.status !== 304
      && !(response.status >= 300 && response.status < 400) && declared !== 0;
    out.push({
      url: request.url,
      date: new Date(entry.startedDateTime),
      method: request.method,
      requestHeaders: request.headers.filter((h) => !h.name.startsWith(':')).map((h) => [h.name, h.value] as const),
      requestBody: request.postData?.text ? Buffer.from(request.postData.text, 'utf8') : new Uint8Array(0),
      status: response.status,
      statusText: response.statusText,
      responseHeaders: response.headers.filter((h) => !h.name.startsWith(':')).map((h) => [h.name, h.value] as const),
      body,
      serverIp: entry.serverIPAddress,
      truncated,
    });
  }
  return out;
}

export function headerValue(headers: readonly HarHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}
