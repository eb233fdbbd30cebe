import type { FastifyPluginAsync } from 'fastify';
import { entitlementGaps, hardshipSignals, latestAidChecks, loadProcedure, namesOf, recordAidCheck } from '../../followup/index.js';
import { PROGRAM_TEXT } from '../../features/index.js';
import type { ReportRow } from '../../report/index.js';
import { caseCounts, REPORT_COLUMNS } from '../../report/index.js';
import { audit, type Account } from '../accounts.js';
import { latestScores } from '../queries.js';
import { CASE_STATUS_TEXT, CAUSE_TEXT } from '../views/case-text.js';
import { beijingTime, cardTable, esc, messagePage, shell } from '../views/shell.js';
import { html, need, PLAIN_ID, type RouteOptions } from './common.js';

/** The latest monthly report's rows an account's level may see: its school, its township's schools, or the county's. */
async function reportRows(o: RouteOptions, a: Account): Promise<{ as_of: string | null; rows: ReportRow[] }> {
  const { rows } = await o.db.query<{ as_of: string; level: string; school_id: string; township: string; figures: ReportRow }>(
    `select to_char(as_of, 'YYYY-MM-DD') as as_of, level, school_id, township, figures from monthly_reports
      where as_of = (select max(as_of) from monthly_reports) order by position`,
  );
  const figures = rows.map((r) => (typeof r.figures === 'string' ? JSON.parse(r.figures) : r.figures) as ReportRow);
  const mine = figures.filter((r) => {
    if (a.role === 'principal') return r.level === 'school' && r.school_id === a.school_id;
    // An officer's account with no area set sees nothing rather than everything.
    if (a.role === 'township') return Boolean(a.area) && r.township === a.area && r.level !== 'total';
    // The bureau: its county's rows (every row when the account names no county, or the report knows none).
    return !a.area || !r.county || r.county === a.area || r.level === 'total';
  });
  return { as_of: rows[0]?.as_of ?? null, rows: mine };
}

const figuresTable = (rows: readonly ReportRow[]) =>
  cardTable(
    REPORT_COLUMNS.map(([h]) => h),
    rows.map((r) =>
      REPORT_COLUMNS.map(([h, v]) => {
        const x = v(r);
        return h.startsWith('巩固率') && typeof x === 'number' ? `${(x * 100).toFixed(2)}%` : esc(x ?? '—');
      }),
    ),
  );

/** Open cases per school, and how many are overdue, now. */
async function caseFigures(o: RouteOptions, schools: readonly string[] | null) {
  // Open and overdue as the monthly report counts them (one definition: each status's deadline in escalation_rules), as of today.
  const counts = await caseCounts(o.db, beijingTime(new Date()).slice(0, 10));
  const { rows } = await o.db.query<{ school_id: string; escalated: string }>(
    `select school_id, count(*) as escalated from alerts where closed_at is null and status = 'escalated' group by school_id`,
  );
  const escalated = new Map(rows.map((r) => [r.school_id, Number(r.escalated)]));
  return [...counts]
    .filter(([school]) => !schools || schools.includes(school))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([school_id, c]) => ({ school_id, open: c.open, overdue: c.overdue, escalated: escalated.get(school_id) ?? 0 }));
}

/**
 * Up the 控辍保学 chain: a principal sees their school, a township its schools, the county bureau all;
 * figures and cases by school, and a student only in a case escalated to their level. The aid office
 * checks students in suspected hidden hardship and the 应助尽助 gaps, quietly.
 */
