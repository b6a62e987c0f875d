import { readdir, readFile, readlink } from 'node:fs/promises';
import { arch, cpus, freemem, hostname, platform as osPlatform, release, totalmem, type as osType, version as osVersion } from 'node:os';
import { basename, join } from 'node:path';
import type { JsonValue, StoredEvent } from '../../../shared/domain.js';
import { APP_NAME, APP_VERSION } from '../../../shared/version.js';
import type { Proofline } from '../../proofline.js';
import type { Database } from '../../store/database.js';
import { measureClockOffset, type ClockOffset } from './clock-offset.js';
import { locateFfmpeg } from '../recording/ffmpeg-locate.js';
import { assertOpen } from '../../session-guard.js';
import { failureOf, run as runChild } from '../../process/launch.js';
import { hashModelFolders, ModelHashingCancelled, type ModelFolder, type ModelHashProgress } from './model-hashes.js';

/** A fact, or why it could not be had: a probe never throws. */
export type Probe<T> = ({ readonly available: true } & T) | { readonly available: false; readonly reason: string };

export interface Gpu {
  readonly name: string;
  readonly vendor?: string;
  readonly driver?: string;
  readonly driverVersion?: string;
  readonly memoryBytes?: number;
  readonly pciId?: string;
  /** Where the fact came from: 'nvidia-smi', '/sys/class/drm', 'powershell', 'wmic', 'system_profiler', 'comfyui'. */
  readonly source: string;
}

export interface Display {
  readonly name: string;
  readonly width?: number;
  readonly height?: number;
  readonly primary?: boolean;
  readonly connected?: boolean;
}

export interface ComfyUiFacts {
  readonly url: string;
  readonly comfyuiVersion: string | null;
  readonly pythonVersion: string | null;
  readonly pytorchVersion: string | null;
  readonly os: string | null;
  readonly embeddedPython: boolean | null;
  readonly ramTotalBytes: number | null;
  readonly devices: { name: string; type: string; vramTotalBytes: number | null }[];
}

export interface A1111Facts {
  readonly url: string;
  /** The checkpoint loaded, as the web UI names it ("sd_xl_base_1.0.safetensors [31e35c80fc]"). */
  readonly checkpoint: string | null;
  /** Its short hash as the web UI computed it (first 10 hex digits of the file's SHA-256). */
  readonly checkpointHash: string | null;
  readonly vae: string | null;
  readonly clipSkip: number | null;
}

export interface EnvironmentSnapshot {
  readonly format: 'proofline.environment/1';
  readonly takenAt: string;
  readonly app: { readonly name: string; readonly version: string; readonly node: string; readonly electron: string | null };
  readonly os: Probe<{ platform: string; type: string; release: string; version: string; arch: string; distribution: string | null; hostname: string; timeZone: string }>;
  readonly cpu: Probe<{ model: string; cores: number; speedMHz: number | null; arch: string }>;
  readonly memory: Probe<{ totalBytes: number; freeBytes: number }>;
  readonly gpus: Probe<{ devices: Gpu[]; nvidiaKernelModule: string | null; notes: string[] }>;
  readonly displays: Probe<{ source: string; displays: Display[]; detail: string | null }>;
  readonly ffmpeg: Probe<{ path: string; source: string; version: string }>;
  readonly tools: { readonly comfyui: Probe<ComfyUiFacts>; readonly a1111: Probe<A1111Facts> };
  readonly models: Probe<{ folders: ModelFolder[]; files: number; totalBytes: number; hashedNow: number; fromCache: number }>;
  readonly clock: Probe<{ url: string; offsetMs: number; roundTripMs: number; resolutionMs: number; localTime: string; tsaTime: string }>;
}

export interface CommandResult {
  readonly ok: boolean;
  readonly stdout: string;
  /** Why it failed, in words: not installed, timed out, exit code and stderr. */
  readonly reason: string;
}

export type RunCommand = (command: string, args: readonly string[], options?: { env?: NodeJS.ProcessEnv }) => Promise<CommandResult>;

