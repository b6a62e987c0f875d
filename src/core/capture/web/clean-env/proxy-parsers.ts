// Pure parsers of the places a proxy can be set: environment variables, /etc/environment,
// GNOME's gsettings, the Windows registry (reg query) and macOS (scutil --proxy).

import type { ToolCommand } from './run-tool.js';

export interface ProxyConfig {
  /** Where it was read: 'env', '/etc/environment', 'gsettings', 'registry', 'scutil'. */
  readonly source: string;
  /** Proxy servers by scheme: http, https, socks, ftp, all. */
  readonly servers: { readonly [scheme: string]: string };
  /** A proxy auto-config script's URL, when one is in effect. */
  readonly pacUrl: string | null;
  /** Hosts that bypass the proxy (NO_PROXY, ignore-hosts, ProxyOverride, ExceptionsList). */
  readonly bypass: readonly string[];
}

export const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'FTP_PROXY', 'NO_PROXY'] as const;

/** Proxy variables in an environment, upper- and lower-case, as set (empty ones left out). */
export function proxyVariables(env: { readonly [key: string]: string | undefined }): { [name: string]: string } {
  const found: { [name: string]: string } = {};
  for (const name of PROXY_VARIABLES) {
    for (const variant of [name, name.toLowerCase()]) {
      const value = env[variant];
      if (value !== undefined && value.trim() !== '') found[variant] = value.trim();
    }
  }
  return found;
}

/** Proxy variables as one config: lower-case wins, as curl and Chromium read them. */
export function proxyConfigFromVariables(source: string, vars: { readonly [name: string]: string }): ProxyConfig {
  const pick = (name: string): string | undefined => vars[name.toLowerCase()] ?? vars[name];
  const servers: { [scheme: string]: string } = {};
  for (const [scheme, name] of [['http', 'HTTP_PROXY'], ['https', 'HTTPS_PROXY'], ['all', 'ALL_PROXY'], ['ftp', 'FTP_PROXY']] as const) {
    const value = pick(name);
    if (value) servers[scheme] = value;
  }
  return { source, servers, pacUrl: null, bypass: splitList(pick('NO_PROXY') ?? '') };
}

function splitList(value: string): string[] {
  return value.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean);
}

function unquote(value: string): string {
  const v = value.trim();
  if ((v.startsWith('"') && v.endsWith('"')) || (v.startsWith("'") && v.endsWith("'"))) return v.slice(1, -1);
  return v;
}

/** /etc/environment: `KEY=value` lines (pam_env), quotes optional, `#` comments. */
export function parseEtcEnvironment(text: string): { [key: string]: string } {
  const out: { [key: string]: string } = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    out[line.slice(0, eq).trim()] = unquote(line.slice(eq + 1));
  }
  return out;
}

export const GSETTINGS_PROXY: ToolCommand = { file: 'gsettings', args: ['list-recursively', 'org.gnome.system.proxy'] };

/**
 * `gsettings list-recursively org.gnome.system.proxy`: lines `schema key value` in GVariant
 * text form ('none', 8080, ['localhost', '127.0.0.0/8']).
 */
export function parseGsettingsProxy(text: string): ProxyConfig {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^org\.gnome\.system\.proxy(?:\.(\w+))?\s+([\w-]+)\s+(.*)$/.exec(line.trim());
    if (match) values.set(`${match[1] ?? ''}.${match[2]}`, match[3]!.trim());
  }
  const str = (key: string): string => unquote(values.get(key) ?? "''");
  const num = (key: string): number => Number(values.get(key) ?? 0) || 0;
  const mode = str('.mode');
  const servers: { [scheme: string]: string } = {};
  if (mode === 'manual') {
    for (const scheme of ['http', 'https', 'socks', 'ftp']) {
      const host = str(`${scheme}.host`);
      if (host) servers[scheme] = `${host}:${num(`${scheme}.port`)}`;
    }
  }
  const list = values.get('.ignore-hosts') ?? '[]';
  const bypass = [...list.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
  const pac = str('.autoconfig-url');
  return { source: 'gsettings', servers, pacUrl: mode === 'auto' ? pac || '(automatic discovery, WPAD)' : null, bypass };
}

