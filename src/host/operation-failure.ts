import type { OperationError } from '../shared/contract.js';

/** An error with a kind the UI can act on ("not found" differs from "failed"). */
export class OperationFailure extends Error {
  constructor(
    readonly kind: OperationError['kind'],
    message: string,
    /** For invalid input: which field and why (the renderer shows it beside the field). */
    readonly issues?: OperationError['issues'],
  ) {
    super(message);
    this.name = 'OperationFailure';
  }
}

