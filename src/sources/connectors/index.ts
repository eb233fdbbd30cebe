export { pullFrom } from './pull-from.js';
export { readSqlConfig, queriesToFolder, SqlConfig } from './sql.js';
export { workbookToFolder, type Converted } from './xlsx.js';