export const oversightRoutes: FastifyPluginAsync<RouteOptions> = async (app, o) => {
  const { db } = o;

  app.get('/school', { onRequest: need('principal') }, async (req, reply) => {
    const a = req.account!;
    const report = await reportRows(o, a);
    const [cases] = await caseFigures(o, [a.school_id]).then((r) => (r.length ? r : [{ school_id: a.school_id, open: 0, overdue: 0, escalated: 0 }]));
    // The 台账: every suspected dropout and every dropout case, each with its status and last step (ids, not reasons).
    const { rows: ledger } = await db.query<{
      id: string;
      student_id: string;
      class_id: string;
      cause: string;
      status: string;
      opened_at: Date;
      touched_at: Date;
      closed_at: Date | null;
      by: string | null;
      escalated_to: string | null;
    }>(
      `select a.id, a.student_id, a.class_id, a.cause, a.status, a.opened_at, a.touched_at, a.closed_at, a.escalated_to,
              (select s.by_staff from case_steps s where s.alert_id = a.id order by s.at desc, s.id desc limit 1) as by
         from alerts a where a.school_id = $1
          -- The 控辍保学 ledger: students who stopped coming (or whose transfer nobody received), and any case on the
          -- 劝返 path. A case opened for something else (a family event, a psychologist's) is not the principal's to read.
          and (a.cause in ('absence_streak', 'transfer_unconfirmed') or a.status in (select distinct to_status from case_procedure where step not in ('acknowledge', 'contact', 'intervene', 'resolve', 'reopen')))
        order by a.closed_at is not null, a.opened_at`,
      [a.school_id],
    );
    // Each case's steps, when and by whom (never their notes): the ledger's record of what was done.
    const { rows: steps } = await db.query<{ alert_id: string; step: string; at: Date; by_staff: string }>(
      'select s.alert_id, s.step, s.at, s.by_staff from case_steps s join alerts a on a.id = s.alert_id where a.school_id = $1 order by s.at, s.id',
      [a.school_id],
    );
    const procedure = await loadProcedure(db);
    const stepsOf = (id: string) =>
      steps
        .filter((s) => String(s.alert_id) === String(id))
        .map((s) => `${beijingTime(new Date(s.at)).slice(0, 10)} ${esc(procedure.stepText(s.step) ?? s.step)}（${esc(s.by_staff)}）`);
    await audit(db, a, 'view_school', null);
    return html(
      reply,
      shell(
        a,
        `本校控辍保学情况（${esc(a.school_id)}）`,
        `<p class="help">月报数据截至 ${esc(report.as_of ?? '（尚未生成月报：ews report）')}；个案为当前状态。</p>${figuresTable(report.rows)}
<h2>个案</h2><p>未结 ${cases.open} 个，其中超过期限未跟进 ${cases.overdue} 个，已报乡镇 ${cases.escalated} 个；超期升级到本校待督办 ${ledger.filter((r) => r.escalated_to === 'school').length} 个（见台账“督办”）。</p>
<h2>控辍保学台账</h2>${cardTable(
          ['个案', '学生编号', '班级', '原因', '状态', '建立', '最近跟进', '经办人', '督办', '销号', '步骤'],
          ledger.map((r) => [
            `#${r.id}`,
            esc(r.student_id),
            esc(r.class_id),
            esc(CAUSE_TEXT[r.cause] ?? r.cause),
            esc(CASE_STATUS_TEXT[r.status] ?? r.status),
            beijingTime(new Date(r.opened_at)).slice(0, 10),
            beijingTime(new Date(r.touched_at)).slice(0, 10),
            esc(r.by ?? ''),
            r.escalated_to && !r.closed_at
              ? `<span class="urgent">超期，已升级到${esc({ school: '学校', township: '乡镇', county: '县' }[r.escalated_to] ?? r.escalated_to)}</span>`
              : '',
            r.closed_at ? `${beijingTime(new Date(r.closed_at)).slice(0, 10)}${r.status === 'returned' ? '（复学销号）' : ''}` : '',
            stepsOf(r.id).length ? `<details><summary>${stepsOf(r.id).length} 步</summary>${stepsOf(r.id).join('<br>')}</details>` : '',
          ]),
        )}`,
      ),
    );
  });

  app.get('/area', { onRequest: need('township', 'bureau') }, async (req, reply) => {
    const a = req.account!;
    const report = await reportRows(o, a);
    const scoped = a.role === 'township' || (a.role === 'bureau' && Boolean(a.area) && report.rows.some((r) => r.county));
    const schools = scoped ? report.rows.filter((r) => r.level === 'school').map((r) => r.school_id) : null;
    const cases = await caseFigures(o, schools);
    // A student reaches this level only through a case escalated to it: reported to the township (报乡镇) by the
    // school, or sent up by the escalation rules (a 限期复学通知 lapsed; a township's case left past its deadline).
    const { rows: escalated } = await db.query<{ id: string; student_id: string; school_id: string; status: string; since: Date }>(
      `select id, student_id, school_id, status, coalesce(escalated_at, touched_at) as since from alerts
        where closed_at is null and ($1::text[] is null or school_id = any($1::text[]))
          and (escalated_to = $2 or ($2 = 'township' and status = 'escalated') or ($2 = 'county' and status = 'escalated_county'))
        order by since`,
      [schools, a.role === 'bureau' ? 'county' : 'township'],
    );
    await audit(db, a, 'view_area', null, { area: a.area ?? null });
    return html(
      reply,
      shell(
        a,
        a.role === 'township'
          ? a.area
            ? `辖区控辍保学情况（${esc(a.area)}）`
            : '辖区控辍保学情况（账号未设置所属乡镇，请管理员设置）'
          : a.area
            ? `全县控辍保学情况（${esc(a.area)}）`
            : '全县控辍保学情况',
        `<p class="help">月报数据截至 ${esc(report.as_of ?? '（尚未生成月报：ews report）')}。</p>${figuresTable(report.rows)}
<h2>各校个案</h2>${cardTable(
          ['学校', '未结个案', '超期未跟进', '已报乡镇'],
          cases.map((c) => [esc(c.school_id), String(c.open), c.overdue ? `<span class="urgent">${c.overdue}</span>` : '0', String(c.escalated)]),
        )}
<h2>${a.role === 'township' ? '报乡镇或超期升级到乡镇的个案' : '超期升级到县教育局的个案'}</h2>${
          escalated.length
            ? cardTable(
                ['个案', '学生编号', '学校', '报送以来'],
                escalated.map((r) => [`#${r.id}`, esc(r.student_id), esc(r.school_id), beijingTime(new Date(r.since)).slice(0, 10)]),
              )
            : '<p class="muted">没有。</p>'
        }`,
      ),
    );
  });

  app.get('/aid', { onRequest: need('aid_office') }, async (req, reply) => {
    const a = req.account!;
    const scores = await latestScores(db, a.school_id);
    const asOf = scores[0]?.as_of ?? '';
    const checks = await latestAidChecks(db, a.school_id);
    const hidden = scores.map((s) => ({ s, signals: hardshipSignals(s.details, asOf) })).filter((x) => x.signals.length > 0);
    const gaps = scores.map((s) => ({ s, gaps: entitlementGaps(s.details, asOf) })).filter((x) => x.gaps.length > 0);
    const names = await namesOf(db, [...hidden.map((x) => x.s.student_id), ...gaps.map((x) => x.s.student_id)]);
    const csrf = reply.generateCsrf();
    const form = (id: string) =>
      `<form class="row" method="post" action="/aid/checks"><input type="hidden" name="_csrf" value="${esc(csrf)}"><input type="hidden" name="student_id" value="${esc(id)}">
<label>核查结果<select name="outcome"><option value="confirmed">属实，拟申请资助</option><option value="not_confirmed">不属实</option></select></label><label>说明<input name="reason" maxlength="200"></label><button>记录</button></form>`;
    const checked = (id: string) => {
      const c = checks.get(id);
      return c
        ? `${c.outcome === 'confirmed' ? '属实，拟申请资助' : `不属实${c.reason ? `：${esc(c.reason)}` : ''}`}（${esc(c.by_staff)}，${beijingTime(new Date(c.at)).slice(0, 10)}）`
        : '未核查';
    };
    await audit(db, a, 'view_aid_list', null);
    return html(
      reply,
      shell(
        a,
        `资助核查（截至 ${esc(asOf || '暂无')}）`,
        `<p class="note">本页仅资助老师可见，不公示、不推送。请悄悄核实，不要让学生在同学面前说明家庭情况。</p>
<h2>疑似隐形困难，待核实</h2>${cardTable(
          ['学生', '班级', '信号', '核查'],
          hidden.map(({ s, signals }) => [
            `${names.get(s.student_id) ? `<b>${esc(names.get(s.student_id))}</b> ` : ''}${esc(s.student_id)}`,
            esc(s.class_id),
            esc(signals.map((x) => x.zh).join('；')),
            `${checked(s.student_id)}${form(s.student_id)}`,
          ]),
        )}
<h2>应助尽助：应享未享</h2>${
          gaps.length
            ? cardTable(
                ['学生', '班级', '应享受', '依据'],
                gaps.map(({ s, gaps: g }) => [
                  `${names.get(s.student_id) ? `<b>${esc(names.get(s.student_id))}</b> ` : ''}${esc(s.student_id)}`,
                  esc(s.class_id),
                  esc(g.map((x) => PROGRAM_TEXT[x.program as keyof typeof PROGRAM_TEXT]?.zh ?? x.program).join('、')),
                  esc(g.map((x) => x.why).join('；')),
                ]),
              )
            : '<p class="muted">没有发现应享未享的学生。</p>'
        }`,
      ),
    );
  });

  app.post<{ Body: { student_id?: string; outcome?: 'confirmed' | 'not_confirmed'; reason?: string } }>(
    '/aid/checks',
    {
      onRequest: need('aid_office'),
      preValidation: app.csrfProtection,
      schema: {
        body: {
          type: 'object',
          properties: {
            student_id: { type: 'string', maxLength: 128 },
            outcome: { type: 'string', enum: ['confirmed', 'not_confirmed'] },
            reason: { type: 'string', maxLength: 200 },
          },
          required: ['student_id', 'outcome'],
        },
      },
    },
    async (req, reply) => {
      const a = req.account!;
      const id = req.body.student_id!;
      const { rows } = await db.query('select 1 from scores s join runs r on r.run_key = s.run_key where s.student_id = $1 and s.school_id = $2 limit 1', [
        id,
        a.school_id,
      ]);
      if (!PLAIN_ID.test(id) || rows.length === 0) return html(reply, messagePage(a, '无权访问', '这名学生不在本校。'), 403);
      await recordAidCheck(db, {
        student_id: id,
        school_id: a.school_id,
        outcome: req.body.outcome!,
        reason: req.body.reason?.trim() || null,
        by_staff: a.staff_id,
      });
      await audit(db, a, 'aid_check', id, { outcome: req.body.outcome });
      return reply.redirect('/aid');
    },
  );
};
