import type { FastifyPluginAsync } from 'fastify';
import type { EffectsReport } from '../../followup/index.js';
import { listModels, type LiveEvaluation } from '../../model/index.js';
import { audit, createAccount, issueInvite, listAccounts, readAudit, ROLES, updateAccount, type Role } from '../accounts.js';
import { aggregates } from '../queries.js';
import { adminPage, analystPage, auditPage } from '../views/admin.js';
import { messagePage } from '../views/shell.js';
import { html, listField, need, PLAIN_ID, type RouteOptions } from './common.js';

export interface AdminOptions extends RouteOptions {
  /** Where first-sign-in links point: the address staff reach the pages at (default: the request's own host). */
  publicUrl?: string;
}

const staffParams = { type: 'object', properties: { staff: { type: 'string', maxLength: 128 } }, required: ['staff'] } as const;
const accountBody = {
  type: 'object',
  properties: {
    staff_id: { type: 'string', maxLength: 128 },
    display_name: { type: 'string', maxLength: 64 },
    school_id: { type: 'string', maxLength: 128 },
    role: { type: 'string', enum: ROLES },
    class_ids: { type: 'string', maxLength: 512 },
    area: { type: 'string', maxLength: 64 },
  },
} as const;
type AccountBody = { staff_id?: string; display_name?: string; school_id?: string; role?: Role; class_ids?: string; area?: string };

