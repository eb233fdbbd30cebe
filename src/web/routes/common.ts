import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../../store/index.js';
import type { Role } from '../accounts.js';
import { messagePage } from '../views/shell.js';

/** What every route plugin is given. */
export interface RouteOptions {
  db: Db;
}

export const ERROR_TEXT: Record<number, [string, string]> = {
  400: ['请求无效', '请求的内容不完整或格式不对，请返回重试。'],
  414: ['请求无效', '链接过长或格式不对，请从首页进入。'],
  403: ['无权访问', '您没有权限进行这项操作。'],
  404: ['页面不存在', '没有找到这个页面，请从首页进入。'],
  429: ['请求过于频繁', '请稍后再试。'],
  500: ['出错了', '系统暂时出错，请稍后再试；如果一直出现，请联系管理员。'],
};

/** An id as schools write them: printable, at most 128 characters (a NUL byte cannot even be stored). */
export const PLAIN_ID = /^[^\p{Cc}]{1,128}$/u;

export const html = (reply: FastifyReply, body: string, code = 200) => reply.code(code).type('text/html; charset=utf-8').send(body);

/**
 * The route's roles, checked before anything else is read (an onRequest hook: before the body is
 * validated, so a signed-out user is sent to sign in, not told their form was malformed).
 */
export const need =
  (...roles: Role[]) =>
  async (req: FastifyRequest, reply: FastifyReply) => {
    // A link from a push (WeCom, DingTalk, e-mail) comes back to its page after sign-in.
    if (!req.account)
      return req.method === 'GET'
        ? reply.redirect(req.url === '/' ? '/login' : `/login?next=${encodeURIComponent(req.url)}`)
        : html(reply, messagePage(null, '请先登录', '会话已过期，请重新登录。'), 401);
    if (!roles.includes(req.account.role)) return html(reply, messagePage(req.account, '无权访问', '您的角色不能查看此页面。'), 403);
  };

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

/** A form's `;`-separated list (classes), trimmed, empty entries dropped. */
export const listField = (v: unknown): string[] =>
  String(v ?? '')
    .split(/[;；,，、]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .slice(0, 64);
