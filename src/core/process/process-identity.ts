// Who a process is, beyond its PID (DESIGN.md "One owner per session"). A PID alone names a
// process badly: a killed process stays a zombie until its parent reaps it, and after a reboot
// (or a long uptime) the same number names another program. On Linux a process is named by its
// PID, its start time (/proc/PID/stat field 22, clock ticks since boot) and the boot it started
// in (/proc/sys/kernel/random/boot_id); elsewhere by its PID alone (process.kill(pid, 0)).
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface ProcessIdentity {
  readonly pid: number;
  /** Linux: `<boot id>:<start time in clock ticks>`; null where the platform does not say. */
  readonly start: string | null;
  readonly host: string;
}

/** What /proc/PID/stat says of a process: its state letter and start time (Linux). */
export interface ProcStat {
  readonly state: string;
  readonly startTicks: string;
}

/**
 * Parses /proc/PID/stat: `pid (comm) state ppid … starttime …`. The command name may hold spaces
 * and parentheses, so the fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const fields = text.slice(close + 1).trim().split(/\s+/);
  // fields[0] is field 3 (state); field 22 (starttime) is fields[19].
  const state = fields[0];
  const startTicks = fields[19];
  if (!state || !startTicks || !/^\d+$/.test(startTicks)) return undefined;
  return { state, startTicks };
}

function procStat(pid: number): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

let bootIdCache: string | undefined;
function bootId(): string {
  bootIdCache ??= (() => {
    try {
      return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      return 'unknown-boot';
    }
  })();
  return bootIdCache;
}

const linux = (): boolean => process.platform === 'linux';

/** The start of process `pid` as identities record it, or null (not Linux, or no such process). */
export function processStart(pid: number): string | null {
  if (!linux()) return null;
  const stat = procStat(pid);
  return stat ? `${bootId()}:${stat.startTicks}` : null;
}

let own: ProcessIdentity | undefined;
/** This process. */
export function ownIdentity(): ProcessIdentity {
  own ??= { pid: process.pid, start: processStart(process.pid), host: hostname() };
  return own;
}

export function sameProcess(a: ProcessIdentity, b: ProcessIdentity): boolean {
  return a.pid === b.pid && a.start === b.start && a.host === b.host;
}

/** Whether `pid` exists by signal 0 (EPERM: it exists, owned by another user). Zombies count. */
export function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` runs: exists and, on Linux, is not a zombie (killed, not yet reaped). */
export function pidRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (!linux()) return pidExists(pid);
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/**
 * Whether the process an identity names still runs: on this host, its PID exists and is not a
 * zombie, and (Linux) it started at the recorded time in this boot, so a PID reused by another
 * program, or after a reboot, is not taken for it. Another host's process cannot be judged from
 * here and counts as not running.
 */
export function isRunning(identity: ProcessIdentity): boolean {
  if (identity.host !== hostname()) return false;
  if (!Number.isInteger(identity.pid) || identity.pid <= 0) return false;
  if (!linux()) return pidExists(identity.pid);
  const stat = procStat(identity.pid);
  if (!stat || stat.state === 'Z' || stat.state === 'X') return false;
  // Recorded where the start was not known: the PID is all there is to go on.
  if (identity.start === null || identity.start === '') return true;
  return identity.start === `${bootId()}:${stat.startTicks}`;
}