/** Accounts and the audit trail (admins), and the de-identified aggregates and models (analysts). */
export const adminRoutes: FastifyPluginAsync<AdminOptions> = async (app, o) => {
  const { db } = o;
  /**
   * What is wrong with a school and its classes, in the admin's words, or null: a school the latest runs
   * have never scored, or a class not in it, would give its account an empty page and no warning.
   */
  async function placeProblem(school: string, classes: readonly string[], role: Role): Promise<string | null> {
    if (role === 'township' || role === 'bureau') return null;
    const { rows } = await db.query<{ class_id: string }>(
      `with latest as (select r.run_key from runs r where exists (select 1 from scores s where s.run_key = r.run_key and s.school_id = $1)
                        order by r.as_of desc, r.created_at desc limit 1)
       select distinct s.class_id from scores s join latest l on l.run_key = s.run_key where s.school_id = $1`,
      [school],
    );
    if (rows.length === 0) return `最近的周报中没有学校 ${school}，请核对学校代码。`;
    const known = new Set(rows.map((r) => r.class_id));
    const unknown = classes.filter((c) => !known.has(c));
    return unknown.length ? `学校 ${school} 没有这些班级：${unknown.join('、')}（已有：${[...known].sort().slice(0, 20).join('、')}）。` : null;
  }
  const admin = need('admin');

  app.get('/admin/staff', { onRequest: admin }, async (req, reply) => {
    const body = adminPage(req.account!, await listAccounts(db), reply.generateCsrf());
    return html(reply, body);
  });

  app.post<{ Body: AccountBody }>(
    '/admin/staff',
    { onRequest: admin, preValidation: app.csrfProtection, schema: { body: accountBody } },
    async (req, reply) => {
      const b = req.body;
      const id = String(b.staff_id ?? '').trim();
      if (!PLAIN_ID.test(id) || !b.school_id?.trim() || !b.role)
        return html(reply, messagePage(req.account, '信息不完整', '新建账号需要工号、学校和角色，请返回补全。'), 400);
      const problem = await placeProblem(b.school_id.trim(), listField(b.class_ids), b.role);
      if (problem) return html(reply, messagePage(req.account, '学校或班级不对', problem), 400);
      const created = await createAccount(db, {
        staff_id: id,
        school_id: b.school_id.trim(),
        role: b.role,
        class_ids: listField(b.class_ids),
        display_name: b.display_name?.trim() || null,
        area: b.area?.trim() || null,
      });
      if (!created) return html(reply, messagePage(req.account, '工号已存在', `工号 ${id} 已有账号，请在列表中修改它。`), 400);
      await audit(db, req.account!, 'create_account', null, { staff_id: id, role: b.role });
      return reply.redirect('/admin/staff');
    },
  );

  app.post<{ Params: { staff: string }; Body: AccountBody }>(
    '/admin/staff/:staff',
    { onRequest: admin, preValidation: app.csrfProtection, schema: { params: staffParams, body: accountBody } },
    async (req, reply) => {
      const { rows: current } = await db.query<{ school_id: string; role: Role }>('select school_id, role from staff_accounts where staff_id = $1', [
        req.params.staff,
      ]);
      if (current[0] && req.body.class_ids !== undefined) {
        const problem = await placeProblem(current[0].school_id, listField(req.body.class_ids), req.body.role ?? current[0].role);
        if (problem) return html(reply, messagePage(req.account, '学校或班级不对', problem), 400);
      }
      const ok = await updateAccount(db, req.params.staff, {
        role: req.body.role,
        class_ids: req.body.class_ids === undefined ? undefined : listField(req.body.class_ids),
      });
      if (!ok) return html(reply, messagePage(req.account, '没有这个工号', '没有找到这个工号的账号，请返回核对。'), 404);
      await audit(db, req.account!, 'update_account', null, { staff_id: req.params.staff, role: req.body.role });
      return reply.redirect('/admin/staff');
    },
  );

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const)
    app.post<{ Params: { staff: string } }>(
      `/admin/staff/:staff/${action}`,
      { onRequest: admin, preValidation: app.csrfProtection, schema: { params: staffParams } },
      async (req, reply) => {
        if (disabled && req.params.staff === req.account!.staff_id)
          return html(reply, messagePage(req.account, '不能停用自己', '请由另一位管理员停用这个账号。'), 400);
        if (!(await updateAccount(db, req.params.staff, { disabled })))
          return html(reply, messagePage(req.account, '没有这个工号', '没有找到这个工号的账号，请返回核对。'), 404);
        await audit(db, req.account!, 'update_account', null, { staff_id: req.params.staff, disabled });
        return reply.redirect('/admin/staff');
      },
    );

  // The link is shown once, to the admin, to send; only its hash is kept.
  app.post<{ Params: { staff: string } }>(
    '/admin/staff/:staff/invite',
    { onRequest: admin, preValidation: app.csrfProtection, schema: { params: staffParams } },
    async (req, reply) => {
      const token = await issueInvite(db, req.params.staff);
      if (!token) return html(reply, messagePage(req.account, '没有这个工号', '没有找到这个工号的账号，请返回核对。'), 404);
      await audit(db, req.account!, 'invite', null, { staff_id: req.params.staff });
      const base = o.publicUrl ?? `${req.protocol}://${req.host}`;
      const body = adminPage(req.account!, await listAccounts(db), reply.generateCsrf(), {
        staff_id: req.params.staff,
        link: `${base}/welcome?token=${token}`,
      });
      return html(reply, body);
    },
  );

  app.get<{ Querystring: { student?: string; actor?: string } }>(
    '/admin/audit',
    {
      onRequest: admin,
      schema: { querystring: { type: 'object', properties: { student: { type: 'string', maxLength: 128 }, actor: { type: 'string', maxLength: 128 } } } },
    },
    async (req, reply) => {
      const filter = { student: req.query.student?.trim() || undefined, actor: req.query.actor?.trim() || undefined };
      const rows = await readAudit(db, filter);
      await audit(db, req.account!, 'view_audit', filter.student ?? null, filter.actor ? { actor: filter.actor } : {});
      return html(reply, auditPage(req.account!, rows, filter));
    },
  );

  app.get('/analyst', { onRequest: need('analyst', 'admin') }, async (req, reply) => {
    const models = (await listModels()).map(({ meta, current }) => ({
      id: meta.id,
      auc: meta.metrics.test.auc,
      pr_auc: meta.metrics.test.pr_auc,
      in_use: current,
    }));
    const live = await db.query<{ known_through: string; created_at: string; result: unknown }>(
      `select to_char(known_through, 'YYYY-MM-DD') as known_through, created_at::text as created_at, result from live_evaluations order by id desc limit 1`,
    );
    const row = live.rows[0];
    const latest = row
      ? {
          known_through: row.known_through,
          created_at: row.created_at,
          result: (typeof row.result === 'string' ? JSON.parse(row.result) : row.result) as LiveEvaluation,
        }
      : null;
    const eff = (
      await db.query<{ created_at: string; result: unknown }>(`select created_at::text as created_at, result from effect_estimates order by id desc limit 1`)
    ).rows[0];
    const effects = eff
      ? { created_at: eff.created_at, result: (typeof eff.result === 'string' ? JSON.parse(eff.result) : eff.result) as EffectsReport }
      : null;
    return html(reply, analystPage(req.account!, await aggregates(db), models, latest, effects));
  });
};
