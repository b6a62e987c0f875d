/**
 * SURT keys and CDX timestamps, as replay tools (pywb, ReplayWeb.page) expect them in a CDXJ
 * index: host labels reversed and comma-joined, "www." dropped, lower-cased, default port
 * dropped, query arguments sorted, then ")" and the path. An IP address is kept as it is.
 */
export function surt(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.toLowerCase();
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url.toLowerCase();
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  const isIp = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
  const labels = isIp ? [host] : host.replace(/^www\d*\./, '').split('.').reverse();
  const port = parsed.port ? `:${parsed.port}` : '';
  const query = parsed.search.length > 1
    ? `?${parsed.search.slice(1).split('&').filter(Boolean).sort().join('&')}`
    : '';
  return `${labels.join(',')}${port})${parsed.pathname}${query}`.toLowerCase();
}

/** A CDX timestamp: YYYYMMDDhhmmss in UTC. */
export function cdxTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
