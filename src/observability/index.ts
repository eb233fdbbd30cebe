export { log, REDACTED_KEYS } from './logger.js';
export { createProgress, type Progress } from './progress.js';