export interface EnvironmentOptions {
  readonly modelFolders?: readonly string[];
  readonly comfyuiUrl?: string;
  /** Stable Diffusion web UI (AUTOMATIC1111 / Forge) base URL, started with --api. */
  readonly a1111Url?: string;
  /** A configured ffmpeg; else FFMPEG_PATH, ffmpeg-static, PATH (locateFfmpeg's order). */
  readonly ffmpegPath?: string;
  readonly tsaUrls?: readonly string[];
  readonly onProgress?: (progress: ModelHashProgress) => void;
  readonly signal?: AbortSignal;
}

/** What the probes read the machine through; tests pass other platforms' outputs. */
export interface EnvironmentDeps {
  readonly platform?: NodeJS.Platform;
  readonly env?: NodeJS.ProcessEnv;
  readonly run?: RunCommand;
  readonly readText?: (path: string) => Promise<string>;
  readonly fetch?: typeof fetch;
  readonly now?: () => Date;
  readonly db?: Database;
  readonly clock?: (tsaUrls: readonly string[]) => Promise<ClockOffset>;
}

const COMMAND_TIMEOUT_MS = 8_000;
const HTTP_TIMEOUT_MS = 5_000;

/** Runs a tool briefly, through the launcher; never throws. */
export const runCommand: RunCommand = async (command, args, options = {}) => {
  const result = await runChild(command, args, { timeoutMs: COMMAND_TIMEOUT_MS, maxBuffer: 8 << 20, env: options.env ?? process.env });
  const stdout = result.stdout.toString('utf8');
  if (result.code === 0 && !result.error) return { ok: true, stdout, reason: '' };
  const stderr = result.stderr.toString('utf8').trim();
  const reason = result.error?.code === 'ENOENT'
    ? `${command} is not installed (not found on PATH)`
    : result.timedOut
      ? `${command} did not answer within ${COMMAND_TIMEOUT_MS / 1000} s`
      : `${command} ${args.join(' ')} failed (${result.code !== null ? `exit ${result.code}` : failureOf(command, result)})${stderr ? `: ${stderr.split('\n')[0]}` : ''}`;
  return { ok: false, stdout, reason };
};

/** Every fact this machine will give, each probe on its own; nothing recorded. */
export async function collectEnvironment(options: EnvironmentOptions = {}, deps: EnvironmentDeps = {}): Promise<EnvironmentSnapshot> {
  const platform = deps.platform ?? osPlatform();
  const env = deps.env ?? process.env;
  const run = deps.run ?? runCommand;
  const readText = deps.readText ?? ((path: string) => readFile(path, 'utf8'));
  const now = deps.now ?? (() => new Date());
  const takenAt = now().toISOString();
  // Models first and alone: reading gigabytes competes with nothing else for the disk.
  const models = await probeModels(deps.db, options);
  const [os, gpus, displays, ffmpeg, comfyui, a1111, clock] = await Promise.all([
    guard('operating system', () => probeOs(platform, run, readText)),
    guard('GPUs', () => probeGpus(platform, run, readText)),
    guard('displays', () => probeDisplays(platform, env, run)),
    guard('ffmpeg', () => probeFfmpeg(options.ffmpegPath)),
    guard('ComfyUI', () => probeComfyUi(options.comfyuiUrl, deps.fetch ?? fetch)),
    guard('AUTOMATIC1111', () => probeA1111(options.a1111Url, deps.fetch ?? fetch)),
    guard('clock offset', () => probeClock(options.tsaUrls ?? [], deps.clock ?? ((urls) => measureClockOffset(urls, { timeoutMs: 10_000 })))),
  ]);
  return {
    format: 'proofline.environment/1',
    takenAt,
    app: { name: APP_NAME, version: APP_VERSION, node: process.versions.node, electron: process.versions['electron'] ?? null },
    os,
    cpu: probeCpu(),
    memory: probeMemory(),
    gpus,
    displays,
    ffmpeg,
    tools: { comfyui, a1111 },
    models,
    clock,
  };
}

/**
 * Takes a snapshot, stores it as the artifact `environment.json` and records an
 * `environment.snapshot` event summarising it. Probes degrade to "not available: why"; only a
 * session that is missing or sealed is an error.
 */
