import { decodeMessage, DNS_TYPE, encodeQuery } from './dns-wire.js';

export interface DohAnswer {
  readonly url: string;
  readonly format: 'json' | 'wire';
  readonly addresses: readonly string[];
  readonly cnames: readonly string[];
  /** DNS RCODE (0 NOERROR, 3 NXDOMAIN…). */
  readonly status: number;
}

/**
 * Asks a DNS-over-HTTPS resolver for A and AAAA: RFC 8484 GET with `?dns=` (wire), or the JSON
 * API (`?name=&type=`, application/dns-json) that Google, Cloudflare, Alibaba and DNSPod serve.
 */
export async function queryDoh(url: string, host: string, format: 'json' | 'wire', timeoutMs: number, signal?: AbortSignal): Promise<DohAnswer> {
  const base = new URL(url);
  if (base.protocol !== 'https:' && base.protocol !== 'http:') throw new Error(`DoH URL ${url} must be http(s)`);
  const ask = async (type: 'A' | 'AAAA'): Promise<{ status: number; addresses: string[]; cnames: string[] }> => {
    const request = new URL(base);
    if (format === 'wire') request.searchParams.set('dns', encodeQuery(host, DNS_TYPE[type], 0).toString('base64url'));
    else {
      request.searchParams.set('name', host);
      request.searchParams.set('type', type);
    }
    const signals = [AbortSignal.timeout(timeoutMs), ...(signal ? [signal] : [])];
    const response = await fetch(request, {
      headers: { accept: format === 'wire' ? 'application/dns-message' : 'application/dns-json' },
      signal: AbortSignal.any(signals),
    });
    if (!response.ok) throw new Error(`DoH resolver ${url} answered HTTP ${response.status}`);
    if (format === 'wire') {
      const message = decodeMessage(Buffer.from(await response.arrayBuffer()));
      return {
        status: message.rcode,
        addresses: message.answers.filter((a) => a.type === DNS_TYPE[type]).map((a) => a.data),
        cnames: message.answers.filter((a) => a.type === DNS_TYPE.CNAME).map((a) => a.data),
      };
    }
    const body = (await response.json()) as { Status?: number; Answer?: { type?: number; data?: string }[] };
    if (typeof body.Status !== 'number') throw new Error(`DoH resolver ${url} did not answer in the dns-json format (no Status)`);
    const answers = Array.isArray(body.Answer) ? body.Answer : [];
    return {
      status: body.Status,
      addresses: answers.filter((a) => a.type === DNS_TYPE[type] && typeof a.data === 'string').map((a) => a.data!),
      cnames: answers.filter((a) => a.type === DNS_TYPE.CNAME && typeof a.data === 'string').map((a) => a.data!.replace(/\.$/, '')),
    };
  };
  const [v4, v6] = await Promise.all([ask('A'), ask('AAAA')]);
  return { url, format, status: v4.status, addresses: [...v4.addresses, ...v6.addresses], cnames: [...new Set([...v4.cnames, ...v6.cnames])] };
}
