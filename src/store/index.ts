export { copyField, type Db } from './db.js';
export { openDb, type OpenOptions } from './open-db.js';
export { migrate } from './migrate.js';
export { MIGRATIONS } from './migrations.js';
