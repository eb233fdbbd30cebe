import { EwsError } from './ews-error.js';

/** An option or setting has a value ews cannot use; names the option. */
export class OptionError extends EwsError {
  override name = 'OptionError';
  readonly option: string;

  constructor(option: string, message: string) {
    super('EWS_BAD_OPTION', `${option}: ${message}`);
    this.option = option;
  }
}