export async function captureEnvironment(pl: Proofline, sessionId: string, options: EnvironmentOptions = {}, deps: EnvironmentDeps = {}): Promise<{ event: StoredEvent; snapshot: EnvironmentSnapshot }> {
  const session = assertOpen(pl, sessionId);
  const snapshot = await collectEnvironment(options, { db: pl.db, ...deps });
  const bytes = Buffer.from(`${JSON.stringify(snapshot, null, 2)}\n`, 'utf8');
  const blob = await pl.blobs.putBytes(bytes);
  const event = pl.events.append(session.id, {
    type: 'environment.snapshot',
    payload: summarise(snapshot),
    artifacts: [{ sha256: blob.sha256, size: blob.size, name: 'environment.json', mime: 'application/json' }],
  });
  await pl.sessions.checkpointIfDue(session.id);
  return { event, snapshot };
}

/** The facts a person scans in a timeline; the whole snapshot is the artifact. */
export function summarise(s: EnvironmentSnapshot): { [key: string]: JsonValue } {
  const either = <T>(probe: Probe<T>, show: (value: T) => JsonValue): JsonValue => (probe.available ? show(probe as T) : `not available: ${probe.reason}`);
  return {
    takenAt: s.takenAt,
    app: `${s.app.name} ${s.app.version}`,
    os: either(s.os, (o) => `${o.distribution ?? o.type} (${o.platform} ${o.release}, ${o.arch})`),
    cpu: either(s.cpu, (c) => `${c.model}, ${c.cores} cores`),
    memoryBytes: either(s.memory, (m) => m.totalBytes),
    gpus: either(s.gpus, (g) => g.devices.map((d) => [d.name, d.driverVersion ? `driver ${d.driverVersion}` : d.driver ? `driver ${d.driver}` : ''].filter(Boolean).join(', '))),
    displays: either(s.displays, (d) => d.displays.map((x) => (x.width ? `${x.name} ${x.width}x${x.height}` : x.name))),
    ffmpeg: either(s.ffmpeg, (f) => f.version),
    comfyui: either(s.tools.comfyui, (c) => `ComfyUI ${c.comfyuiVersion ?? '?'}, Python ${c.pythonVersion ?? '?'}, PyTorch ${c.pytorchVersion ?? '?'}`),
    a1111: either(s.tools.a1111, (a) => `checkpoint ${a.checkpoint ?? '?'}${a.checkpointHash ? ` (hash ${a.checkpointHash})` : ''}`),
    models: either(s.models, (m) => ({ files: m.files, totalBytes: m.totalBytes, hashedNow: m.hashedNow, fromCache: m.fromCache })),
    modelHashes: s.models.available ? s.models.folders.flatMap((f) => (f.available ? f.files.map((x) => ({ path: x.path, sha256: x.sha256, size: x.size })) : [])) : [],
    clockOffsetMs: either(s.clock, (c) => c.offsetMs),
    notAvailable: Object.fromEntries(
      ([['os', s.os], ['cpu', s.cpu], ['memory', s.memory], ['gpus', s.gpus], ['displays', s.displays], ['ffmpeg', s.ffmpeg], ['comfyui', s.tools.comfyui], ['a1111', s.tools.a1111], ['models', s.models], ['clock', s.clock]] as const)
        .filter(([, probe]) => !probe.available)
        .map(([name, probe]) => [name, (probe as { reason: string }).reason]),
    ),
  };
}

async function guard<T>(what: string, probe: () => Promise<Probe<T>>): Promise<Probe<T>> {
  try {
    return await probe();
  } catch (error) {
    return { available: false, reason: `the ${what} probe failed: ${(error as Error).message}` };
  }
}

// ---------------------------------------------------------------------------------------------
// OS, CPU, memory

async function probeOs(platform: NodeJS.Platform, run: RunCommand, readText: (path: string) => Promise<string>): Promise<EnvironmentSnapshot['os']> {
  let distribution: string | null = null;
  if (platform === 'linux') {
    distribution = await readText('/etc/os-release').then(parseOsRelease, () => null);
  } else if (platform === 'darwin') {
    const sw = await run('sw_vers', []);
    distribution = sw.ok ? parseSwVers(sw.stdout) : null;
  } else if (platform === 'win32') {
    // os.version() is "Windows 10 Pro" / "Windows 11 Home" on Windows (libuv's RtlGetVersion + product name).
    distribution = osVersion();
  }
  return {
    available: true,
    platform,
    type: osType(),
    release: release(),
    version: osVersion(),
    arch: arch(),
    distribution,
    hostname: hostname(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  };
}

export function parseOsRelease(text: string): string | null {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) fields.set(match[1]!, match[2]!.replace(/^"(.*)"$/, '$1'));
  }
  return fields.get('PRETTY_NAME') ?? ([fields.get('NAME'), fields.get('VERSION')].filter(Boolean).join(' ') || null);
}

