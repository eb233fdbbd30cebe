import type { FastifyPluginAsync } from 'fastify';
import { EwsError } from '../../errors/index.js';
import { contactOf, loadProcedure, NOTE_MAX, openAlert, recordStep } from '../../followup/index.js';
import { audit, colleaguesFor } from '../accounts.js';
import { caseHistory, horizonOf, latestScore, maySee, riskHistory, staffNames } from '../queries.js';
import { messagePage } from '../views/shell.js';
import { mayRecordKind, studentPage } from '../views/student.js';
import { ERROR_TEXT, html, need, PLAIN_ID, stepTime, type RouteOptions } from './common.js';

const idParams = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;
const NOT_YOURS = '这名学生不在您负责的范围内。';

/** A student's 一人一档 page and what is done from it: steps, cases opened by hand, hand-offs. */
export const studentRoutes: FastifyPluginAsync<RouteOptions> = async (app, { db }) => {
  const staff = need('head_teacher', 'psychologist', 'counsellor');

  app.get<{ Params: { id: string } }>('/students/:id', { onRequest: staff, schema: { params: idParams } }, async (req, reply) => {
    const a = req.account!;
    if (!PLAIN_ID.test(req.params.id)) return html(reply, messagePage(a, ...ERROR_TEXT[404]), 404);
    const s = await latestScore(db, req.params.id);
    if (!s || !maySee(a, s)) {
      await audit(db, a, 'view_student_refused', req.params.id);
      return html(reply, messagePage(a, '无权访问', NOT_YOURS), 403);
    }
    await audit(db, a, 'view_student', s.student_id);
    const { rows: run } = await db.query<{ model_id: string }>('select model_id from runs where run_key = $1', [s.run_key]);
    const [contact, history, cases, colleagues, horizonDays, staff, procedure] = await Promise.all([
      contactOf(db, s.student_id),
      riskHistory(db, s.student_id),
      caseHistory(db, s.student_id),
      colleaguesFor(db, s),
      horizonOf(run[0]?.model_id ?? ''),
      staffNames(db),
      loadProcedure(db),
    ]);
    return html(reply, studentPage(a, { score: s, contact, history, cases, colleagues, horizonDays, staff, procedure }, reply.generateCsrf()));
  });

  /** The case behind an alert id, if this account may act on it. */
  async function caseFor(id: string) {
    if (!/^\d{1,15}$/.test(id)) return null;
    const { rows } = await db.query<{ student_id: string; school_id: string; class_id: string }>(
      'select student_id, school_id, class_id from alerts where id = $1',
      [Number(id)],
    );
    return rows[0] ?? null;
  }

  app.post<{ Params: { id: string }; Body: { step?: string; kind?: string; note?: string; done_on?: string } }>(
    '/alerts/:id/steps',
    {
      onRequest: staff,
      preValidation: app.csrfProtection,
      schema: {
        params: idParams,
        // The note's own limit is checked below, to say it in a teacher's words; this one only stops a flood.
        body: {
          type: 'object',
          properties: {
            step: { type: 'string', maxLength: 32 },
            kind: { type: 'string', maxLength: 32 },
            note: { type: 'string', maxLength: 20_000 },
            done_on: { type: 'string', maxLength: 10 },
          },
        },
      },
    },
    async (req, reply) => {
      const a = req.account!;
      const c = await caseFor(req.params.id);
      if (!c) return html(reply, messagePage(a, ...ERROR_TEXT[404]), 404);
      if (!maySee(a, c)) return html(reply, messagePage(a, '无权访问', '这个个案不在您负责的范围内。'), 403);
      const note = req.body.note?.trim() || undefined;
      if (note && note.length > NOTE_MAX)
        return html(reply, messagePage(a, '备注过长', `备注最多 ${NOTE_MAX} 字（本次 ${note.length} 字），请缩短后再记录。`), 400);
      const at = stepTime(req.body.done_on);
      if (at === null) return html(reply, messagePage(a, '日期不对', '请填写今天或之前的日期（最多回溯 60 天）。'), 400);
      const step = String(req.body.step);
      // Counselling is recorded by psychologists only; its words stay theirs.
      if (!mayRecordKind(a, req.body.kind)) return html(reply, messagePage(a, '无法记录', '这种方式只能由心理老师记录。'), 403);
      try {
        await recordStep(db, Number(req.params.id), { step, kind: req.body.kind || undefined, by: a.staff_id, note, at });
      } catch (e) {
        // A step that does not fit the case (or lacks its kind) is the user's to correct, in their words; not a 500.
        if (e instanceof EwsError && e.code === 'EWS_BAD_OPTION')
          return html(reply, messagePage(a, '无法记录', '这一步不适用于该个案的当前状态，或需要选择方式。请返回重新选择。'), 400);
        throw e;
      }
      await audit(db, a, 'record_step', c.student_id, { alert: Number(req.params.id), step });
      return reply.redirect(`/students/${encodeURIComponent(c.student_id)}`);
    },
  );

  // A case for any student the teacher or psychologist may see, not only those a list or an alert put forward.
  app.post<{ Params: { id: string } }>(
    '/students/:id/cases',
    { onRequest: staff, preValidation: app.csrfProtection, schema: { params: idParams } },
    async (req, reply) => {
      const a = req.account!;
      if (!PLAIN_ID.test(req.params.id)) return html(reply, messagePage(a, ...ERROR_TEXT[404]), 404);
      const s = await latestScore(db, req.params.id);
      if (!s || !maySee(a, s)) return html(reply, messagePage(a, '无权访问', NOT_YOURS), 403);
      const { alert, created } = await openAlert(db, {
        student_id: s.student_id,
        school_id: s.school_id,
        class_id: s.class_id,
        cause: 'by_hand',
        as_of: s.as_of,
        risk: s.risk,
        detail: { opened_by: a.staff_id },
      });
      await audit(db, a, 'open_case', s.student_id, { alert: alert.id, created });
      return reply.redirect(`/students/${encodeURIComponent(s.student_id)}`);
    },
  );

  // Hand a case to a named colleague who may see the student: it shows on their "my cases" page.
  app.post<{ Params: { id: string }; Body: { to?: string } }>(
    '/alerts/:id/assign',
    {
      onRequest: staff,
      preValidation: app.csrfProtection,
      schema: { params: idParams, body: { type: 'object', properties: { to: { type: 'string', maxLength: 128 } }, required: ['to'] } },
    },
    async (req, reply) => {
      const a = req.account!;
      const c = await caseFor(req.params.id);
      if (!c) return html(reply, messagePage(a, ...ERROR_TEXT[404]), 404);
      if (!maySee(a, c)) return html(reply, messagePage(a, '无权访问', '这个个案不在您负责的范围内。'), 403);
      const to = (await colleaguesFor(db, c)).find((s) => s.staff_id === req.body.to);
      if (!to) return html(reply, messagePage(a, '无法转交', '只能转交给本校有权查看该生的同事。'), 400);
      await db.query('update alerts set assigned_to = $2 where id = $1 and closed_at is null', [Number(req.params.id), to.staff_id]);
      await audit(db, a, 'assign_case', c.student_id, { alert: Number(req.params.id), to: to.staff_id });
      return reply.redirect(`/students/${encodeURIComponent(c.student_id)}`);
    },
  );
};
