import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { audit, checkPassword, createSession, endSession, inviteAccount, redeemInvite, sessionAccount } from '../accounts.js';
import { loginPage, welcomePage } from '../views/auth.js';
import { messagePage } from '../views/shell.js';
import { html, localPath, type RouteOptions } from './common.js';

export const SESSION = 'ews_session';
const LOCK_MS = 15 * 60_000;

export interface AuthOptions extends RouteOptions {
  secureCookies: boolean;
  loginPerMinute: number;
  loginFailuresPerAccount: number;
}

/**
 * Failed sign-ins per account, in this process: a guesser is slowed per account whichever address
 * they come from, while the per-address limit can be generous enough for a school behind one address.
 */
class FailedSignIns {
  private readonly fails = new Map<string, number[]>();
  constructor(private readonly max: number) {}
  private recent(id: string, now: number): number[] {
    const kept = (this.fails.get(id) ?? []).filter((t) => now - t < LOCK_MS);
    if (kept.length === 0) this.fails.delete(id);
    else this.fails.set(id, kept);
    return kept;
  }
  blocked(id: string, now = Date.now()): boolean {
    return this.recent(id, now).length >= this.max;
  }
  failed(id: string, now = Date.now()): void {
    this.fails.set(id, [...this.recent(id, now), now]);
  }
  succeeded(id: string): void {
    this.fails.delete(id);
  }
}

const loginBody = {
  type: 'object',
  properties: { staff_id: { type: 'string', maxLength: 512 }, password: { type: 'string', maxLength: 1024 }, next: { type: 'string', maxLength: 1024 } },
} as const;

/** Sign-in, sign-out and first-sign-in links. */
export const authRoutes: FastifyPluginAsync<AuthOptions> = async (app, o) => {
  const { db } = o;
  const failedSignIns = new FailedSignIns(o.loginFailuresPerAccount);
  const signInAudit = (staffId: string, action: string) =>
    db.query(`insert into audit (actor, role, action, student_id, detail) values ($1, '', $2, null, '{}')`, [staffId, action]);
  const startSession = async (reply: FastifyReply, staffId: string) => {
    const token = await createSession(db, staffId);
    // Lax, not strict: a link opened from WeCom, DingTalk or e-mail is a top-level GET from another site and must
    // carry the session; cross-site POSTs still do not, and every form also carries its CSRF token.
    reply.setCookie(SESSION, token, { httpOnly: true, sameSite: 'lax', secure: o.secureCookies, path: '/', maxAge: 8 * 3600 });
  };

  app.get<{ Querystring: { next?: string } }>(
    '/login',
    { schema: { querystring: { type: 'object', properties: { next: { type: 'string', maxLength: 1024 } } } } },
    async (req, reply) => html(reply, loginPage(undefined, localPath(req.query.next))),
  );
  app.post<{ Body: { staff_id?: string; password?: string; next?: string } }>(
    '/login',
    { config: { rateLimit: { max: o.loginPerMinute, timeWindow: '1 minute' } }, schema: { body: loginBody } },
    async (req, reply) => {
      const staffId = String(req.body?.staff_id ?? '').slice(0, 128);
      if (failedSignIns.blocked(staffId)) {
        await signInAudit(staffId, 'sign_in_blocked');
        return html(reply, loginPage('该工号的错误尝试次数过多，请 15 分钟后再试，或请管理员协助。', localPath(req.body?.next)), 429);
      }
      const account = await checkPassword(db, staffId, String(req.body?.password ?? ''));
      if (!account) {
        failedSignIns.failed(staffId);
        await signInAudit(staffId, 'sign_in_failed'); // who tried which id, never the password
        return html(reply, loginPage('工号或密码不正确。', localPath(req.body?.next)), 401);
      }
      failedSignIns.succeeded(staffId);
      await startSession(reply, account.staff_id);
      await audit(db, account, 'sign_in', null);
      return reply.redirect(localPath(req.body?.next) ?? '/');
    },
  );
  app.post('/logout', async (req, reply) => {
    const a = await sessionAccount(db, req.cookies[SESSION]);
    await endSession(db, req.cookies[SESSION]);
    if (a) await audit(db, a, 'sign_out', null);
    reply.clearCookie(SESSION, { path: '/' });
    return reply.redirect('/login');
  });

  // A first-sign-in (or reset) link: its owner sets the password. The token is in the query only on this GET.
  const tokenQuery = { type: 'object', properties: { token: { type: 'string', maxLength: 128 } } } as const;
  app.get<{ Querystring: { token?: string } }>('/welcome', { schema: { querystring: tokenQuery } }, async (req, reply) => {
    const a = req.query.token ? await inviteAccount(db, req.query.token) : null;
    if (!a) return html(reply, messagePage(null, '链接无效', '这个设置密码的链接已用过、已过期或不完整，请向管理员要一个新的。'), 404);
    return html(reply, welcomePage(a, req.query.token!, reply.generateCsrf()));
  });
  app.post<{ Body: { token?: string; password?: string; again?: string } }>(
    '/welcome',
    {
      preValidation: app.csrfProtection,
      config: { rateLimit: { max: o.loginPerMinute, timeWindow: '1 minute' } },
      schema: {
        body: {
          type: 'object',
          properties: { token: { type: 'string', maxLength: 128 }, password: { type: 'string', maxLength: 1024 }, again: { type: 'string', maxLength: 1024 } },
        },
      },
    },
    async (req, reply) => {
      const token = String(req.body.token ?? '');
      const a = await inviteAccount(db, token);
      if (!a) return html(reply, messagePage(null, '链接无效', '这个设置密码的链接已用过、已过期或不完整，请向管理员要一个新的。'), 404);
      const password = String(req.body.password ?? '');
      const retry = (text: string) => html(reply, welcomePage(a, token, reply.generateCsrf(), text), 400);
      if (password.length < 10) return retry('密码至少需要 10 个字符。');
      if (password !== req.body.again) return retry('两次输入的密码不一样。');
      await redeemInvite(db, token, password);
      await audit(db, a, 'set_password', null, { via: 'link' });
      await startSession(reply, a.staff_id);
      await audit(db, a, 'sign_in', null);
      return reply.redirect('/');
    },
  );
};
