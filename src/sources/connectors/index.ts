export { pullFrom } from './pull-from.js';
export { readSqlConfig, SqlConfig } from './sql-config.js';
