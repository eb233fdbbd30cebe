import ExcelJS from 'exceljs';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { contactsOf, namesOf } from '../../followup/index.js';
import { TEXT } from '../../alerts/i18n.js';
import { screeningText } from '../../scoring/index.js';
import { audit, type Account } from '../accounts.js';
import { casesAssignedTo, horizonOf, latestScores, openCasesOf, staffNames } from '../queries.js';
import { CASE_STATUS_TEXT, CAUSE_TEXT } from '../views/case-text.js';
import {
  classListPage,
  queryString,
  selectRows,
  TIER_TEXT,
  triageOrder,
  triagePage,
  VIEWS,
  type ListQuery,
  type ListRow,
  type ListView,
  type SavedView,
  urgentFor,
} from '../views/lists.js';

const CHANGE_TEXT = TEXT['zh-CN'].change;
import { beijingTime, cardTable, esc, messagePage, shell } from '../views/shell.js';
import { html, need, type RouteOptions } from './common.js';

const listQuery = {
  type: 'object',
  properties: {
    view: { type: 'string', enum: Object.keys(VIEWS) },
    reason: { type: 'string', maxLength: 64 },
    q: { type: 'string', maxLength: 64 },
  },
} as const;
type Query = { view?: ListView; reason?: string; q?: string };

