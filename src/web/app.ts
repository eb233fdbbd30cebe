import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { randomBytes } from 'node:crypto';
import { EwsError } from '../errors/index.js';
import { NOTE_MAX, openAlert, recordStep, type Step } from '../followup/index.js';
import { listModels } from '../model/index.js';
import { log } from '../observability/index.js';
import type { Db } from '../store/index.js';
import { audit, checkPassword, createSession, endSession, sessionAccount, setPassword, type Account, type Role } from './accounts.js';
import { aggregates, caseHistory, latestScore, latestScores, maySee } from './queries.js';
import { adminPage, analystPage, classListPage, loginPage, messagePage, studentPage, triagePage } from './views.js';

declare module 'fastify' {
  interface FastifyRequest {
    account: Account | null;
  }
}

export interface AppOptions {
  db: Db;
  /** Signs the CSRF cookie. Default: random per process (sessions survive, forms do not, a restart). */
  cookieSecret?: string;
  /** Mark cookies Secure (behind HTTPS). Default false. */
  secureCookies?: boolean;
  /** Sign-in attempts per minute per address. Default 30: a school's staff share one network address. */
  loginPerMinute?: number;
  /** Failed sign-ins an account may have in 15 minutes before it must wait. Default 5. */
  loginFailuresPerAccount?: number;
}

const LOCK_MS = 15 * 60_000;

const ERROR_TEXT: Record<number, [string, string]> = {
  400: ['请求无效', '请求的内容不完整或格式不对，请返回重试。'],
  414: ['请求无效', '链接过长或格式不对，请从首页进入。'],
  403: ['无权访问', '您没有权限进行这项操作。'],
  404: ['页面不存在', '没有找到这个页面，请从首页进入。'],
  429: ['请求过于频繁', '请稍后再试。'],
  500: ['出错了', '系统暂时出错，请稍后再试；如果一直出现，请联系管理员。'],
};

/** An id as schools write them: printable, at most 128 characters (a NUL byte cannot even be stored). */
const PLAIN_ID = /^[^\p{Cc}]{1,128}$/u;

/**
 * When a step was done, from the form's date (Beijing calendar): today is now; an earlier day (a home visit
 * recorded the morning after) is noon of that day; a day in the future or over 60 days back is refused (null).
 */