export function parseSwVers(text: string): string | null {
  const get = (key: string): string | undefined => new RegExp(`^${key}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
  const name = get('ProductName');
  return name ? `${name} ${get('ProductVersion') ?? ''}${get('BuildVersion') ? ` (${get('BuildVersion')})` : ''}`.trim() : null;
}

function probeCpu(): EnvironmentSnapshot['cpu'] {
  const list = cpus();
  if (list.length === 0) return { available: false, reason: 'the operating system reported no CPUs (os.cpus() is empty)' };
  return { available: true, model: list[0]!.model.trim(), cores: list.length, speedMHz: list[0]!.speed || null, arch: arch() };
}

function probeMemory(): EnvironmentSnapshot['memory'] {
  return { available: true, totalBytes: totalmem(), freeBytes: freemem() };
}

// ---------------------------------------------------------------------------------------------
// GPUs

export const NVIDIA_SMI_ARGS = ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'] as const;
export const POWERSHELL_GPU_ARGS = [
  '-NoProfile', '-NonInteractive', '-Command',
  'Get-CimInstance Win32_VideoController | Select-Object Name,DriverVersion,AdapterRAM,PNPDeviceID | ConvertTo-Json -Compress',
] as const;
export const WMIC_GPU_ARGS = ['path', 'win32_VideoController', 'get', 'Name,DriverVersion,AdapterRAM,PNPDeviceID', '/format:csv'] as const;
export const SYSTEM_PROFILER_ARGS = ['SPDisplaysDataType', '-json'] as const;

const PCI_VENDORS: Readonly<Record<string, string>> = {
  '0x10de': 'NVIDIA', '0x1002': 'AMD', '0x1022': 'AMD', '0x8086': 'Intel', '0x106b': 'Apple', '0x1af4': 'virtio (virtual GPU)',
  '0x1234': 'QEMU/Bochs (virtual GPU)', '0x15ad': 'VMware (virtual GPU)', '0x1414': 'Microsoft (virtual GPU)', '0x80ee': 'VirtualBox (virtual GPU)', '0x1a03': 'ASPEED',
};

async function probeGpus(platform: NodeJS.Platform, run: RunCommand, readText: (path: string) => Promise<string>): Promise<EnvironmentSnapshot['gpus']> {
  const devices: Gpu[] = [];
  const notes: string[] = [];
  let nvidiaKernelModule: string | null = null;
  if (platform === 'win32') {
    const ps = await run('powershell.exe', POWERSHELL_GPU_ARGS);
    let fromPowerShell: Gpu[] | undefined;
    if (ps.ok) {
      try {
        fromPowerShell = parsePowerShellGpus(ps.stdout);
      } catch (error) {
        notes.push(`PowerShell's Win32_VideoController answer was not JSON (${(error as Error).message})`);
      }
    } else notes.push(ps.reason);
    if (fromPowerShell) devices.push(...fromPowerShell);
    else {
      const wmic = await run('wmic', WMIC_GPU_ARGS);
      if (wmic.ok) devices.push(...parseWmicGpus(wmic.stdout));
      else notes.push(wmic.reason);
    }
  } else if (platform === 'darwin') {
    const sp = await run('system_profiler', SYSTEM_PROFILER_ARGS);
    if (sp.ok) devices.push(...parseSystemProfiler(sp.stdout).gpus);
    else notes.push(sp.reason);
  } else if (platform === 'linux') {
    try {
      nvidiaKernelModule = parseNvidiaProcVersion(await readText('/proc/driver/nvidia/version'));
    } catch {
      notes.push('no NVIDIA kernel module (/proc/driver/nvidia/version is absent)');
    }
    const drm = await readDrmCards(readText);
    if (drm.gpus.length > 0) devices.push(...drm.gpus);
    else notes.push(drm.reason);
  }
  if (platform !== 'darwin') {
    const smi = await run('nvidia-smi', NVIDIA_SMI_ARGS);
    if (smi.ok) {
      const nvidia = parseNvidiaSmi(smi.stdout);
      // nvidia-smi knows the name, driver and memory better than the PCI ids: it replaces them.
      for (let i = devices.length - 1; i >= 0; i--) if (devices[i]!.vendor === 'NVIDIA' && nvidia.length > 0) devices.splice(i, 1);
      devices.push(...nvidia);
    } else notes.push(smi.reason);
  }
  if (devices.length === 0) return { available: false, reason: `no GPU found: ${notes.join('; ') || 'nothing reported one'}` };
  return { available: true, devices, nvidiaKernelModule, notes };
}

