import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordRun } from '../../src/followup/index.js';
import type { Db } from '../../src/store/index.js';
import { buildApp } from '../../src/web/index.js';
import { freshDb } from '../helpers/databases.js';
import { scoredStudent } from '../helpers/scored.js';
import { cookiesOf, PASSWORD, seedWeb } from '../helpers/web-fixture.js';

describe('the pages people work in', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  let alerts: Record<string, number>;
  let address = 20;

  async function signIn(staff: string, password = PASSWORD, on = app): Promise<string> {
    const res = await on.inject({ method: 'POST', url: '/login', payload: { staff_id: staff, password }, remoteAddress: `10.1.0.${address++}` });
    expect(res.statusCode, staff).toBe(302);
    return cookiesOf(res).ews_session;
  }
  const get = async (cookie: string, url: string, on = app) => on.inject({ method: 'GET', url, cookies: { ews_session: cookie } });
  /** A page's forms, posted as the browser would: session, CSRF cookie and the page's token. */
  async function formsOn(cookie: string, url: string, on = app) {
    const page = await get(cookie, url, on);
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const headers = { cookie: `ews_session=${cookie}; _csrf=${cookiesOf(page)._csrf}` };
    return {
      page,
      post: (to: string, payload: Record<string, string> = {}, via = on) =>
        via.inject({ method: 'POST', url: to, headers, payload: { ...payload, _csrf: token } }),
    };
  }

  beforeAll(async () => {
    ({ db, cleanup } = await freshDb('pglite'));
    alerts = await seedWeb(db);
    // A week earlier: sA1 was lower, so the page has a risk history of two weeks.
    await recordRun(db, { run_key: 'k0', as_of: '2026-02-23', model_id: 'm', summary: {} }, [
      scoredStudent({ student_id: 'sA1', school_id: 'S1', class_id: '7-1', tier: 'medium', risk: 0.12 }),
      scoredStudent({ student_id: 'sA2', school_id: 'S1', class_id: '7-1', tier: 'low', risk: 0.01 }),
      // Gone by the next week's roll (dropped out): their page must still open for the 劝返 work.
      scoredStudent({ student_id: 'sA9', school_id: 'S1', class_id: '7-1', tier: 'high', risk: 0.5 }),
    ]);
    app = await buildApp({ db });
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  describe('whom to call', () => {
    it("should show the head teacher their students' names and the guardian's phone, and nobody else's", async () => {
      const t1 = await signIn('t1');
      const list = (await get(t1, '/classes')).body;
      expect(list).toContain('王小明');
      expect(list).not.toContain('赵小刚'); // another class
      const page = (await get(t1, '/students/sA1')).body;
      expect(page).toContain('<h1>王小明（sA1）</h1>');
      expect(page).toContain('<a href="tel:10012345678">10012345678</a>');
      expect(page).toContain('王大明(父亲)');
      const refused = await get(await signIn('t2'), '/students/sA1');
      expect(refused.statusCode).toBe(403);
      expect(refused.body).not.toMatch(/王小明|10012345678/);
      const analyst = (await get(await signIn('a1'), '/analyst')).body;
      expect(analyst).not.toMatch(/王小明|李小红|赵小刚|100\d{8}/);
    });

    it('should show circumstances as context apart from the reasons, never as a reason', async () => {
      const t1 = await signIn('t1');
      const page = (await get(t1, '/students/sA1')).body;
      expect(page).toContain('背景情况（仅供参考，不是列入原因）：留守儿童');
      const reasons = /<h2>原因（可以着手的）<\/h2><ul>([\s\S]*?)<\/ul>/.exec(page)![1];
      expect(reasons).toContain('近4周无故缺勤5天');
      expect(reasons).not.toContain('留守');
      expect((await get(t1, '/classes')).body).toMatch(/data-label="背景情况（仅供参考，不是列入原因）"[^>]*>留守儿童</);
    });

    it('should say what a percentage and a tier mean, from the model card or plainly when it is unknown', async () => {
      const list = (await get(await signIn('t1'), '/classes')).body;
      expect(list).toContain('“风险”和“关注等级”是什么意思');
      expect(list).toMatch(/本班风险最高的前 3 名，且风险不低于 5\.0%/);
    });
  });

  describe('what the review in a browser found', () => {
    it("should not let a head teacher infer a screening: a student urgent only by it is on the psychologist's list, not theirs", async () => {
      const teacher = (await get(await signIn('t1'), '/classes')).body;
      expect(teacher).not.toContain('sA3');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load((await get(await signIn('t1'), '/classes.xlsx')).rawPayload as unknown as ArrayBuffer);
      expect(wb.worksheets[0].getColumn(2).values).not.toContain('sA3');
      expect((await get(await signIn('p1'), '/triage')).body).toContain('sA3');
      expect((await get(await signIn('t1'), '/classes?view=all')).body).toContain('sA3'); // still findable, as any student
    });

    it('should search every student from the default list, and label reason filters by their kind', async () => {
      const t1 = await signIn('t1');
      const list = (await get(t1, '/classes')).body;
      expect(list).toContain('<input type="hidden" name="view" value="all">');
      expect(list).toMatch(/>近期无故缺勤<\/a>/);
      expect(list).not.toMatch(/>近无故缺勤</);
    });

    it('should record a step posted twice once, and answer a crafted step with a 400, not a 500', async () => {
      const { post } = await formsOn(await signIn('t2'), '/students/sB1');
      const count = async () => Number((await db.query<{ n: string }>('select count(*) as n from case_steps where alert_id = $1', [alerts.sB1])).rows[0].n);
      const before = await count();
      expect((await post(`/alerts/${alerts.sB1}/steps`, { step: 'acknowledge' })).statusCode).toBe(302);
      expect((await post(`/alerts/${alerts.sB1}/steps`, { step: 'acknowledge' })).statusCode).toBe(302); // a double tap
      expect(await count()).toBe(before + 1);
      for (const step of ['__proto__', 'toString', 'constructor']) {
        const res = await post(`/alerts/${alerts.sB1}/steps`, { step });
        expect(res.statusCode, step).toBe(400);
      }
    });

    it("should show counts under 5 as '<5' to analysts", async () => {
      const page = (await get(await signIn('a1'), '/analyst')).body;
      expect(page).toContain('&lt;5');
      expect(page).not.toMatch(/data-label="人数"[^>]*>[1-4]</);
    });
  });

  describe('the lists judged by what then happened', () => {
    it('should tell analysts to run the live evaluation until one is kept, then show it with small counts masked', async () => {
      const a1 = await signIn('a1');
      expect((await get(a1, '/analyst')).body).toContain('ews evaluate --live --record');
      const at = (listed: number, found: number, dropouts: number) => ({ listed, found, precision: found / listed, recall: found / dropouts });
      const result = {
        horizon_days: 56,
        pending: ['2026-06-01'],
        weeks: [
          {
            as_of: '2026-03-30',
            model_id: 'm',
            n: 900,
            dropouts: 12,
            model: at(20, 6, 12),
            rules: { unexcused_streak: at(20, 4, 12), school_rate: at(20, 1, 12) },
            auc: 0.84,
            ece: 0.01,
          },
          {
            as_of: '2026-04-06',
            model_id: 'm',
            n: 900,
            dropouts: 10,
            model: at(18, 3, 10),
            rules: { unexcused_streak: at(18, 3, 10), school_rate: at(18, 0, 10) },
            auc: 0.8,
            ece: 0.01,
          },
        ],
        overall: { n: 1800, dropouts: 22, model: at(38, 9, 22), rules: { unexcused_streak: at(38, 7, 22), school_rate: at(38, 1, 22) }, auc: 0.82, ece: 0.01 },
        lead_time: {
          model: { leavers: 8, listed_before: 5, share_listed_before: 0.625, median_weeks: 3 },
          unexcused_streak: { leavers: 8, listed_before: 4, share_listed_before: 0.5, median_weeks: 1.5 },
        },
        by_school: [{ school_id: 'S1', n: 1800, dropouts: 3, model: at(38, 2, 3), unexcused_streak: at(38, 1, 3) }],
        fairness: { passes: true, groups: [] },
      };
      await db.query('insert into live_evaluations (horizon_days, known_through, result) values ($1, $2, $3)', [56, '2026-07-03', JSON.stringify(result)]);
      const page = (await get(a1, '/analyst')).body;
      expect(page).toContain('名单实际效果');
      expect(page).toContain('2026-07-03');
      expect(page).toContain('40.9%'); // the model found 9 of 22
      expect(page).toContain('31.8%'); // the rule 7 of 22
      expect(page).toContain('62.5%'); // listed before leaving
      expect(page).toContain('<svg'); // the weekly chart, drawn on the server
      // Three dropouts at a school could name them: masked.
      expect(page).toMatch(/data-label="辍学（人次）"[^>]*>&lt;5</);
      // Teachers do not get the page at all.
      expect((await get(await signIn('t1'), '/analyst')).statusCode).toBe(403);
    });

    it("should chart each step's effect on dropout with its interval, and say where there are too few to judge", async () => {
      const a1 = await signIn('a1');
      expect((await get(a1, '/analyst')).body).toContain('ews effects --record');
      const effect = (effect: number, lo: number, hi: number) => ({
        outcome: 'dropout',
        n: 400,
        treated_mean: 0.02,
        control_mean: 0.02 - effect,
        effect,
        ci: [lo, hi],
        found: lo > 0 || hi < 0,
      });
      const result = {
        as_of: '2026-06-28',
        follow_weeks: 8,
        method: 'risk-set matching',
        estimates: [
          {
            kind: 'tutoring',
            treated: 500,
            pending: 0,
            mixed: 0,
            pairs: 400,
            too_few: false,
            statement: '',
            outcomes: [effect(-0.037, -0.055, -0.02)],
            naive_dropout_effect: 0.01,
            balance: [],
            max_abs_smd_after: 0.1,
          },
          {
            kind: 'parents_called',
            treated: 450,
            pending: 0,
            mixed: 0,
            pairs: 380,
            too_few: false,
            statement: '',
            outcomes: [effect(-0.002, -0.03, 0.026)],
            naive_dropout_effect: 0.05,
            balance: [],
            max_abs_smd_after: 0.1,
          },
          {
            kind: 'counselling',
            treated: 6,
            pending: 0,
            mixed: 0,
            pairs: 3,
            too_few: true,
            statement: '',
            outcomes: [],
            naive_dropout_effect: null,
            balance: [],
            max_abs_smd_after: null,
          },
        ],
      };
      await db.query('insert into effect_estimates (as_of, result) values ($1, $2)', ['2026-06-28', JSON.stringify(result)]);
      const page = (await get(a1, '/analyst')).body;
      expect(page).toContain('帮扶效果');
      expect(page).toMatch(/学业辅导[\s\S]*-3\.7[\s\S]*辍学减少/);
      expect(page).toMatch(/联系家长[\s\S]*未显示效果/);
      expect(page).toMatch(/心理辅导[\s\S]*人数太少，无法判断/);
      expect(page.match(/<svg/g)!.length).toBeGreaterThanOrEqual(2);
    });
  });

  describe('lists to work from', () => {
    it('should filter by view, reason and a search by name or id, each a link that can be kept', async () => {
      const t1 = await signIn('t1');
      const all = (await get(t1, '/classes?view=all')).body;
      expect(all).toContain('李小红'); // a low-tier student is found among all
      expect((await get(t1, '/classes')).body).not.toContain('李小红'); // not on this week's list
      const searched = (await get(t1, `/classes?view=all&q=${encodeURIComponent('小红')}`)).body;
      expect(searched).toContain('sA2');
      expect(searched).not.toContain('王小明');
      expect((await get(t1, '/classes?view=all&q=sa1')).body).toContain('王小明'); // ids match whatever the case
      const high = (await get(t1, '/classes?view=high')).body;
      expect(high).toContain('sA1');
      expect(high).not.toContain('sA2');
      const open = (await get(t1, '/classes?view=open')).body;
      expect(open).toContain('sA1'); // its weekly-list case is open
      expect(open).toContain('新个案');
      const reasonCode = /href="\/classes\?reason=([^"&]+)"/.exec((await get(t1, '/classes')).body)![1];
      expect((await get(t1, `/classes?reason=${reasonCode}`)).body).toContain('sA1');
    });

    it("should keep a teacher's own named views, each a link to its filter, and delete them", async () => {
      const t1 = await signIn('t1');
      const { post } = await formsOn(t1, '/classes?view=high');
      const saved = await post('/views', { page: '/classes', query: 'view=high&q=&junk=1', name: '每周一先看' });
      expect(saved.statusCode).toBe(302);
      expect(saved.headers.location).toBe('/classes?view=high');
      const list = (await get(t1, '/classes?view=high')).body;
      expect(list).toMatch(/<a href="\/classes\?view=high" class="on" aria-current="page">每周一先看<\/a>/);
      expect((await get(await signIn('t2'), '/classes')).body).not.toContain('每周一先看'); // theirs alone
      expect((await post('/views', { page: '/triage', query: '', name: 'x' })).statusCode).toBe(400); // not their list
      const id = /action="\/views\/(\d+)\/delete"/.exec(list)![1];
      expect((await post(`/views/${id}/delete`)).statusCode).toBe(302);
      expect((await get(t1, '/classes')).body).not.toContain('每周一先看');
    });

    it('should open the page of a student who has left the roll since, from their last week on it', async () => {
      const t1 = await signIn('t1');
      const page = await get(t1, '/students/sA9');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('截至 2026-02-23');
      expect((await get(await signIn('t2'), '/students/sA9')).statusCode).toBe(403);
    });

    it('should export the view on screen to an Excel workbook with names, and audit the export', async () => {
      const t1 = await signIn('t1');
      const exports = async () => (await db.query(`select 1 from audit where actor = 't1' and action = 'export_list'`)).rows.length;
      const before = await exports();
      const res = await get(t1, '/classes.xlsx?view=all');
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toContain('spreadsheetml');
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
      const ws = wb.worksheets[0];
      expect(ws.getRow(1).getCell(1).value).toBe('姓名');
      const names = ws.getColumn(1).values.slice(2);
      expect(names.filter(Boolean).sort()).toEqual(['李小红', '王小明']);
      expect(ws.getColumn(2).values).toContain('sA3'); // a student with no name on the roll is listed by id
      expect(
        ws
          .getColumn(5)
          .values.slice(2)
          .every((v) => typeof v === 'number'),
      ).toBe(true); // risk as a number, shown as %
      expect(await exports()).toBe(before + 1);
      expect((await get(await signIn('p1'), '/classes.xlsx')).statusCode).toBe(403);
    });
  });

  describe('the 一人一档 page', () => {
    it('should chart risk week by week, absence and standing with axes, dates and values, without a script', async () => {
      const page = (await get(await signIn('t1'), '/students/sA1')).body;
      const charts = page.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
      expect(charts.length).toBe(3);
      expect(charts[0]).toContain('02-23'); // both weeks, as dates on the axis
      expect(charts[0]).toContain('03-02');
      expect(charts[0]).toContain('12%'); // the earlier week's value, labelled
      expect(charts[0]).toContain('31%');
      expect(page).not.toMatch(/<script/i);
    });

    it("should put the year's family events, aid, the weeks onto the list and the case in one timeline, newest first", async () => {
      const page = (await get(await signIn('t1'), '/students/sA1')).body;
      const items = [
        ...(/<h2>大事记<\/h2><ol class="timeline">([\s\S]*?)<\/ol>/.exec(page)?.[1] ?? '').matchAll(/<li><time>([^<]+)<\/time> <b>([^<]+)<\/b> ([^<]+)<\/li>/g),
      ].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
      const at = (text: string) => items.findIndex((i) => i.includes(text));
      expect(items).toContain('2026-02-10 家庭 父母重病（重）');
      expect(items).toContain('2025-09-01 资助 获得国家助学金');
      expect(items).toContain('2026-01-31 资助 国家助学金到期或停止');
      expect(items).toContain('2026-02-23 名单 列入“留意”，风险 12.0%');
      expect(items).toContain('2026-03-02 名单 列入“重点关注”，风险 31.0%');
      expect(at('建立个案')).toBeGreaterThanOrEqual(0);
      expect(at('列入“重点关注”')).toBeLessThan(at('父母重病')); // newest first
      expect(at('父母重病')).toBeLessThan(at('获得国家助学金'));
      expect(page).toContain('食堂消费明显低于同校寄宿生（低 2.1 个标准差）');
      expect(page).not.toContain('MHT'); // screenings are the psychologists'
      expect((await get(await signIn('p1'), '/students/sA1')).body).toContain('<b>心理筛查</b> MHT：预警');
    });

    it('should give a case back to those who may see the student when the colleague it was handed to is disabled', async () => {
      await db.query(`update alerts set assigned_to = 'gone1' where id = $1`, [alerts.sB1]);
      await db.query(`insert into staff_accounts (staff_id, school_id, role, disabled) values ('gone1', 'S1', 'head_teacher', true)`);
      expect((await get(await signIn('t2'), '/cases')).body).toContain('sB1');
      await db.query(`update alerts set assigned_to = null where id = $1`, [alerts.sB1]);
    });

    it('should hand a case to a named colleague who may see the student, and to nobody else', async () => {
      const t1 = await signIn('t1');
      const { page, post } = await formsOn(t1, '/students/sA1');
      expect(page.body).toContain('转交同事');
      expect((await post(`/alerts/${alerts.sA1}/assign`, { to: 't2' })).statusCode).toBe(400); // another class's teacher
      expect((await post(`/alerts/${alerts.sA1}/assign`, { to: 'p2' })).statusCode).toBe(400); // another school
      expect((await post(`/alerts/${alerts.sA1}/assign`, { to: 'p1' })).statusCode).toBe(302);
      const cases = (await get(await signIn('p1'), '/cases')).body;
      expect(cases).toContain('sA1');
      expect((await get(t1, '/students/sA1')).body).toContain('负责人 p1');
    });

    it('should let only psychologists record counselling', async () => {
      const { post } = await formsOn(await signIn('t1'), '/students/sA1');
      const res = await post(`/alerts/${alerts.sA1}/steps`, { step: 'acknowledge' });
      expect(res.statusCode).toBe(302);
      const counselling = await post(`/alerts/${alerts.sA1}/steps`, { step: 'intervene', kind: 'counselling' });
      expect(counselling.statusCode).toBe(403);
      expect(counselling.body).toContain('只能由心理老师记录');
    });
  });

  describe('accounts and audit', () => {
    it('should create an account, send a first-sign-in link its owner uses once, and never show the admin a password', async () => {
      const adm = await signIn('adm');
      const { post } = await formsOn(adm, '/admin/staff');
      expect(
        (await post('/admin/staff', { staff_id: 't9', display_name: '新老师', school_id: 'S1', role: 'head_teacher', class_ids: '7-1；7-2' })).statusCode,
      ).toBe(302);
      const invited = await post('/admin/staff/t9/invite');
      const link = /(http:\/\/[^<\s]+\/welcome\?token=[\w-]+)/.exec(invited.body)![1];
      expect(invited.body).not.toMatch(/\$argon2|password_hash/);
      const path = link.replace(/^http:\/\/[^/]+/, '');
      const welcome = await app.inject({ method: 'GET', url: path });
      expect(welcome.statusCode).toBe(200);
      expect(welcome.body).toContain('t9');
      const token = /name="_csrf" value="([^"]+)"/.exec(welcome.body)![1];
      const headers = { cookie: `_csrf=${cookiesOf(welcome)._csrf}` };
      const set = (password: string, again = password) =>
        app.inject({ method: 'POST', url: '/welcome', headers, payload: { token: new URL(link).searchParams.get('token')!, password, again, _csrf: token } });
      expect((await set('short')).statusCode).toBe(400);
      expect((await set('a-long-password', 'another-password')).body).toContain('两次输入的密码不一样');
      const done = await set('a-long-password');
      expect(done.statusCode).toBe(302);
      expect(cookiesOf(done).ews_session).toBeTruthy(); // signed in
      expect((await set('a-long-password')).statusCode).toBe(404); // the link is spent
      const t9 = await signIn('t9', 'a-long-password');
      expect((await get(t9, '/classes')).body).toContain('王小明');
    });

    it('should disable an account at once (its sessions end) and change its role', async () => {
      const t9 = await signIn('t9', 'a-long-password');
      const { post } = await formsOn(await signIn('adm'), '/admin/staff');
      expect((await post('/admin/staff/t9/disable')).statusCode).toBe(302);
      expect((await get(t9, '/classes')).statusCode).toBe(302); // back to sign-in
      const refused = await app.inject({ method: 'POST', url: '/login', payload: { staff_id: 't9', password: 'a-long-password' }, remoteAddress: '10.1.1.1' });
      expect(refused.statusCode).toBe(401);
      expect((await post('/admin/staff/t9/enable')).statusCode).toBe(302);
      expect((await post('/admin/staff/t9', { role: 'psychologist', class_ids: '' })).statusCode).toBe(302);
      const t9p = await signIn('t9', 'a-long-password');
      expect((await get(t9p, '/triage')).statusCode).toBe(200);
      expect((await post('/admin/staff/t9', { role: 'psychologist', class_ids: '' })).statusCode).toBe(302); // saved as it was
      expect((await get(t9p, '/triage')).statusCode).toBe(200); // not signed out by a save that changed nothing
      const typo = await post('/admin/staff/t9', { role: 'head_teacher', class_ids: '7-1；12-9 班' });
      expect(typo.statusCode).toBe(400);
      expect(typo.body).toContain('没有这些班级：12-9 班');
      const nowhere = await post('/admin/staff', { staff_id: 't10', school_id: 'sch-nope', role: 'head_teacher', class_ids: '' });
      expect(nowhere.body).toContain('最近的周报中没有学校 sch-nope');
      expect((await post('/admin/staff/adm/disable')).statusCode).toBe(400); // not oneself
      const audit = (await get(await signIn('adm'), '/admin/audit')).body;
      expect(audit).toContain('账号 t9');
    });

    it('should show admins who saw which student when, and audit sign-outs', async () => {
      const t1 = await signIn('t1');
      await get(t1, '/students/sA2');
      await app.inject({ method: 'POST', url: '/logout', cookies: { ews_session: t1 } });
      const adm = await signIn('adm');
      const audit = (await get(adm, '/admin/audit?student=sA2')).body;
      expect(audit).toContain('查看学生档案');
      expect(audit).toContain('t1');
      expect(audit).not.toContain('sA1</a>');
      const { rows } = await db.query(`select 1 from audit where actor = 't1' and action = 'sign_out'`);
      expect(rows.length).toBe(1);
      expect((await get(await signIn('t2'), '/admin/audit')).statusCode).toBe(403);
    });
  });

  it('should keep a form open across a restart: the token still posts to a new server on the same store', async () => {
    const first = await buildApp({ db });
    const t1 = await signIn('t1', PASSWORD, first);
    const { post } = await formsOn(t1, '/students/sA2', first);
    await first.close();
    const second = await buildApp({ db });
    try {
      const res = await post('/students/sA2/cases', {}, second);
      expect(res.statusCode).toBe(302);
    } finally {
      await second.close();
    }
  });
});