export function stepTime(doneOn: unknown, now = new Date()): Date | undefined | null {
  if (doneOn === undefined || doneOn === '') return undefined;
  if (typeof doneOn !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(doneOn)) return null;
  const noon = new Date(`${doneOn}T12:00:00+08:00`);
  if (Number.isNaN(noon.getTime())) return null;
  const today = new Date(now.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  if (doneOn === today) return undefined;
  if (doneOn > today || now.getTime() - noon.getTime() > 60 * 86_400_000) return null;
  return noon;
}

/** A page of this site to return to after sign-in: a path, never another site (`//evil`, `/\\evil`, a scheme). */
export function localPath(next: unknown): string | undefined {
  if (typeof next !== 'string' || next.length > 512) return undefined;
  return /^\/(?![/\\])[^\s]*$/.test(next) && !next.startsWith('/login') ? next : undefined;
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

const SESSION = 'ews_session';
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
 * models; an admin the staff accounts. Every role check is made here, on the server, per route,
 * and every view of a student's record is written to the audit trail. URLs are not logged.
 */
export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  // No fastify logger at all: request URLs carry student ids, and they stay out of the logs.
  const app = Fastify({
    logger: false,
    trustProxy: false,
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
  await app.register(cookie, { secret: o.cookieSecret ?? randomBytes(32).toString('hex') });
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
  // Every error page in Chinese: the messages of the code and its libraries are English and say nothing to a teacher.
  app.setErrorHandler((err: Error & { statusCode?: number }, req, reply) => {
    const status = err.statusCode ?? (err instanceof EwsError ? 400 : 500);
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

  const html = (reply: FastifyReply, body: string, code = 200) => reply.code(code).type('text/html; charset=utf-8').send(body);
  const need =
    (...roles: Role[]) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      // A link from a push (WeCom, DingTalk, e-mail) comes back to its page after sign-in.
      if (!req.account)
        return req.method === 'GET'
          ? reply.redirect(req.url === '/' ? '/login' : `/login?next=${encodeURIComponent(req.url)}`)
          : html(reply, messagePage(null, '请先登录', '会话已过期，请重新登录。'), 401);
      if (!roles.includes(req.account.role)) return html(reply, messagePage(req.account, '无权访问', '您的角色不能查看此页面。'), 403);
    };

  const failedSignIns = new FailedSignIns(o.loginFailuresPerAccount ?? 5);
  app.get<{ Querystring: { next?: string } }>('/login', async (req, reply) => html(reply, loginPage(undefined, localPath(req.query.next))));
  app.post<{ Body: { staff_id?: string; password?: string; next?: string } }>(
    '/login',
    { config: { rateLimit: { max: o.loginPerMinute ?? 30, timeWindow: '1 minute' } } },
    async (req, reply) => {
      const staffId = String(req.body?.staff_id ?? '').slice(0, 128);
      if (failedSignIns.blocked(staffId)) {
        await o.db.query(`insert into audit (actor, role, action, student_id, detail) values ($1, '', 'sign_in_blocked', null, '{}')`, [staffId]);
        return html(reply, loginPage('该工号的错误尝试次数过多，请 15 分钟后再试，或请管理员协助。', localPath(req.body?.next)), 429);
      }
      const account = await checkPassword(o.db, staffId, String(req.body?.password ?? ''));
      if (!account) {
        failedSignIns.failed(staffId);
        // Who tried which id, never the password.
        await o.db.query(`insert into audit (actor, role, action, student_id, detail) values ($1, '', 'sign_in_failed', null, '{}')`, [staffId]);
        return html(reply, loginPage('工号或密码不正确。', localPath(req.body?.next)), 401);
      }
      failedSignIns.succeeded(staffId);
      const token = await createSession(o.db, account.staff_id);
      // Lax, not strict: a link opened from WeCom, DingTalk or e-mail is a top-level GET from another site and must
      // carry the session; cross-site POSTs still do not, and every form also carries its CSRF token.
      reply.setCookie(SESSION, token, { httpOnly: true, sameSite: 'lax', secure: o.secureCookies ?? false, path: '/', maxAge: 8 * 3600 });
      await audit(o.db, account, 'sign_in', null);
      return reply.redirect(localPath(req.body?.next) ?? '/');
    },
  );
  app.post('/logout', async (req, reply) => {
    await endSession(o.db, req.cookies[SESSION]);
    reply.clearCookie(SESSION, { path: '/' });
    return reply.redirect('/login');
  });

  app.get('/', { preHandler: need('head_teacher', 'psychologist', 'counsellor', 'analyst', 'admin') }, async (req, reply) => {
    const home: Record<Role, string> = { head_teacher: '/classes', psychologist: '/triage', counsellor: '/triage', analyst: '/analyst', admin: '/admin/staff' };
    return reply.redirect(home[req.account!.role]);
  });

  app.get('/classes', { preHandler: need('head_teacher') }, async (req, reply) => {
    const a = req.account!;
    const rows = await latestScores(o.db, a.school_id, a.class_ids);
    await audit(o.db, a, 'view_class_list', null, { classes: a.class_ids });
    return html(reply, classListPage(a, rows));
  });

  app.get('/triage', { preHandler: need('psychologist', 'counsellor') }, async (req, reply) => {
    const a = req.account!;
    const rows = await latestScores(o.db, a.school_id);
    await audit(o.db, a, 'view_triage_list', null);
    return html(reply, triagePage(a, rows));
  });

  app.get<{ Params: { id: string } }>('/students/:id', { preHandler: need('head_teacher', 'psychologist', 'counsellor') }, async (req, reply) => {
    const a = req.account!;
    if (!PLAIN_ID.test(req.params.id)) return html(reply, messagePage(a, ...ERROR_TEXT[404]), 404);
    const s = await latestScore(o.db, req.params.id);
    if (!s || !maySee(a, s)) {
      await audit(o.db, a, 'view_student_refused', req.params.id);
      return html(reply, messagePage(a, '无权访问', '这名学生不在您负责的范围内。'), 403);
    }
    await audit(o.db, a, 'view_student', s.student_id);
    return html(reply, studentPage(a, s, await caseHistory(o.db, s.student_id), reply.generateCsrf()));
  });

  app.post<{ Params: { id: string }; Body: { step?: string; kind?: string; note?: string; done_on?: string } }>(
    '/alerts/:id/steps',
    { preHandler: need('head_teacher', 'psychologist', 'counsellor'), preValidation: app.csrfProtection },
    async (req, reply) => {
      const a = req.account!;
      if (!/^\d{1,15}$/.test(req.params.id)) return html(reply, messagePage(a, ...ERROR_TEXT[404]), 404);
      const { rows } = await o.db.query<{ student_id: string; school_id: string; class_id: string }>(
        'select student_id, school_id, class_id from alerts where id = $1',
        [Number(req.params.id)],
      );
      if (!rows[0] || !maySee(a, rows[0])) return html(reply, messagePage(a, '无权访问', '这个个案不在您负责的范围内。'), 403);
      const note = req.body.note?.trim() || undefined;
      if (note && note.length > NOTE_MAX)
        return html(reply, messagePage(a, '备注过长', `备注最多 ${NOTE_MAX} 字（本次 ${note.length} 字），请缩短后再记录。`), 400);
      const at = stepTime(req.body.done_on);
      if (at === null) return html(reply, messagePage(a, '日期不对', '请填写今天或之前的日期（最多回溯 60 天）。'), 400);
      try {
        await recordStep(o.db, Number(req.params.id), { step: String(req.body.step) as Step, kind: req.body.kind || undefined, by: a.staff_id, note, at });
      } catch (e) {
        // A step that does not fit the case (or lacks its kind) is the user's to correct, in their words; not a 500.
        if (e instanceof EwsError && e.code === 'EWS_BAD_OPTION')
          return html(reply, messagePage(a, '无法记录', '这一步不适用于该个案的当前状态，或需要选择方式。请返回重新选择。'), 400);
        throw e;
      }
      await audit(o.db, a, 'record_step', rows[0].student_id, { alert: Number(req.params.id), step: req.body.step });
      return reply.redirect(`/students/${encodeURIComponent(rows[0].student_id)}`);
    },
  );

  // A case for any student the teacher or psychologist may see, not only those a list or an alert put forward.
  app.post<{ Params: { id: string } }>(
    '/students/:id/cases',
    { preHandler: need('head_teacher', 'psychologist', 'counsellor'), preValidation: app.csrfProtection },
    async (req, reply) => {
      const a = req.account!;
      if (!PLAIN_ID.test(req.params.id)) return html(reply, messagePage(a, ...ERROR_TEXT[404]), 404);
      const s = await latestScore(o.db, req.params.id);
      if (!s || !maySee(a, s)) return html(reply, messagePage(a, '无权访问', '这名学生不在您负责的范围内。'), 403);
      const { alert, created } = await openAlert(o.db, {
        student_id: s.student_id,
        school_id: s.school_id,
        class_id: s.class_id,
        cause: 'by_hand',
        as_of: s.as_of,
        risk: s.risk,
        detail: { opened_by: a.staff_id },
      });
      await audit(o.db, a, 'open_case', s.student_id, { alert: alert.id, created });
      return reply.redirect(`/students/${encodeURIComponent(s.student_id)}`);
    },
  );

  app.get('/analyst', { preHandler: need('analyst', 'admin') }, async (req, reply) => {
    const models = (await listModels()).map(({ meta, current }) => ({
      id: meta.id,
      auc: meta.metrics.test.auc,
      pr_auc: meta.metrics.test.pr_auc,
      in_use: current,
    }));
    return html(reply, analystPage(req.account!, await aggregates(o.db), models));
  });

  app.get('/admin/staff', { preHandler: need('admin') }, async (req, reply) => {
    const { rows } = await o.db.query<{ staff_id: string; school_id: string; role: string; has_password: boolean }>(
      'select staff_id, school_id, role, password_hash is not null as has_password from staff_accounts order by staff_id',
    );
    return html(reply, adminPage(req.account!, rows, reply.generateCsrf()));
  });
  app.post<{ Body: { staff_id?: string; password?: string } }>(
    '/admin/staff/password',
    { preHandler: need('admin'), preValidation: app.csrfProtection },
    async (req, reply) => {
      const password = String(req.body.password ?? '');
      if (password.length < 10) return html(reply, messagePage(req.account, '密码太短', '密码至少需要 10 个字符，请返回重新设置。'), 400);
      const { rows } = await o.db.query('select 1 from staff_accounts where staff_id = $1', [String(req.body.staff_id ?? '')]);
      if (rows.length === 0) return html(reply, messagePage(req.account, '没有这个工号', '没有找到这个工号的账号，请返回核对。'), 400);
      await setPassword(o.db, String(req.body.staff_id), password);
      await audit(o.db, req.account!, 'set_password', null, { staff_id: req.body.staff_id });
      return reply.redirect('/admin/staff');
    },
  );
  return app;
}