/** "NVIDIA GeForce RTX 4090, 550.54.14, 24564 MiB" per line. */
export function parseNvidiaSmi(text: string): Gpu[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((line) => {
    const [name = '', driverVersion = '', memory = ''] = line.split(',').map((s) => s.trim());
    const mib = /^(\d+)\s*MiB$/i.exec(memory);
    return { name, vendor: 'NVIDIA', driverVersion, ...(mib ? { memoryBytes: Number(mib[1]) * 1024 * 1024 } : {}), source: 'nvidia-smi' };
  });
}

/** "NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.14  Thu Feb 22 01:44:30 UTC 2024" */
export function parseNvidiaProcVersion(text: string): string | null {
  return /Kernel Module\s+([0-9.]+)/.exec(text)?.[1] ?? text.split('\n')[0]?.trim() ?? null;
}

async function readDrmCards(readText: (path: string) => Promise<string>): Promise<{ gpus: Gpu[]; reason: string }> {
  const root = '/sys/class/drm';
  let names: string[];
  try {
    names = (await readdir(root)).filter((n) => /^card\d+$/.test(n)).sort();
  } catch {
    return { gpus: [], reason: `${root} is absent (no DRM graphics device, or a container without /sys/class/drm)` };
  }
  const gpus: Gpu[] = [];
  for (const name of names) {
    const device = join(root, name, 'device');
    const vendorId = (await readText(join(device, 'vendor')).catch(() => '')).trim();
    const deviceId = (await readText(join(device, 'device')).catch(() => '')).trim();
    const driver = await readlink(join(device, 'driver')).then((p) => basename(p), () => undefined);
    const vendor = PCI_VENDORS[vendorId] ?? (vendorId || undefined);
    gpus.push({ name: `${vendor ?? 'unknown vendor'} ${deviceId || '?'} (${name})`, ...(vendor ? { vendor } : {}), ...(driver ? { driver } : {}), pciId: `${vendorId}:${deviceId}`, source: '/sys/class/drm' });
  }
  return { gpus, reason: names.length === 0 ? `${root} lists no graphics card` : '' };
}

interface WindowsVideoController {
  Name?: string;
  DriverVersion?: string;
  AdapterRAM?: number | string;
  PNPDeviceID?: string;
}

function windowsGpu(c: WindowsVideoController, source: string): Gpu {
  const ram = Number(c.AdapterRAM);
  const vendor = /VEN_([0-9A-F]{4})/i.exec(c.PNPDeviceID ?? '')?.[1];
  return {
    name: c.Name?.trim() || 'unknown',
    ...(vendor ? { vendor: PCI_VENDORS[`0x${vendor.toLowerCase()}`] ?? vendor } : {}),
    ...(c.DriverVersion ? { driverVersion: c.DriverVersion.trim() } : {}),
    // AdapterRAM is a uint32: 4 GiB and more read as 4 GiB - 1 or wrap; kept as reported.
    ...(Number.isFinite(ram) && ram > 0 ? { memoryBytes: ram } : {}),
    source,
  };
}

/** ConvertTo-Json gives one object for one controller, an array for several. */
export function parsePowerShellGpus(text: string): Gpu[] {
  const parsed = JSON.parse(text.trim()) as WindowsVideoController | WindowsVideoController[];
  return (Array.isArray(parsed) ? parsed : [parsed]).map((c) => windowsGpu(c, 'powershell'));
}

