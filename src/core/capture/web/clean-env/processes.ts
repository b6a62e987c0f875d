import { readdir, readFile } from 'node:fs/promises';
import { KIND_STATUS, matchTool, type ToolKind } from './process-signatures.js';
import { runTool, type ToolCommand } from './run-tool.js';
import { finding, type Finding, type ProbeContext } from './types.js';

export interface ProcessInfo {
  readonly pid: number;
  /** The executable as the OS reports it (comm, image name, or path). */
  readonly name: string;
  /** argv[0] where the OS gives it (Linux), which can be longer than comm's 15 characters. */
  readonly argv0?: string;
}

export const TASKLIST: ToolCommand = { file: 'tasklist', args: ['/fo', 'csv', '/nh'] };
export const PS_MACOS: ToolCommand = { file: 'ps', args: ['-axo', 'pid=,comm='] };

/** One CSV line as tasklist writes it: every field quoted, quotes doubled inside. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  for (const match of line.matchAll(/"((?:[^"]|"")*)"|([^,]+)/g)) fields.push((match[1] ?? match[2] ?? '').replace(/""/g, '"'));
  return fields;
}

/** `tasklist /fo csv [/nh]`: "Image Name","PID","Session Name","Session#","Mem Usage". */
export function parseTasklistCsv(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const [name, pid] = csvFields(line.trim());
    if (!name || !pid || !/^\d+$/.test(pid)) continue; // the header line, in any language
    out.push({ pid: Number(pid), name });
  }
  return out;
}

/** `ps -axo pid=,comm=`: a pid and the executable path (which may contain spaces). */
export function parsePsOutput(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(\d+)\s+(.+?)\s*$/.exec(line);
    if (match) out.push({ pid: Number(match[1]), name: match[2]! });
  }
  return out;
}

/** Linux: /proc/PID/comm and the first NUL-separated field of /proc/PID/cmdline. */
export async function listLinuxProcesses(procDir = '/proc'): Promise<ProcessInfo[]> {
  const pids = (await readdir(procDir)).filter((entry) => /^\d+$/.test(entry));
  const found = await Promise.all(pids.map(async (pid): Promise<ProcessInfo | undefined> => {
    try {
      const [comm, cmdline] = await Promise.all([
        readFile(`${procDir}/${pid}/comm`, 'utf8'),
        readFile(`${procDir}/${pid}/cmdline`, 'utf8').catch(() => ''),
      ]);
      const argv0 = cmdline.split('\0')[0] ?? '';
      return { pid: Number(pid), name: comm.trim(), ...(argv0 ? { argv0 } : {}) };
    } catch {
      return undefined; // the process ended between readdir and read: nothing to report
    }
  }));
  return found.filter((p): p is ProcessInfo => p !== undefined);
}

async function listProcesses(ctx: ProbeContext): Promise<ProcessInfo[] | { reason: string }> {
  if (ctx.platform === 'linux' || ctx.platform === 'android') {
    try {
      return await listLinuxProcesses();
    } catch (error) {
      return { reason: `cannot read /proc: ${(error as Error).message}` };
    }
  }
  const tool = ctx.platform === 'win32' ? TASKLIST : PS_MACOS;
  const result = await runTool(tool, ctx.timeoutMs, ctx.signal);
  if (!result.ran) return { reason: result.reason };
  if (result.code !== 0) return { reason: `${tool.file} exited ${result.code}` };
  return ctx.platform === 'win32' ? parseTasklistCsv(result.stdout) : parsePsOutput(result.stdout);
}

export interface FlaggedProcess {
  readonly pid: number;
  readonly executable: string;
  readonly tool: string;
  readonly kind: ToolKind;
}

export function flagProcesses(processes: readonly ProcessInfo[]): FlaggedProcess[] {
  const flagged: FlaggedProcess[] = [];
  for (const p of processes) {
    const signature = matchTool(p.name) ?? (p.argv0 ? matchTool(p.argv0) : undefined);
    if (signature) flagged.push({ pid: p.pid, executable: p.argv0 || p.name, tool: signature.name, kind: signature.kind });
  }
  return flagged;
}

const KIND_TEXT: Record<ToolKind, string> = {
  'remote-control': 'remote control (someone else could drive this screen during the capture)',
  'intercepting-proxy': 'traffic interception (can read and rewrite pages, HTTPS included)',
  proxy: 'proxy (changes the route and the address the site sees)',
  vpn: 'VPN (changes the route and the address the site sees)',
};

export async function checkProcesses(ctx: ProbeContext): Promise<Finding> {
  const title = 'Remote-control, proxy and VPN software running';
  const listed = await listProcesses(ctx);
  if (!Array.isArray(listed)) return finding('processes.tools', 'processes', 'not-checked', title, `Not checked: ${listed.reason}.`);
  const flagged = flagProcesses(listed);
  const data = { processCount: listed.length, flagged: flagged.map((f) => ({ ...f })) };
  if (flagged.length === 0) {
    return finding('processes.tools', 'processes', 'pass', title, `None of ${listed.length} running processes is a known remote-control, proxy or VPN tool.`, data);
  }
  const status = flagged.some((f) => KIND_STATUS[f.kind] === 'fail') ? 'fail' : 'warn';
  const named = flagged.map((f) => `${f.tool} (pid ${f.pid}, ${f.executable}): ${KIND_TEXT[f.kind]}`).join('; ');
  const advice = status === 'fail' ? 'Quit it before capturing.' : 'Quit it before capturing, or disclose it.';
  return finding('processes.tools', 'processes', status, title, `Running: ${named}. ${advice}`, data);
}
