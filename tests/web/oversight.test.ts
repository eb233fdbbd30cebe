import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAlert, recordRun } from '../../src/followup/index.js';
import { recordReport, type ReportRow } from '../../src/report/index.js';
import type { Db } from '../../src/store/index.js';
import { buildApp, importStaff, setPassword } from '../../src/web/index.js';
import { ENGINES, freshDb } from '../helpers/databases.js';
import { scoredStudent } from '../helpers/scored.js';
import { cookiesOf, PASSWORD, seedWeb } from '../helpers/web-fixture.js';

const report = (level: ReportRow['level'], school: string, township: string, enrolled: number): ReportRow => ({
  level,
  school_id: school,
  school_name: '',
  township,
  enrolled,
  enrolled_month_start: enrolled,
  enrolled_year_start: enrolled + 1,
  dropped_month: 1,
  dropped_year: 1,
  transferred_month: 0,
  returned_month: 0,
  transfers_unconfirmed: 0,
  transfers_overdue: 0,
  suspected: 0,
  open_cases: 1,
  overdue_cases: 0,
  retention: enrolled / (enrolled + 1),
});

describe.each(ENGINES.filter((e) => e !== 'pglite-thread'))('up the 控辍保学 chain on %s', (engine) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  let alerts: Record<string, number>;
  let address = 30;

  const signIn = async (staff: string) => {
    const res = await app.inject({ method: 'POST', url: '/login', payload: { staff_id: staff, password: PASSWORD }, remoteAddress: `10.2.0.${address++}` });
    expect(res.statusCode, staff).toBe(302);
    return cookiesOf(res).ews_session;
  };
  const get = async (staff: string, url: string) => app.inject({ method: 'GET', url, cookies: { ews_session: await signIn(staff) } });

  beforeAll(async () => {
    ({ db, cleanup } = await freshDb(engine));
    alerts = await seedWeb(db);
    // A third school whose one student's certified difficulty entitles them to a grant they do not get.
    await recordRun(db, { run_key: 'k3', as_of: '2026-03-02', model_id: 'm', summary: {} }, [
      {
        ...scoredStudent({ student_id: 'sX1', school_id: 'S3', class_id: '11-1', tier: 'low', risk: 0.01, grade_level: 11 }),
        records: { aid: [{ program: 'minimum_living', status: 'granted', from: '2025-09-01' }] },
      },
      // A boarder of grade 8 with a certified difficulty and no boarding allowance; a day pupil like them is owed nothing.
      {
        ...scoredStudent({ student_id: 'sX2', school_id: 'S3', class_id: '8-1', tier: 'low', risk: 0.01, grade_level: 8 }),
        boarding: true,
        records: { aid: [{ program: 'difficulty_certified', status: 'granted', from: '2025-09-01' }] },
      },
      {
        ...scoredStudent({ student_id: 'sX3', school_id: 'S3', class_id: '8-1', tier: 'low', risk: 0.01, grade_level: 8 }),
        records: { aid: [{ program: 'difficulty_certified', status: 'granted', from: '2025-09-01' }] },
      },
    ]);
    await importStaff(db, [
      { staff_id: 'pr1', school_id: 'S1', role: 'principal', class_ids: [] },
      { staff_id: 'ad1', school_id: 'S1', role: 'aid_office', class_ids: [] },
      { staff_id: 'ad3', school_id: 'S3', role: 'aid_office', class_ids: [] },
      { staff_id: 'tw1', school_id: '', role: 'township', class_ids: [], area: '镇一' },
      { staff_id: 'bu1', school_id: '', role: 'bureau', class_ids: [], area: '某县' },
      { staff_id: 'tw0', school_id: '', role: 'township', class_ids: [] }, // no area set
    ]);
    for (const id of ['pr1', 'ad1', 'ad3', 'tw1', 'bu1', 'tw0']) await setPassword(db, id, PASSWORD);
    // A family-event case gone past its deadline to the school: the principal is told it lapsed, not what it is about.
    const family = await openAlert(db, { student_id: 'sA2', school_id: 'S1', class_id: '7-1', cause: 'severe_event', as_of: '2026-03-02', risk: 0.1 });
    await db.query(`update alerts set escalated_to = 'school' where id = $1`, [family.alert.id]);
    await recordReport(db, '2026-03-01', [
      report('school', 'S1', '镇一', 120),
      report('township', '', '镇一', 120),
      report('school', 'S2', '镇二', 80),
      report('township', '', '镇二', 80),
      report('total', '', '', 200),
    ]);
    // sA1's case was reported to the township (报乡镇) three weeks ago and the rules sent it on to the county; sB1's last week.
    await db.query(`update alerts set status = 'escalated', touched_at = now() - interval '21 days', escalated_to = 'county' where id = $1`, [alerts.sA1]);
    await db.query(`update alerts set status = 'escalated', touched_at = now() - interval '7 days' where id = $1`, [alerts.sB1]);
    app = await buildApp({ db });
  });
  afterAll(async () => {
    await app.close();
    await cleanup();
  });

  it("should show a principal their school's figures and 台账, and no other school's, and no student's page", async () => {
    const page = (await get('pr1', '/school')).body;
    expect(page).toContain('120'); // S1's roll, from the report as `ews report` kept it
    expect(page).not.toContain('80');
    expect(page).toContain('sA1'); // on the ledger: a case that went up the 劝返 path
    expect(page).toContain('已报乡镇');
    // Each step of a case on the ledger, when and by whom, never its note.
    await db.query(
      `insert into case_steps (alert_id, step, from_status, to_status, by_staff, at, note) values ($1, 'persuade_visit', 'acknowledged', 'home_visit', 't1', now(), '家访私密记录')`,
      [alerts.sA1],
    );
    const withSteps = (await get('pr1', '/school')).body;
    expect(withSteps).toMatch(/入户劝返（t1）/);
    expect(withSteps).not.toContain('家访私密记录');
    expect(page).not.toMatch(/近4周无故缺勤|王小明|10012345678/); // ids and statuses, no reasons, names or phones
    expect(page).not.toContain('sA2'); // a family-event case is not on the 控辍保学 ledger
    expect(page).not.toContain('重大家庭变故');
    for (const url of ['/students/sA1', '/classes', '/triage', '/area', '/aid']) expect((await get('pr1', url)).statusCode, url).toBe(403);
    expect((await get('pr1', '/')).headers.location).toBe('/school');
  });

  it("should show a township its schools' figures and the cases reported to it, and the bureau only those left there", async () => {
    const town = (await get('tw1', '/area')).body;
    expect(town).toContain('S1');
    expect(town).not.toContain('S2'); // 镇二's school
    expect(town).toContain('sA1');
    expect(town).toContain('sB1');
    const county = (await get('bu1', '/area')).body;
    expect(county).toContain('S2'); // the whole county's figures
    expect(county).toContain('200');
    expect(county).toContain('sA1'); // sent up to the county by the rules
    expect(county).not.toContain('sB1');
    for (const url of ['/students/sA1', '/school', '/classes']) expect((await get('bu1', url)).statusCode, url).toBe(403);
    const unset = (await get('tw0', '/area')).body; // a township account nobody gave an area sees nothing, not everything
    expect(unset).toContain('账号未设置所属乡镇');
    expect(unset).not.toMatch(/sA1|sB1|>120</);
  });

  it('should give the aid office the students to verify quietly, record what it found, and the 应助尽助 gaps', async () => {
    const cookie = await signIn('ad1');
    const page = await app.inject({ method: 'GET', url: '/aid', cookies: { ews_session: cookie } });
    expect(page.body).toContain('王小明'); // sA1: canteen far below, aid stopped, a parent seriously ill
    expect(page.body).toMatch(/食堂消费低于同校寄宿生 2\.1 个标准差/);
    expect(page.body).toContain('近8周资助停止（国家助学金）');
    expect(page.body).toContain('近90天家庭变故（父母重病）');
    expect(page.body).not.toContain('sC1'); // another school
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
    const post = (payload: Record<string, string>) =>
      app.inject({
        method: 'POST',
        url: '/aid/checks',
        headers: { cookie: `ews_session=${cookie}; _csrf=${cookiesOf(page)._csrf}` },
        payload: { ...payload, _csrf: token },
      });
    expect((await post({ student_id: 'sA1', outcome: 'confirmed' })).statusCode).toBe(302);
    expect((await post({ student_id: 'sC1', outcome: 'confirmed' })).statusCode).toBe(403); // not this school's
    expect((await app.inject({ method: 'GET', url: '/aid', cookies: { ews_session: cookie } })).body).toContain('属实，拟申请资助（ad1');
    const gaps = (await get('ad3', '/aid')).body;
    expect(gaps).toMatch(/sX1[\s\S]*国家助学金、学费减免/);
    expect(gaps).toMatch(/sX2[\s\S]*寄宿生生活补助/);
    expect(gaps).not.toContain('sX3');
    expect((await get('ad1', '/students/sA1')).statusCode).toBe(403);
  });
});