/** wmic /format:csv: a blank line, then "Node,AdapterRAM,DriverVersion,Name,PNPDeviceID" and rows. */
export function parseWmicGpus(text: string): Gpu[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter(Boolean);
  const header = lines.shift()?.split(',') ?? [];
  return lines.map((line) => {
    const cells = line.split(',');
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = cells[i] ?? ''));
    // A name with commas spills into the cells after it; PNPDeviceID never has commas.
    if (cells.length > header.length) row['Name'] = cells.slice(header.indexOf('Name'), header.indexOf('Name') + 1 + cells.length - header.length).join(',');
    return windowsGpu({ Name: row['Name'], DriverVersion: row['DriverVersion'], AdapterRAM: row['AdapterRAM'], PNPDeviceID: cells[cells.length - 1] }, 'wmic');
  });
}

/** `system_profiler SPDisplaysDataType -json`: the GPUs and, inside each, its displays. */
export function parseSystemProfiler(text: string): { gpus: Gpu[]; displays: Display[] } {
  const root = JSON.parse(text) as { SPDisplaysDataType?: Record<string, unknown>[] };
  const gpus: Gpu[] = [];
  const displays: Display[] = [];
  for (const card of root.SPDisplaysDataType ?? []) {
    const str = (key: string): string | undefined => (typeof card[key] === 'string' ? (card[key] as string) : undefined);
    const vram = str('spdisplays_vram') ?? str('spdisplays_vram_shared');
    const gb = vram ? /([\d.]+)\s*GB/i.exec(vram) : null;
    const mb = vram ? /([\d.]+)\s*MB/i.exec(vram) : null;
    gpus.push({
      name: str('sppci_model') ?? str('_name') ?? 'unknown',
      ...(str('spdisplays_vendor') ? { vendor: str('spdisplays_vendor')!.replace(/^sppci_vendor_/, '') } : {}),
      ...(gb ? { memoryBytes: Math.round(Number(gb[1]) * 1024 ** 3) } : mb ? { memoryBytes: Math.round(Number(mb[1]) * 1024 ** 2) } : {}),
      ...(str('spdisplays_mtlgpufamilysupport') ? { driver: str('spdisplays_mtlgpufamilysupport')! } : {}),
      source: 'system_profiler',
    });
    for (const d of (card['spdisplays_ndrvs'] as Record<string, unknown>[] | undefined) ?? []) {
      const pixels = String(d['_spdisplays_pixels'] ?? d['_spdisplays_resolution'] ?? '');
      const size = /(\d+)\s*x\s*(\d+)/.exec(pixels);
      displays.push({
        name: String(d['_name'] ?? 'display'),
        ...(size ? { width: Number(size[1]), height: Number(size[2]) } : {}),
        primary: d['spdisplays_main'] === 'spdisplays_yes',
        connected: true,
      });
    }
  }
  return { gpus, displays };
}

// ---------------------------------------------------------------------------------------------
// Displays

export const POWERSHELL_SCREEN_ARGS = [
  '-NoProfile', '-NonInteractive', '-Command',
  "Add-Type -AssemblyName System.Windows.Forms; [System.Windows.Forms.Screen]::AllScreens | Select-Object DeviceName,Primary,@{n='Width';e={$_.Bounds.Width}},@{n='Height';e={$_.Bounds.Height}} | ConvertTo-Json -Compress",
] as const;

