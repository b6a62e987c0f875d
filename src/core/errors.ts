// The one error family (STYLE.md habit 9). Every error a person may see is a ProoflineError, or
// one of its subclasses: a `code` from src/shared/errors.ts (which fixes its `kind`), `params`
// that a translation can use, and an English message that says what failed, where, and what to
// do next. Hosts map `kind` once each (toOperationError, the web host's status table, the CLI's
// exit codes); the renderer says `code` in the reader's language.
import { errorCodes, type ErrorCode, type ErrorKind, type ErrorParams, type ErrorValue } from '../shared/errors.js';

export type { ErrorCode, ErrorKind, ErrorParams, ErrorValue };

export interface ProoflineErrorOptions {
  readonly cause?: unknown;
  /** For invalid input: which field and why (the renderer shows it beside the field). */
  readonly issues?: readonly { readonly path: string; readonly message: string }[];
}

export class ProoflineError extends Error {
  readonly kind: ErrorKind;
  readonly issues: ProoflineErrorOptions['issues'];

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly params: ErrorParams = {},
    options: ProoflineErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProoflineError';
    this.kind = errorCodes[code];
    this.issues = options.issues;
  }

  /** The error as data, for IPC, HTTP and results. */
  toValue(): ErrorValue {
    return { kind: this.kind, code: this.code, message: this.message, params: this.params };
  }
}

/**
 * The error of an operation stopped by its AbortSignal (`operation.cancelled`, kind interrupted):
 * the message says what was left as it was, so a person knows nothing is half-written.
 */
export function cancelled(message: string, params: ErrorParams = {}): ProoflineError {
  return new ProoflineError('operation.cancelled', message, params);
}

/** Throws `cancelled(message)` once `signal` has aborted: the check between two steps of long work. */
export function throwIfCancelled(signal: AbortSignal | undefined, message: string, params: ErrorParams = {}): void {
  if (signal?.aborted) throw cancelled(message, params);
}

/**
 * Any thrown value as a ProoflineError: ours as they are, an abort as `operation.cancelled`, and
 * anything else (a bug, a library's error) as `unexpected` with its first line, the cause kept.
 */
export function asProoflineError(error: unknown): ProoflineError {
  if (error instanceof ProoflineError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && error.name === 'AbortError') {
    return new ProoflineError('operation.cancelled', 'The operation was cancelled before it finished.', {}, { cause: error });
  }
  return new ProoflineError('unexpected', message.split('\n')[0] ?? message, {}, { cause: error });
}
