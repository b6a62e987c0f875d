import { execFile } from 'node:child_process';

/** A command line for an OS tool, built separately so that it can be tested on any OS. */
export interface ToolCommand {
  readonly file: string;
  readonly args: readonly string[];
}

export type ToolResult =
  | { readonly ran: true; readonly code: number; readonly stdout: string; readonly stderr: string }
  | { readonly ran: false; readonly reason: string };

/**
 * Runs a tool with a time limit and never throws: a tool that is not installed, is killed by the
 * time limit or the signal comes back as `ran: false` with a reason a person can read.
 */
export function runTool(command: ToolCommand, timeoutMs: number, signal?: AbortSignal): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(
      command.file,
      [...command.args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 16 << 20, windowsHide: true, signal, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ran: true, code: 0, stdout, stderr });
        const failure = error as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
        if (failure.code === 'ENOENT') return resolve({ ran: false, reason: `${command.file} is not installed (not found on PATH)` });
        if (failure.name === 'AbortError') return resolve({ ran: false, reason: `${command.file} was cancelled` });
        if (failure.killed) return resolve({ ran: false, reason: `${command.file} did not finish within ${timeoutMs} ms` });
        if (typeof failure.code === 'number') return resolve({ ran: true, code: failure.code, stdout, stderr });
        resolve({ ran: false, reason: `${command.file} could not run: ${failure.message}` });
      },
    );
  });
}

/** Rejects after `ms` with a message naming what took too long; clears its timer either way. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The first line of an error's message, for a finding's detail. */
export function reasonOf(error: unknown): string {
  const err = error as { message?: string; cause?: { message?: string; code?: string } };
  const message = err?.message ?? String(error);
  const cause = err?.cause?.code ?? err?.cause?.message;
  return `${message.split('\n')[0]}${cause && !message.includes(cause) ? ` (${cause})` : ''}`;
}
