import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/index.js';
import { buildApp } from '../../src/web/index.js';
import { freshDb } from '../helpers/databases.js';
import { cookiesOf, PASSWORD, seedWeb } from '../helpers/web-fixture.js';

describe('the web pages', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  let alerts: Record<string, number>;
  const sessions: Record<string, string> = {};

  async function signIn(staff: string): Promise<string> {
    if (sessions[staff]) return sessions[staff];
    const res = await app.inject({
      method: 'POST',
      url: '/login',
      payload: { staff_id: staff, password: PASSWORD },
      remoteAddress: `10.0.0.${Object.keys(sessions).length + 10}`,
    });
    expect(res.statusCode, staff).toBe(302);
    return (sessions[staff] = cookiesOf(res).ews_session);
  }
  const get = async (staff: string | null, url: string) => app.inject({ method: 'GET', url, cookies: staff ? { ews_session: await signIn(staff) } : {} });
  /** A student's page as `staff` sees it, and posting its forms as the browser would: session, CSRF cookie and token. */
  async function formsOf(staff: string, student: string) {
    const cookie = await signIn(staff);
    const page = await app.inject({ method: 'GET', url: `/students/${student}`, cookies: { ews_session: cookie } });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const headers = { cookie: `ews_session=${cookie}; _csrf=${cookiesOf(page)._csrf}` };
    const post = (url: string, payload: Record<string, string> = {}) => app.inject({ method: 'POST', url, headers, payload: { ...payload, _csrf: token } });
    return { page, post };
  }

  beforeAll(async () => {
    ({ db, cleanup } = await freshDb('pglite'));
    alerts = await seedWeb(db);
    app = await buildApp({ db, cookieSecret: 'test-secret-test-secret-test-secret', loginPerMinute: 5 });
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  describe('when nobody is signed in', () => {
    it('should send every page to the sign-in form', async () => {
      for (const url of ['/', '/classes', '/triage', '/students/sA1', '/analyst', '/admin/staff']) {
        const res = await get(null, url);
        expect(res.statusCode, url).toBe(302);
        expect(res.headers.location).toBe(url === '/' ? '/login' : `/login?next=${encodeURIComponent(url)}`);
      }
      const post = await app.inject({ method: 'POST', url: `/alerts/${alerts.sA1}/steps`, payload: { step: 'acknowledge' } });
      expect([401, 403]).toContain(post.statusCode);
    });

    it('should refuse a wrong password, and slow down a guesser', async () => {
      const tries = [];
      for (let i = 0; i < 6; i++)
        tries.push(
          (await app.inject({ method: 'POST', url: '/login', payload: { staff_id: 'ghost', password: `guess${i}guess` }, remoteAddress: '192.0.2.1' }))
            .statusCode,
        );
      expect(tries.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(tries[5]).toBe(429);
    });
  });

  it('should let a whole school sign in from one address, and stop a guesser per account whatever the address', async () => {
    const school = await buildApp({ db, cookieSecret: 'test-secret-test-secret-test-secret' }); // the default limits
    try {
      const login = (staff_id: string, password: string, remoteAddress: string) =>
        school.inject({ method: 'POST', url: '/login', payload: { staff_id, password }, remoteAddress });
      // Twelve sign-ins in a minute from one school network: none refused.
      for (let i = 0; i < 12; i++) expect((await login(['t1', 'p1', 'a1'][i % 3], PASSWORD, '198.51.100.7')).statusCode).toBe(302);
      // Five wrong passwords for t2, from two addresses: then even the right one waits, in Chinese, from a third.
      for (let i = 0; i < 5; i++) expect((await login('t2', `wrong-${i}-wrong`, i % 2 ? '203.0.113.1' : '203.0.113.2')).statusCode).toBe(401);
      const blocked = await login('t2', PASSWORD, '203.0.113.3');
      expect(blocked.statusCode).toBe(429);
      expect(blocked.body).toContain('该工号的错误尝试次数过多');
      expect((await login('t1', PASSWORD, '203.0.113.3')).statusCode).toBe(302); // others are not held up
      const { rows } = await db.query<{ action: string; n: string }>(
        `select action, count(*) as n from audit where actor = 't2' and action like 'sign_in_%' group by action order by action`,
      );
      expect(rows.map((r) => [r.action, Number(r.n)])).toEqual([
        ['sign_in_blocked', 1],
        ['sign_in_failed', 5],
      ]);
    } finally {
      await school.close();
    }
  });

  it('should bring a pushed link back to its page after sign-in, and never to another site', async () => {
    const first = await app.inject({ method: 'GET', url: '/students/sA1' });
    expect(first.statusCode).toBe(302);
    expect(first.headers.location).toBe('/login?next=%2Fstudents%2FsA1');
    const form = await app.inject({ method: 'GET', url: first.headers.location as string });
    expect(form.body).toContain('<input type="hidden" name="next" value="/students/sA1">');
    let address = 0;
    const signIn = (next: string) =>
      app.inject({ method: 'POST', url: '/login', payload: { staff_id: 't1', password: PASSWORD, next }, remoteAddress: `10.9.9.${++address}` });
    const back = await signIn('/students/sA1');
    expect(back.statusCode).toBe(302);
    expect(back.headers.location).toBe('/students/sA1');
    // The session cookie travels on a link opened from another site (a top-level GET), not on its forms.
    expect(String(back.headers['set-cookie'])).toMatch(/ews_session=[^;]+;.*SameSite=Lax/i);
    for (const evil of ['//evil.example/x', '/\\evil.example', 'https://evil.example/', 'javascript:alert(1)', '/login?next=/x']) {
      expect((await signIn(evil)).headers.location, evil).toBe('/');
    }
  });

  it('should answer odd requests with a page in Chinese, never a 500 or an English message', async () => {
    const cookie = await signIn('t1');
    for (const [url, status, title] of [
      ['/students/%00', 404, '页面不存在'],
      ['/students/' + 'x'.repeat(300), 414, '请求无效'], // longer than any id: the router refuses it
      ['/no-such-page', 404, '页面不存在'],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, cookies: { ews_session: cookie } });
      expect(res.statusCode, url).toBe(status);
      expect(res.body, url).toContain(title);
    }
    const page = await app.inject({ method: 'GET', url: '/students/sA1', cookies: { ews_session: cookie } });
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const step = await app.inject({
      method: 'POST',
      url: '/alerts/NaN/steps',
      headers: { cookie: `ews_session=${cookie}; _csrf=${cookiesOf(page)._csrf}` },
      payload: { step: 'acknowledge', _csrf: token },
    });
    expect(step.statusCode).toBe(404);
    const admin = await signIn('adm');
    const form = await app.inject({ method: 'GET', url: '/admin/staff', cookies: { ews_session: admin } });
    const adminToken = /name="_csrf" value="([^"]+)"/.exec(form.body)![1];
    const adminPost = (url: string, payload: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url,
        headers: { cookie: `ews_session=${admin}; _csrf=${cookiesOf(form)._csrf}` },
        payload: { ...payload, _csrf: adminToken },
      });
    const short = await adminPost('/admin/staff', { staff_id: 'new1', role: 'head_teacher', school_id: '' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('新建账号需要工号、学校和角色');
    const nobody = await adminPost('/admin/staff/nobody/invite', {});
    expect(nobody.statusCode).toBe(404);
    expect(nobody.body).toContain('没有找到这个工号');
    // A value the route's schema refuses (a role that does not exist, a list view that does not exist): a 400 page in Chinese.
    const badRole = await adminPost('/admin/staff', { staff_id: 'new1', role: 'headmaster', school_id: 'S1' });
    expect(badRole.statusCode).toBe(400);
    expect(badRole.body).toContain('请求无效');
    const badView = await app.inject({ method: 'GET', url: '/classes?view=everything', cookies: { ews_session: cookie } });
    expect(badView.statusCode).toBe(400);
    expect(badView.body).toContain('请求无效');
    for (const res of [badRole, badView]) expect(res.body).not.toMatch(/must be equal|querystring|body\//);
    for (const res of [short, nobody, step]) expect(res.body).not.toMatch(/needs at least|no staff account|invalid input/);
  });

  describe('when each role asks for each page', () => {
    const expected: Record<string, Record<string, number>> = {
      '/classes': { t1: 200, p1: 403, a1: 403, adm: 403 },
      '/triage': { t1: 403, p1: 200, a1: 403, adm: 403 },
      '/students/sA1': { t1: 200, t2: 403, p1: 200, p2: 403, a1: 403, adm: 403 },
      '/students/sB1': { t1: 403, t2: 200 },
      '/analyst': { t1: 403, p1: 403, a1: 200, adm: 200 },
      '/admin/staff': { t1: 403, p1: 403, a1: 403, adm: 200 },
    };
    for (const [url, byRole] of Object.entries(expected)) {
      for (const [staff, status] of Object.entries(byRole)) {
        it(`should answer ${status} to ${staff} on ${url}`, async () => {
          expect((await get(staff, url)).statusCode).toBe(status);
        });
      }
    }
  });

  describe('when a head teacher works a case', () => {
    it('should show their class list, and a student page without screening details', async () => {
      const list = await get('t1', '/classes');
      expect(list.body).toContain('sA1');
      expect(list.body).not.toContain('sB1');
      const page = await get('t1', '/students/sA1');
      expect(page.body).toContain('近4周无故缺勤5天');
      expect(page.body).not.toMatch(/心理筛查/);
      expect((await get('p1', '/students/sA1')).body).toMatch(/心理筛查/);
    });

    it('should record a home visit only with the form token', async () => {
      const cookie = await signIn('t1');
      const page = await app.inject({ method: 'GET', url: '/students/sA1', cookies: { ews_session: cookie } });
      const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
      const csrfCookie = cookiesOf(page)._csrf;
      const noToken = await app.inject({
        method: 'POST',
        url: `/alerts/${alerts.sA1}/steps`,
        headers: { cookie: `ews_session=${cookie}; _csrf=${csrfCookie}` },
        payload: { step: 'acknowledge' },
      });
      expect(noToken.statusCode).toBe(403);
      for (const payload of [{ step: 'acknowledge' }, { step: 'contact', kind: 'home_visit', note: '与奶奶面谈' }]) {
        const res = await app.inject({
          method: 'POST',
          url: `/alerts/${alerts.sA1}/steps`,
          headers: { cookie: `ews_session=${cookie}; _csrf=${csrfCookie}` },
          payload: { ...payload, _csrf: token },
        });
        expect(res.statusCode, res.body.replace(/<style>[\s\S]*<\/style>/, '').slice(-400)).toBe(302);
      }
      const { rows } = await db.query<{ status: string }>('select status from alerts where id = $1', [alerts.sA1]);
      expect(rows[0].status).toBe('contacted');
      expect((await get('t1', '/students/sA1')).body).toContain('家访');
    });

    it('should show each step in Beijing time with its note, and refuse a note too long or a step that does not fit, in Chinese', async () => {
      const forms = await formsOf('t1', 'sA1');
      const post = (payload: Record<string, string>) => forms.post(`/alerts/${alerts.sA1}/steps`, payload);
      const steps = async () => (await db.query('select * from case_steps where alert_id = $1', [alerts.sA1])).rows.length;
      const before = await steps();
      const long = await post({ step: 'intervene', kind: 'tutoring', note: '很'.repeat(501) });
      expect(long.statusCode).toBe(400);
      expect(long.body).toContain('备注最多 500 字');
      const misfit = await post({ step: 'no_such_step' });
      expect(misfit.statusCode).toBe(400);
      expect(misfit.body).toContain('这一步不适用于该个案的当前状态');
      expect(await steps()).toBe(before); // nothing half-recorded
      // The home visit recorded above: its note is on the page, its time in Beijing time (stored as an instant).
      const { rows } = await db.query<{ at: Date }>(`select at from case_steps where alert_id = $1 and note = '与奶奶面谈'`, [alerts.sA1]);
      const beijing = new Date(new Date(rows[0].at).getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
      const body = (await get('t1', '/students/sA1')).body;
      expect(body).toContain('与奶奶面谈');
      expect(body).toContain(beijing);
    });

    it('should let them open a case by hand for a student of their class not on the list, and reopen it once resolved', async () => {
      const { page, post } = await formsOf('t1', 'sA2');
      expect(page.body).toContain('为该生新建个案');
      expect((await post('/students/sA2/cases')).statusCode).toBe(302);
      const { rows } = await db.query<{ id: string; cause: string; detail: { opened_by: string } }>(
        `select id, cause, detail from alerts where student_id = 'sA2'`,
      );
      expect(rows.map((r) => [r.cause, r.detail.opened_by])).toEqual([['by_hand', 't1']]);
      for (const step of ['acknowledge', 'resolve', 'reopen']) expect((await post(`/alerts/${rows[0].id}/steps`, { step })).statusCode, step).toBe(302);
      const body = (await get('t1', '/students/sA2')).body;
      expect(body).toContain('手动新建');
      expect(body).toContain('）：已确认');
      expect(body).toContain('重新打开');
      expect((await post('/students/sB1/cases')).statusCode).toBe(403); // not for a student of another class
    });

    it('should record a step done on an earlier day on that day, offer each step its own kinds, and refuse a day to come', async () => {
      const { page, post } = await formsOf('t1', 'sA1');
      // Each step its own form with its own kinds, so 家访 is not offered as a kind of 帮扶措施.
      const formOf = (step: string) => new RegExp(`<input type="hidden" name="step" value="${step}">[\\s\\S]*?</form>`).exec(page.body)?.[0] ?? '';
      expect(formOf('contact')).toContain('value="home_visit"');
      expect(formOf('contact')).not.toContain('value="tutoring"');
      expect(formOf('intervene')).toContain('value="tutoring"');
      expect(formOf('intervene')).not.toContain('value="home_visit"');
      expect(formOf('intervene')).not.toContain('value="counselling"'); // the psychologists' own
      expect(page.body).toContain('name="done_on"');
      const step = (done_on: string, note = '') => post(`/alerts/${alerts.sA1}/steps`, { step: 'intervene', kind: 'tutoring', done_on, note });
      const day = (offset: number) => new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);
      expect((await step(day(1))).statusCode).toBe(400);
      expect((await step(day(-90))).statusCode).toBe(400);
      expect((await step(day(-2), '周末补课')).statusCode).toBe(302);
      const { rows } = await db.query<{ at: Date }>(`select at from case_steps where note = '周末补课'`);
      expect(new Date(rows[0].at).toISOString()).toBe(new Date(`${day(-2)}T12:00:00+08:00`).toISOString());
    });

    it("should keep a psychologist's counselling note from the head teacher, who sees only that it happened", async () => {
      const { post } = await formsOf('p1', 'sA1');
      const res = await post(`/alerts/${alerts.sA1}/steps`, { step: 'intervene', kind: 'counselling', note: '谈及家中矛盾，约下周再谈' });
      expect(res.statusCode).toBe(302);
      expect((await get('p1', '/students/sA1')).body).toContain('谈及家中矛盾');
      const teacher = (await get('t1', '/students/sA1')).body;
      expect(teacher).not.toContain('谈及家中矛盾');
      expect(teacher).toContain('心理辅导（内容仅心理老师可见）');
    });

    it("should not let them act on another class's case", async () => {
      const { post } = await formsOf('t1', 'sA1');
      expect((await post(`/alerts/${alerts.sB1}/steps`, { step: 'acknowledge' })).statusCode).toBe(403);
    });

    it('should write every view of a student, and every refusal, to the audit trail', async () => {
      await get('t2', '/students/sA1');
      const { rows } = await db.query<{ actor: string; action: string; student_id: string }>(
        `select actor, action, student_id from audit where student_id is not null order by id`,
      );
      expect(rows).toContainEqual({ actor: 't1', action: 'view_student', student_id: 'sA1' });
      expect(rows).toContainEqual({ actor: 't2', action: 'view_student_refused', student_id: 'sA1' });
      expect(rows).toContainEqual({ actor: 't1', action: 'record_step', student_id: 'sA1' });
    });
  });

  it('should show analysts counts only, never a student', async () => {
    const page = await get('a1', '/analyst');
    expect(page.body).toContain('S1');
    expect(page.body).not.toMatch(/sA1|sB1|sC1/);
  });

  it('should end a session when it expires', async () => {
    const cookie = await signIn('p2');
    await db.query(`update sessions set expires_at = now() - interval '1 minute'`);
    const res = await app.inject({ method: 'GET', url: '/triage', cookies: { ews_session: cookie } });
    expect(res.statusCode).toBe(302);
    for (const k of Object.keys(sessions)) delete sessions[k];
  });

  it('should send security headers with every page', async () => {
    const res = await app.inject({ method: 'GET', url: '/login' });
    expect(res.headers['content-security-policy']).toContain("default-src 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
  });
});
