import { EwsError } from './ews-error.js';

/** A command that is planned but not built: says so plainly instead of pretending. */
export class NotImplementedError extends EwsError {
  override name = 'NotImplementedError';

  constructor(what: string, issue: number) {
    super('EWS_NOT_IMPLEMENTED', `${what} is not built yet (planned in issue #${issue})`);
  }
}
