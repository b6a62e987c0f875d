import { failureOf, run } from '../../../process/launch.js';

/** A command line for an OS tool, built separately so that it can be tested on any OS. */
export interface ToolCommand {
  readonly file: string;
  readonly args: readonly string[];
}

export type ToolResult =
  | { readonly ran: true; readonly code: number; readonly stdout: string; readonly stderr: string }
  | { readonly ran: false; readonly reason: string };

/**
 * Runs a tool through the launcher with a time limit and never throws: a tool that is not
 * installed, is killed by the time limit or the signal comes back as `ran: false` with a reason a
 * person can read.
 */
export async function runTool(command: ToolCommand, timeoutMs: number, signal?: AbortSignal): Promise<ToolResult> {
  if (signal?.aborted) return { ran: false, reason: `${command.file} was cancelled` };
  const result = await run(command.file, command.args, { timeoutMs, maxBuffer: 16 << 20, signal });
  if (result.code !== null && !result.error && !result.overflow) return { ran: true, code: result.code, stdout: result.stdout.toString('utf8'), stderr: result.stderr.toString('utf8') };
  if (result.timedOut) return { ran: false, reason: `${command.file} did not finish within ${timeoutMs} ms` };
  return { ran: false, reason: failureOf(command.file, result) };
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
