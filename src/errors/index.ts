export { ERROR_CODES, type ErrorCode } from './codes.js';
export { EwsError } from './ews-error.js';
export { ContractError } from './contract-error.js';
export { OptionError } from './option-error.js';
export { WindowError } from './window-error.js';