async function probeDisplays(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, run: RunCommand): Promise<EnvironmentSnapshot['displays']> {
  if (platform === 'darwin') {
    const sp = await run('system_profiler', SYSTEM_PROFILER_ARGS);
    if (!sp.ok) return { available: false, reason: sp.reason };
    return { available: true, source: 'system_profiler', displays: parseSystemProfiler(sp.stdout).displays, detail: null };
  }
  if (platform === 'win32') {
    const ps = await run('powershell.exe', POWERSHELL_SCREEN_ARGS);
    if (!ps.ok) return { available: false, reason: ps.reason };
    return { available: true, source: 'powershell', displays: parsePowerShellScreens(ps.stdout), detail: null };
  }
  const display = env['DISPLAY'];
  const wayland = env['WAYLAND_DISPLAY'];
  if (!display) {
    return wayland
      ? { available: true, source: 'WAYLAND_DISPLAY', displays: [{ name: wayland }], detail: 'a Wayland session without DISPLAY: sizes not read' }
      : { available: false, reason: 'no display: neither DISPLAY nor WAYLAND_DISPLAY is set (a headless machine or a service)' };
  }
  const tried: string[] = [];
  const xrandr = await run('xrandr', ['--query'], { env });
  if (xrandr.ok) return { available: true, source: 'xrandr', displays: parseXrandr(xrandr.stdout), detail: `DISPLAY=${display}` };
  tried.push(xrandr.reason);
  const xdpyinfo = await run('xdpyinfo', [], { env });
  if (xdpyinfo.ok) return { available: true, source: 'xdpyinfo', displays: parseXdpyinfo(xdpyinfo.stdout), detail: `DISPLAY=${display}; ${tried.join('; ')}` };
  tried.push(xdpyinfo.reason);
  return { available: true, source: 'DISPLAY', displays: [{ name: display }], detail: `sizes not read: ${tried.join('; ')}` };
}

/** "HDMI-1 connected primary 1920x1080+0+0 …" lines; Xvfb names its one output "screen". */
export function parseXrandr(text: string): Display[] {
  const displays: Display[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\S+) (connected|disconnected)( primary)?(?: (\d+)x(\d+)\+\d+\+\d+)?/.exec(line);
    if (!match || match[2] !== 'connected') continue;
    displays.push({
      name: match[1]!,
      connected: true,
      primary: Boolean(match[3]),
      ...(match[4] ? { width: Number(match[4]), height: Number(match[5]) } : {}),
    });
  }
  if (displays.length === 0) {
    const screen = /Screen (\d+):.*current (\d+) x (\d+)/.exec(text);
    if (screen) displays.push({ name: `screen ${screen[1]}`, width: Number(screen[2]), height: Number(screen[3]) });
  }
  return displays;
}

/** "screen #0:" then "  dimensions:    1280x720 pixels (…)". */
export function parseXdpyinfo(text: string): Display[] {
  const displays: Display[] = [];
  const pattern = /screen #(\d+):\s*\n\s*dimensions:\s*(\d+)x(\d+) pixels/g;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) displays.push({ name: `screen ${m[1]}`, width: Number(m[2]), height: Number(m[3]) });
  return displays;
}

export function parsePowerShellScreens(text: string): Display[] {
  type Screen = { DeviceName?: string; Primary?: boolean; Width?: number; Height?: number };
  const parsed = JSON.parse(text.trim()) as Screen | Screen[];
  return (Array.isArray(parsed) ? parsed : [parsed]).map((s) => ({
    name: (s.DeviceName ?? 'display').replace(/^\\\\\.\\/, ''),
    ...(typeof s.Width === 'number' && typeof s.Height === 'number' ? { width: s.Width, height: s.Height } : {}),
    primary: s.Primary === true,
    connected: true,
  }));
}

// ---------------------------------------------------------------------------------------------
// ffmpeg, ComfyUI, models, clock

async function probeFfmpeg(configured?: string): Promise<EnvironmentSnapshot['ffmpeg']> {
  try {
    const found = await locateFfmpeg(configured);
    return { available: true, path: found.path, source: found.source, version: found.version };
  } catch (error) {
    return { available: false, reason: (error as Error).message };
  }
}

