import { ERROR_CODES, type ErrorCode } from './codes.js';

/** Base of every error ews raises on purpose. Anything else is a bug. */
export class EwsError extends Error {
  override name = 'EwsError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** False where trying again cannot help (a broken roster, a bad option). */
  get retryable(): boolean {
    return ERROR_CODES[this.code].retry;
  }
}
