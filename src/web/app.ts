import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { EwsError } from '../errors/index.js';
import { log } from '../observability/index.js';
import type { Db } from '../store/index.js';
import { ROLES, sessionAccount, type Account, type Role } from './accounts.js';
import { adminRoutes } from './routes/admin.js';
import { authRoutes, SESSION } from './routes/auth.js';
import { ERROR_TEXT, need } from './routes/common.js';
import { listRoutes } from './routes/lists.js';
import { oversightRoutes } from './routes/oversight.js';
import { studentRoutes } from './routes/students.js';
import { keptSecret } from './secrets.js';
import { messagePage } from './views/shell.js';

export { localPath, stepTime } from './routes/common.js';
export { beijingTime } from './views/shell.js';

declare module 'fastify' {
  interface FastifyRequest {
    account: Account | null;
  }
}

export interface AppOptions {
  db: Db;
  /** Signs the CSRF cookie. Default: a secret kept in the store, so a form opened before a restart still posts. */
  cookieSecret?: string;
  /** Mark cookies Secure (behind HTTPS). Default false. */
  secureCookies?: boolean;
  /** Sign-in attempts per minute per address. Default 30: a school's staff share one network address. */
  loginPerMinute?: number;
  /** Failed sign-ins an account may have in 15 minutes before it must wait. Default 5. */
  loginFailuresPerAccount?: number;
  /** The address staff reach the pages at, for first-sign-in links (default: the request's host). */
  publicUrl?: string;
  /**
   * Behind a reverse proxy (nginx), the addresses it stands for: the sign-in limit then counts each client's
   * address from X-Forwarded-For, not the proxy's one address for the whole district. Default: none trusted.
   */
  trustProxy?: string | boolean;
}

const HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/**
 * The web pages, by role: a head teacher sees their classes' list and their students; a
 * psychologist the school's triage list and screening details; an analyst only aggregates and
 * models; an admin the staff accounts and the audit trail. Each group of routes is a plugin with
 * its request schemas (routes/); every role check is made on the server, per route, before the
 * request is read, and every view of a student's record is audited. URLs are not logged.
 */
export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  // No fastify logger at all: request URLs carry student ids, and they stay out of the logs.
  const app = Fastify({
    logger: false,
    trustProxy: o.trustProxy ?? false,
    // Malformed or overlong URLs are refused by the router before any handler: in Chinese too, not Fastify's JSON.
    frameworkErrors: (err, _req, reply) => {
      const status = err.statusCode ?? 400;
      const [title, text] = ERROR_TEXT[status] ?? ERROR_TEXT[400];
      return (reply as FastifyReply)
        .code(status)
        .type('text/html; charset=utf-8')
        .send(messagePage(null, title, text));
    },
  });
  await app.register(cookie, { secret: o.cookieSecret ?? (await keptSecret(o.db)) });
  await app.register(formbody);
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: { signed: true, httpOnly: true, sameSite: 'strict', secure: o.secureCookies ?? false, path: '/' },
  });
  await app.register(rateLimit, { global: false });
  app.decorateRequest('account', null);
  app.addHook('onSend', async (_req, reply) => {
    for (const [k, v] of Object.entries(HEADERS)) reply.header(k, v);
  });
  app.addHook('onRequest', async (req) => {
    req.account = await sessionAccount(o.db, req.cookies[SESSION]);
  });
  // Every error page in Chinese: the messages of the code and its libraries (and of schema validation) are English.
  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err.validation ? 400 : (err.statusCode ?? (err instanceof EwsError ? 400 : 500));
    if (status >= 500) log.error({ route: req.routeOptions.url, err: err.message }, 'page failed');
    const [title, text] = ERROR_TEXT[status] ?? (status >= 500 ? ERROR_TEXT[500] : ERROR_TEXT[400]);
    reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(messagePage(req.account, title, text));
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(404)
      .type('text/html; charset=utf-8')
      .send(messagePage(req.account, ...ERROR_TEXT[404])),
  );

  app.get('/', { onRequest: need(...ROLES) }, async (req, reply) => {
    const home: Record<Role, string> = {
      head_teacher: '/classes',
      psychologist: '/triage',
      counsellor: '/triage',
      analyst: '/analyst',
      admin: '/admin/staff',
      principal: '/school',
      aid_office: '/aid',
      township: '/area',
      bureau: '/area',
    };
    return reply.redirect(home[req.account!.role]);
  });
  await app.register(authRoutes, {
    db: o.db,
    secureCookies: o.secureCookies ?? false,
    loginPerMinute: o.loginPerMinute ?? 30,
    loginFailuresPerAccount: o.loginFailuresPerAccount ?? 5,
  });
  await app.register(listRoutes, { db: o.db });
  await app.register(studentRoutes, { db: o.db });
  await app.register(adminRoutes, { db: o.db, publicUrl: o.publicUrl });
  await app.register(oversightRoutes, { db: o.db });
  return app;
}