export const REG_INTERNET_SETTINGS: ToolCommand = {
  file: 'reg',
  args: ['query', 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings'],
};

/** `reg query …\Internet Settings`: lines `    Name    REG_TYPE    value`. */
export function parseRegQuery(text: string): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s+(\S(?:.*?\S)?)\s{2,}(REG_[A-Z_]+)(?:\s{2,}(.*))?$/.exec(line);
    if (match) out[match[1]!] = (match[3] ?? '').trim();
  }
  return out;
}

/** ProxyEnable/ProxyServer/ProxyOverride/AutoConfigURL as a ProxyConfig (WinINet's rules). */
export function proxyConfigFromRegistry(values: { readonly [name: string]: string }): ProxyConfig {
  const enabled = Number(values['ProxyEnable'] ?? '0') === 1;
  const servers: { [scheme: string]: string } = {};
  const server = values['ProxyServer'] ?? '';
  if (enabled && server) {
    // Either one proxy for all ("host:port") or per scheme ("http=h:p;https=h:p;socks=h:p").
    if (server.includes('=')) {
      for (const part of server.split(';')) {
        const [scheme, value] = part.split('=');
        if (scheme && value) servers[scheme.trim().toLowerCase()] = value.trim();
      }
    } else {
      servers['all'] = server;
    }
  }
  return {
    source: 'registry',
    servers,
    pacUrl: values['AutoConfigURL'] || null,
    bypass: splitList((values['ProxyOverride'] ?? '').replace(/;/g, ',')),
  };
}

export const SCUTIL_PROXY: ToolCommand = { file: 'scutil', args: ['--proxy'] };

/** `scutil --proxy`: a `<dictionary>` of `Key : value` lines, ExceptionsList an `<array>`. */
export function parseScutilProxy(text: string): ProxyConfig {
  const values = new Map<string, string>();
  const exceptions: string[] = [];
  let inExceptions = false;
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim();
    if (/^ExceptionsList\s*:\s*<array>/.test(trimmed)) {
      inExceptions = true;
      continue;
    }
    if (inExceptions) {
      if (trimmed === '}') inExceptions = false;
      else {
        const item = /^\d+\s*:\s*(.*)$/.exec(trimmed);
        if (item) exceptions.push(item[1]!);
      }
      continue;
    }
    const match = /^(\w+)\s*:\s*(.*)$/.exec(trimmed);
    if (match) values.set(match[1]!, match[2]!);
  }
  const servers: { [scheme: string]: string } = {};
  for (const [scheme, prefix] of [['http', 'HTTP'], ['https', 'HTTPS'], ['socks', 'SOCKS'], ['ftp', 'FTP']] as const) {
    if (values.get(`${prefix}Enable`) === '1' && values.get(`${prefix}Proxy`)) {
      servers[scheme] = `${values.get(`${prefix}Proxy`)}:${values.get(`${prefix}Port`) ?? ''}`;
    }
  }
  let pacUrl: string | null = null;
  if (values.get('ProxyAutoConfigEnable') === '1') pacUrl = values.get('ProxyAutoConfigURLString') ?? '(no URL given)';
  else if (values.get('ProxyAutoDiscoveryEnable') === '1') pacUrl = '(automatic discovery, WPAD)';
  return { source: 'scutil', servers, pacUrl, bypass: exceptions };
}

/**
 * Whether a bypass list (NO_PROXY, ignore-hosts, ProxyOverride) exempts a host: `*`, the exact
 * name, a `.suffix` or `*.suffix`, or a bare domain covering its subdomains (curl's rule).
 * CIDR entries are not evaluated (they only count when the host is an address literal).
 */
export function bypassesProxy(host: string, bypass: readonly string[]): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return bypass.some((entry) => {
    const e = entry.toLowerCase().trim().replace(/:\d+$/, '');
    if (!e) return false;
    if (e === '*') return true;
    if (e === '<local>') return !h.includes('.');
    const bare = e.replace(/^\*?\./, '');
    return h === bare || h.endsWith(`.${bare}`);
  });
}

/** Which proxy of a config would carry a request for this scheme (http or https), if any. */
export function proxyFor(config: ProxyConfig, scheme: 'http' | 'https'): string | undefined {
  return config.servers[scheme] ?? config.servers['all'] ?? config.servers['socks'];
}
