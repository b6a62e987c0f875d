import { readFile } from 'node:fs/promises';
import {
  bypassesProxy,
  GSETTINGS_PROXY,
  parseEtcEnvironment,
  parseGsettingsProxy,
  parseRegQuery,
  parseScutilProxy,
  proxyConfigFromRegistry,
  proxyConfigFromVariables,
  proxyFor,
  proxyVariables,
  REG_INTERNET_SETTINGS,
  SCUTIL_PROXY,
  type ProxyConfig,
} from './proxy-parsers.js';
import { runTool } from './run-tool.js';
import { finding, type Finding, type FindingStatus, type ProbeContext, type TargetInfo } from './types.js';

const WHY = 'a proxy sees, and can change, every page fetched through it, so the capture would not show the site as it is';

/** fail when a proxy would carry the target (or any request, without a target); warn when the target bypasses it. */
function judge(configs: readonly ProxyConfig[], target: TargetInfo | null): { status: FindingStatus; carrying: string[]; bypassed: string[] } {
  const carrying: string[] = [];
  const bypassed: string[] = [];
  for (const config of configs) {
    const scheme = target?.url.startsWith('http:') ? 'http' : 'https';
    const servers = target ? [proxyFor(config, scheme)].filter((s): s is string => !!s) : Object.values(config.servers);
    const any = Object.values(config.servers);
    if (any.length === 0) continue;
    if (target && bypassesProxy(target.host, config.bypass)) bypassed.push(`${config.source}: ${any.join(', ')}`);
    else if (servers.length > 0) carrying.push(`${config.source}: ${servers.join(', ')}`);
    else bypassed.push(`${config.source}: ${any.join(', ')} (not for ${scheme})`);
  }
  return { status: carrying.length > 0 ? 'fail' : bypassed.length > 0 ? 'warn' : 'pass', carrying, bypassed };
}

function describe(where: string, verdict: ReturnType<typeof judge>, target: TargetInfo | null): string {
  if (verdict.status === 'pass') return `No proxy is set in ${where}.`;
  if (verdict.status === 'fail') return `A proxy is set in ${where} and would carry ${target ? target.host : 'the capture'} (${verdict.carrying.join('; ')}): ${WHY}. Remove it before capturing.`;
  return `A proxy is set in ${where} (${verdict.bypassed.join('; ')}) but ${target?.host ?? 'the target'} bypasses it; disclose it, or remove it before capturing.`;
}

export async function checkProxyEnv(ctx: ProbeContext): Promise<Finding> {
  const vars = proxyVariables(ctx.env);
  const config = proxyConfigFromVariables('environment variables', vars);
  const verdict = judge([config], ctx.target);
  return finding('proxy.env', 'proxy', verdict.status, 'Proxy environment variables', describe('the environment variables', verdict, ctx.target), { variables: vars });
}

/** The OS's own proxy setting: gsettings and /etc/environment, the registry, or scutil. */
export async function readSystemProxy(ctx: ProbeContext): Promise<{ configs: ProxyConfig[]; notes: string[] }> {
  const configs: ProxyConfig[] = [];
  const notes: string[] = [];
  const tool = ctx.platform === 'win32' ? REG_INTERNET_SETTINGS : ctx.platform === 'darwin' ? SCUTIL_PROXY : GSETTINGS_PROXY;
  const result = await runTool(tool, ctx.timeoutMs, ctx.signal);
  if (!result.ran) notes.push(result.reason);
  else if (result.code !== 0) notes.push(`${tool.file} exited ${result.code}: ${result.stderr.trim().split('\n')[0] ?? ''}`);
  else if (ctx.platform === 'win32') configs.push(proxyConfigFromRegistry(parseRegQuery(result.stdout)));
  else if (ctx.platform === 'darwin') configs.push(parseScutilProxy(result.stdout));
  else configs.push(parseGsettingsProxy(result.stdout));
  if (ctx.platform !== 'win32' && ctx.platform !== 'darwin') {
    const file = ctx.options.etcEnvironment ?? '/etc/environment';
    try {
      const vars = proxyVariables(parseEtcEnvironment(await readFile(file, 'utf8')));
      configs.push(proxyConfigFromVariables(file, vars));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      notes.push(code === 'ENOENT' ? `${file} does not exist` : `cannot read ${file}: ${(error as Error).message}`);
    }
  }
  return { configs, notes };
}

export async function checkProxySystem(ctx: ProbeContext): Promise<Finding[]> {
  const { configs, notes } = await readSystemProxy(ctx);
  const data = { configs: configs.map((c) => ({ ...c, servers: { ...c.servers }, bypass: [...c.bypass] })), notes };
  const title = 'System proxy settings';
  const pacTitle = 'Proxy auto-config (PAC)';
  if (configs.length === 0) {
    const why = `Not checked: ${notes.join('; ')}.`;
    return [finding('proxy.system', 'proxy', 'not-checked', title, why, data), finding('proxy.pac', 'proxy', 'not-checked', pacTitle, why, data)];
  }
  const verdict = judge(configs, ctx.target);
  const where = configs.map((c) => c.source).join(' and ');
  const note = notes.length > 0 ? ` (${notes.join('; ')})` : '';
  const pacs = configs.filter((c) => c.pacUrl).map((c) => `${c.source}: ${c.pacUrl}`);
  return [
    finding('proxy.system', 'proxy', verdict.status, title, `${describe(where, verdict, ctx.target)}${note}`, data),
    pacs.length > 0
      ? finding('proxy.pac', 'proxy', 'warn', pacTitle,
        `A proxy auto-config script is in effect (${pacs.join('; ')}). Proofline does not run the script, so it cannot tell whether the target goes through a proxy: turn it off before capturing.`, { pac: pacs })
      : finding('proxy.pac', 'proxy', 'pass', pacTitle, `No proxy auto-config script is set in ${where}.`, { pac: [] }),
  ];
}