/** The class list, the triage list and "my cases": the lists teachers and psychologists work from. */
export const listRoutes: FastifyPluginAsync<RouteOptions> = async (app, { db }) => {
  /** The account's students with names and open cases: a head teacher's classes, a psychologist's school. */
  async function rowsFor(a: Account): Promise<{ rows: ListRow[]; horizon: number | null }> {
    const scores = await latestScores(db, a.school_id, a.role === 'head_teacher' ? a.class_ids : undefined);
    const ids = scores.map((s) => s.student_id);
    const [names, open] = await Promise.all([namesOf(db, ids), openCasesOf(db, ids)]);
    const rows = scores.map((s) => ({ ...s, name: names.get(s.student_id) ?? null, open: open.get(s.student_id) ?? null }));
    const { rows: run } = await db.query<{ model_id: string }>(`select model_id from runs where as_of = $1::date order by created_at desc limit 1`, [
      scores[0]?.as_of ?? '1970-01-01',
    ]);
    return { rows, horizon: await horizonOf(run[0]?.model_id) };
  }
  const query = (q: Query): ListQuery => ({ view: q.view ?? 'listed', reason: q.reason || undefined, q: q.q || undefined });
  const savedOf = async (a: Account, page: string): Promise<SavedView[]> =>
    (await db.query<SavedView>('select id, name, query from saved_views where staff_id = $1 and page = $2 order by name', [a.staff_id, page])).rows.map(
      (v) => ({
        ...v,
        id: Number(v.id),
      }),
    );

  app.get<{ Querystring: Query }>('/classes', { onRequest: need('head_teacher'), schema: { querystring: listQuery } }, async (req, reply) => {
    const a = req.account!;
    const { rows, horizon } = await rowsFor(a);
    await audit(db, a, 'view_class_list', null, { classes: a.class_ids });
    return html(
      reply,
      classListPage(a, { all: rows, query: query(req.query), horizonDays: horizon, saved: await savedOf(a, '/classes'), csrf: reply.generateCsrf() }),
    );
  });
  app.get<{ Querystring: Query }>('/triage', { onRequest: need('psychologist', 'counsellor'), schema: { querystring: listQuery } }, async (req, reply) => {
    const a = req.account!;
    const { rows, horizon } = await rowsFor(a);
    await audit(db, a, 'view_triage_list', null);
    return html(
      reply,
      triagePage(a, { all: triageOrder(rows), query: query(req.query), horizonDays: horizon, saved: await savedOf(a, '/triage'), csrf: reply.generateCsrf() }),
    );
  });

  /** A list as an Excel workbook: the view on screen, names included (the account may see them), the export audited. */
  async function workbook(reply: FastifyReply, a: Account, rows: ListRow[], psych: boolean, file: string, ascii: string) {
    const contacts = await contactsOf(
      db,
      rows.map((r) => r.student_id),
    );
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet(psych ? '心理辅导优先名单' : '关注名单');
    ws.columns = [
      { header: '姓名', key: 'name', width: 10 },
      { header: '学生编号', key: 'id', width: 20 },
      { header: '班级', key: 'cls', width: 8 },
      { header: '关注等级', key: 'tier', width: 10 },
      { header: '风险', key: 'risk', width: 8, style: { numFmt: '0.0%' } },
      { header: '本周变化', key: 'change', width: 8 },
      ...(psych ? [{ header: '紧急', key: 'urgent', width: 6 }] : []),
      { header: '主要原因', key: 'reasons', width: 60 },
      ...(psych ? [{ header: '心理筛查', key: 'screening', width: 16 }] : []),
      { header: '个案状态', key: 'case', width: 12 },
      { header: '监护人', key: 'guardian', width: 14 },
      { header: '监护人电话', key: 'phone', width: 14 },
      { header: '截至', key: 'as_of', width: 12 },
    ];
    for (const r of rows)
      ws.addRow({
        name: r.name ?? '',
        id: r.student_id,
        cls: r.class_id,
        tier: TIER_TEXT[r.tier],
        risk: r.risk,
        reasons: r.reasons
          .filter((x) => x.audience === 'all' || psych)
          .map((x) => x.zh)
          .join('；'),
        screening: psych ? screeningText(r.details.acute) : undefined,
        case: r.open ? (CASE_STATUS_TEXT[r.open.status] ?? r.open.status) : '',
        change: CHANGE_TEXT[r.details.change as keyof typeof CHANGE_TEXT] ?? '',
        urgent: psych && urgentFor(true, r.details.acute) ? '紧急' : '',
        guardian: contacts.get(r.student_id)?.guardian_name ?? '',
        phone: contacts.get(r.student_id)?.guardian_phone ?? '',
        as_of: r.as_of,
      });
    ws.getRow(1).font = { bold: true };
    // Cells are written as values (strings, numbers), never formulas: a name like "=cmd" stays text.
    await audit(db, a, 'export_list', null, { rows: rows.length });
    const body = Buffer.from(await wb.xlsx.writeBuffer());
    return (
      reply
        .type('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        // A header is Latin-1: the Chinese name goes in RFC 5987's filename*, an ASCII one beside it for old clients.
        .header('content-disposition', `attachment; filename="${ascii}.xlsx"; filename*=UTF-8''${encodeURIComponent(file)}`)
        .send(body)
    );
  }
  app.get<{ Querystring: Query }>('/classes.xlsx', { onRequest: need('head_teacher'), schema: { querystring: listQuery } }, async (req, reply) => {
    const { rows } = await rowsFor(req.account!);
    return workbook(
      reply,
      req.account!,
      selectRows(rows, query(req.query), false),
      false,
      `关注名单-${rows[0]?.as_of ?? ''}.xlsx`,
      `list-${rows[0]?.as_of ?? ''}`,
    );
  });
  app.get<{ Querystring: Query }>('/triage.xlsx', { onRequest: need('psychologist', 'counsellor'), schema: { querystring: listQuery } }, async (req, reply) => {
    const { rows } = await rowsFor(req.account!);
    return workbook(
      reply,
      req.account!,
      selectRows(triageOrder(rows), query(req.query), true),
      true,
      `心理辅导优先名单-${rows[0]?.as_of ?? ''}.xlsx`,
      `triage-${rows[0]?.as_of ?? ''}`,
    );
  });

  // Saved views: a name for a filter a teacher uses every week ("未跟进的重点关注"), theirs alone.
  app.post<{ Body: { page?: string; query?: string; name?: string } }>(
    '/views',
    {
      onRequest: need('head_teacher', 'psychologist', 'counsellor'),
      preValidation: app.csrfProtection,
      schema: {
        body: {
          type: 'object',
          properties: {
            page: { type: 'string', enum: ['/classes', '/triage'] },
            query: { type: 'string', maxLength: 256 },
            name: { type: 'string', maxLength: 32 },
          },
          required: ['page', 'name'],
        },
      },
    },
    async (req, reply) => {
      const a = req.account!;
      const page = req.body.page!;
      const mine = (page === '/classes') === (a.role === 'head_teacher');
      const name = req.body.name?.trim();
      if (!mine || !name) return html(reply, messagePage(a, '无法保存', '请为视图起一个名字，并在自己的名单页上保存。'), 400);
      // Kept in its normal form, so only what the list reads is stored and the chip knows when it is on.
      const p = new URLSearchParams(req.body.query ?? '');
      const view = p.get('view') ?? 'listed';
      const q = queryString({ view: (view in VIEWS ? view : 'listed') as ListView, reason: p.get('reason') ?? undefined, q: p.get('q') ?? undefined });
      await db.query(
        `insert into saved_views (staff_id, page, name, query) values ($1, $2, $3, $4) on conflict (staff_id, page, name) do update set query = excluded.query`,
        [a.staff_id, page, name, q],
      );
      return reply.redirect(q ? `${page}?${q}` : page);
    },
  );
  app.post<{ Params: { id: string } }>(
    '/views/:id/delete',
    {
      onRequest: need('head_teacher', 'psychologist', 'counsellor'),
      preValidation: app.csrfProtection,
      schema: { params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]{1,15}$' } }, required: ['id'] } },
    },
    async (req, reply) => {
      const { rows } = await db.query<{ page: string }>('delete from saved_views where id = $1 and staff_id = $2 returning page', [
        Number(req.params.id),
        req.account!.staff_id,
      ]);
      return reply.redirect(rows[0]?.page ?? '/');
    },
  );

  /** My cases: open cases of the students I look after (and those handed to me by name), oldest follow-up first. */
  app.get('/cases', { onRequest: need('head_teacher', 'psychologist', 'counsellor') }, async (req, reply) => {
    const a = req.account!;
    const { rows } = await rowsFor(a);
    const names = await staffNames(db);
    // A case handed to someone whose account has since gone (disabled, removed) comes back to everyone who may see it.
    const active = (id: string | null) => id !== null && names.has(id) && !names.get(id)!.disabled;
    const mine = rows.filter((r) => r.open && (r.open.assigned_to === a.staff_id || !active(r.open.assigned_to)));
    const handedOut = rows.filter((r) => r.open && r.open.assigned_to !== a.staff_id && active(r.open.assigned_to));
    const handedIn = (await casesAssignedTo(db, a.staff_id)).filter((c) => !mine.some((r) => r.open?.id === c.id));
    const last = (r: ListRow) => new Date(r.open!.touched_at ?? r.open!.opened_at).getTime();
    mine.sort((x, y) => last(x) - last(y));
    const who = (r: ListRow) => `<a href="/students/${encodeURIComponent(r.student_id)}">${r.name ? `<b>${esc(r.name)}</b> ` : ''}${esc(r.student_id)}</a>`;
    const followed = (r: ListRow) =>
      r.open!.status === 'new'
        ? `<span class="urgent">尚未跟进</span>（建立于 ${beijingTime(new Date(r.open!.opened_at)).slice(0, 10)}）`
        : beijingTime(new Date(last(r)));
    await audit(db, a, 'view_cases', null);
    return html(
      reply,
      shell(
        a,
        '我的个案',
        `<p class="help">未结个案，最久没有跟进的在前。</p>${cardTable(
          ['学生', '班级', '个案', '状态', '最近跟进'],
          mine.map((r) => [
            who(r),
            esc(r.class_id),
            esc(CAUSE_TEXT[r.open!.cause] ?? r.open!.cause),
            esc(CASE_STATUS_TEXT[r.open!.status] ?? r.open!.status),
            followed(r),
          ]),
        )}${
          handedIn.length
            ? `<h2>同事转交给我的</h2>${cardTable(
                ['学生', '个案', '状态'],
                handedIn.map((c) => [
                  `<a href="/students/${encodeURIComponent(c.student_id)}">${esc(c.student_id)}</a>`,
                  esc(CAUSE_TEXT[c.cause] ?? c.cause),
                  esc(CASE_STATUS_TEXT[c.status] ?? c.status),
                ]),
              )}`
            : ''
        }${
          handedOut.length
            ? `<h2>已转交同事负责</h2>${cardTable(
                ['学生', '负责人', '状态', '最近跟进'],
                handedOut.map((r) => [
                  who(r),
                  esc(names.get(r.open!.assigned_to!)?.name ?? r.open!.assigned_to),
                  esc(CASE_STATUS_TEXT[r.open!.status] ?? r.open!.status),
                  followed(r),
                ]),
              )}`
            : ''
        }`,
      ),
    );
  });
};
