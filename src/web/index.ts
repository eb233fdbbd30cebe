export { buildApp, type AppOptions } from './app.js';
export { importStaff, setPassword, checkPassword, createSession, sessionAccount, audit, type Account, type Role } from './accounts.js';
