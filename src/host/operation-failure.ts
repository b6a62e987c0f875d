import { ProoflineError, type ErrorCode, type ErrorParams } from '../core/errors.js';
import type { OperationError } from '../shared/contract.js';

/** A ProoflineError raised by a host's own checks (an archive no longer open, no file dialogs). */
export class OperationFailure extends ProoflineError {
  constructor(
    code: ErrorCode,
    message: string,
    params: ErrorParams = {},
    /** For invalid input: which field and why (the renderer shows it beside the field). */
    issues?: OperationError['issues'],
  ) {
    super(code, message, params, issues ? { issues } : {});
    this.name = 'OperationFailure';
  }
}