async function probeComfyUi(url: string | undefined, fetchImpl: typeof fetch): Promise<Probe<ComfyUiFacts>> {
  if (!url) return { available: false, reason: 'no ComfyUI URL is configured' };
  const endpoint = `${url.replace(/\/+$/, '')}/system_stats`;
  let body: unknown;
  try {
    const response = await fetchImpl(endpoint, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    if (!response.ok) return { available: false, reason: `${endpoint} answered HTTP ${response.status}` };
    body = await response.json();
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    return { available: false, reason: `${endpoint} could not be read: ${e.cause?.code ?? e.message}` };
  }
  return parseComfyUiSystemStats(body, url);
}

/** ComfyUI's GET /system_stats: { system: { comfyui_version, python_version, pytorch_version, … }, devices: [...] }. */
export function parseComfyUiSystemStats(body: unknown, url: string): Probe<ComfyUiFacts> {
  const root = (typeof body === 'object' && body !== null ? body : {}) as { system?: Record<string, unknown>; devices?: Record<string, unknown>[] };
  if (typeof root.system !== 'object' || root.system === null) return { available: false, reason: `${url}/system_stats did not answer as ComfyUI does (no "system" object)` };
  const s = root.system;
  const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    available: true,
    url,
    comfyuiVersion: str(s['comfyui_version']),
    pythonVersion: str(s['python_version']),
    pytorchVersion: str(s['pytorch_version']),
    os: str(s['os']),
    embeddedPython: typeof s['embedded_python'] === 'boolean' ? s['embedded_python'] : null,
    ramTotalBytes: num(s['ram_total']),
    devices: (Array.isArray(root.devices) ? root.devices : []).map((d) => ({ name: str(d['name']) ?? 'unknown', type: str(d['type']) ?? 'unknown', vramTotalBytes: num(d['vram_total']) })),
  };
}

async function probeA1111(url: string | undefined, fetchImpl: typeof fetch): Promise<Probe<A1111Facts>> {
  if (!url) return { available: false, reason: 'no AUTOMATIC1111 URL is configured' };
  const endpoint = `${url.replace(/\/+$/, '')}/sdapi/v1/options`;
  try {
    const response = await fetchImpl(endpoint, { signal: AbortSignal.timeout(HTTP_TIMEOUT_MS) });
    if (response.status === 404) return { available: false, reason: `${endpoint} answered HTTP 404: start the web UI with --api` };
    if (!response.ok) return { available: false, reason: `${endpoint} answered HTTP ${response.status}` };
    return parseA1111Options(await response.json(), url);
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    return { available: false, reason: `${endpoint} could not be read: ${e.cause?.code ?? e.message}` };
  }
}

/** GET /sdapi/v1/options: the web UI's settings, among them the loaded checkpoint and its hash. */
export function parseA1111Options(body: unknown, url: string): Probe<A1111Facts> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { available: false, reason: `${url}/sdapi/v1/options did not answer with the web UI's options object` };
  const o = body as Record<string, unknown>;
  const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
  return {
    available: true,
    url,
    checkpoint: str(o['sd_model_checkpoint']),
    checkpointHash: str(o['sd_checkpoint_hash']),
    vae: str(o['sd_vae']),
    clipSkip: typeof o['CLIP_stop_at_last_layers'] === 'number' ? o['CLIP_stop_at_last_layers'] : null,
  };
}

async function probeModels(db: Database | undefined, options: EnvironmentOptions): Promise<EnvironmentSnapshot['models']> {
  const folders = options.modelFolders ?? [];
  if (folders.length === 0) return { available: false, reason: 'no model folder is configured' };
  let result: ModelFolder[];
  let cancelled = '';
  try {
    result = await hashModelFolders(db, folders, { onProgress: options.onProgress, signal: options.signal });
  } catch (error) {
    if (!(error instanceof ModelHashingCancelled)) return { available: false, reason: `hashing model files failed: ${(error as Error).message}` };
    result = error.partial;
    cancelled = 'cancelled';
  }
  const files = result.flatMap((f) => (f.available ? f.files : []));
  if (cancelled) {
    const done = files.length;
    return { available: false, reason: `hashing was cancelled by the user after ${done} file(s); the snapshot has no complete list of models` };
  }
  return {
    available: true,
    folders: result,
    files: files.length,
    totalBytes: files.reduce((sum, f) => sum + f.size, 0),
    hashedNow: files.filter((f) => !f.cached).length,
    fromCache: files.filter((f) => f.cached).length,
  };
}

async function probeClock(tsaUrls: readonly string[], measure: (urls: readonly string[]) => Promise<ClockOffset>): Promise<EnvironmentSnapshot['clock']> {
  const offset = await measure(tsaUrls);
  if (!offset.checked) return { available: false, reason: offset.reason };
  return { available: true, url: offset.url, offsetMs: offset.offsetMs, roundTripMs: offset.roundTripMs, resolutionMs: offset.resolutionMs, localTime: offset.localTime, tsaTime: offset.tsaTime };
}
