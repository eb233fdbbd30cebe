import { EwsError } from './ews-error.js';
import type { ErrorCode } from './codes.js';

/** The data folder breaks the contract as a whole (a file or column is missing): the run stops. */
export class ContractError extends EwsError {
  override name = 'ContractError';
  readonly file: string;

  constructor(code: ErrorCode, file: string, message: string) {
    super(code, message);
    this.file = file;
  }
}
