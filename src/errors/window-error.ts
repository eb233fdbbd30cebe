import { EwsError } from './ews-error.js';

/** A date window that cannot exist (ends before it starts, zero length, outside the data). */
export class WindowError extends EwsError {
  override name = 'WindowError';

  constructor(message: string) {
    super('EWS_BAD_WINDOW', message);
  }
}
