import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalateStale, escalationRules, openAlert, recordStep } from '../../src/followup/index.js';
import { parseDay } from '../../src/dates/index.js';
import { acuteCheck } from '../../src/pipeline/index.js';
import type { Db } from '../../src/store/index.js';
import { freshDb } from '../helpers/databases.js';
import { makeFolder } from '../helpers/folder.js';

const alert = (student: string, cause: 'by_hand' | 'absence_streak' = 'by_hand') => ({
  student_id: student,
  school_id: 'S1',
  class_id: '7-1',
  cause,
  as_of: '2026-03-02',
  risk: 0.2,
});
const DAY = 86_400_000;

describe('escalation up the chain, by rules a county sets', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const received: { path: string; body: Record<string, unknown> }[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    received.push({ path: req.url ?? '', body: JSON.parse(body) });
    res.writeHead(200).end();
  });
  beforeAll(async () => {
    ({ db, cleanup } = await freshDb('postgres'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    server.close();
    await cleanup();
  });

  it("should send each lapsed case to the level its status's rule names, once per lapse, and follow the table when a county changes it", async () => {
    const rules = await escalationRules(db);
    expect(rules.find((r) => r.status === 'return_notice')).toMatchObject({ deadline_days: 7, to_level: 'township' });
    const fresh = (await openAlert(db, alert('n1'))).alert;
    const noticed = (await openAlert(db, alert('r1', 'absence_streak'))).alert; // the 劝返 path is for a student who stopped coming
    for (const step of ['acknowledge', 'persuade_visit', 'return_notice'] as const) await recordStep(db, noticed.id, { step, by: 't1' });
    // Three days on: the new case is past its 2 days (to the school); the 限期复学通知 is within its week.
    let up = await escalateStale(db, new Date(Date.now() + 3 * DAY));
    expect(up.map((a) => [a.student_id, a.escalated_to])).toEqual([['n1', 'school']]);
    expect(await escalateStale(db, new Date(Date.now() + 3 * DAY))).toEqual([]); // once
    // Eight days on: the notice's week has lapsed with no return: the township's.
    up = await escalateStale(db, new Date(Date.now() + 8 * DAY));
    expect(up.map((a) => [a.student_id, a.escalated_to])).toEqual([['r1', 'township']]);
    // A step answers the escalation; lapsing again (a new notice, another week) goes up again.
    await recordStep(db, fresh.id, { step: 'acknowledge', by: 't1' });
    expect((await db.query<{ escalated_to: string | null }>('select escalated_to from alerts where id = $1', [fresh.id])).rows[0].escalated_to).toBeNull();
    // The county gives acknowledged cases 30 days instead of 7: data, not code.
    await db.query(`update escalation_rules set deadline_days = 30 where status = 'acknowledged'`);
    expect((await escalateStale(db, new Date(Date.now() + 10 * DAY))).map((a) => a.student_id)).not.toContain('n1');
    expect((await escalateStale(db, new Date(Date.now() + 31 * DAY))).map((a) => [a.student_id, a.escalated_to])).toContainEqual(['n1', 'school']);
  });

  it('should tell the principal and the township of the lapsed cases, with counts and a link, never a student', async () => {
    const hook = (who: string) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/${who}`;
    const folder = await makeFolder({
      'staff.csv': [
        'staff_id,school_id,role,class_ids,display_name,webhook_url,email,area',
        `pr1,S1,principal,,张校长,${hook('principal')},,`,
        `tw1,,township,,乡镇专干,${hook('township')},,镇一`,
        `tw2,,township,,别的乡镇,${hook('other-township')},,镇二`,
        `bu1,,bureau,,教育局,${hook('bureau')},,`,
      ].join('\n'),
      'schools.csv': 'school_id,school_name,township,county\nS1,第一中学,镇一,某县\n',
    });
    try {
      await db.query(`update alerts set touched_at = now() - interval '40 days', escalated_to = null where student_id in ('n1', 'r1')`);
      const r = await acuteCheck(db, { data: folder.dir, asOf: parseDay('2026-03-02') });
      expect(r.escalated_to).toMatchObject({ school: 1, township: 1 });
      expect(r.escalations_unreached, JSON.stringify(r)).toBe(0);
      const paths = received.map((x) => x.path).sort();
      expect(paths).toEqual(['/principal', '/township']); // not the other township, not the bureau
      const principal = received.find((x) => x.path === '/principal')!.body;
      expect(principal).toMatchObject({ event: 'ews.escalation', escalation: { cases: 1, level: 'school' } });
      expect(String(principal.link)).toMatch(/\/school$/);
      expect(JSON.stringify(received)).not.toMatch(/"(n1|r1)"/); // the students
    } finally {
      await folder.cleanup();
    }
  });

  it('should tell a level of a lapse as soon as someone is there to tell, and only once', async () => {
    const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/late-township`;
    const header = 'staff_id,school_id,role,class_ids,display_name,webhook_url,email,area';
    const schools = 'school_id,school_name,township,county\nS1,第一中学,镇一,某县\n';
    const nobody = await makeFolder({ 'staff.csv': `${header}\npr1,S1,principal,,张校长,,,\n`, 'schools.csv': schools });
    const someone = await makeFolder({ 'staff.csv': `${header}\npr1,S1,principal,,张校长,,,\ntw9,,township,,新专干,${hook},,镇一\n`, 'schools.csv': schools });
    try {
      const { alert: a } = await openAlert(db, alert('late1', 'absence_streak'));
      await db.query(`update alerts set status = 'return_notice', escalated_to = 'township', escalated_at = now() where id = $1`, [a.id]);
      const before = received.length;
      expect((await acuteCheck(db, { data: nobody.dir, asOf: parseDay('2026-03-02') })).escalations_unreached).toBeGreaterThanOrEqual(1);
      expect(received.length).toBe(before);
      await acuteCheck(db, { data: someone.dir, asOf: parseDay('2026-03-02') }); // the township's officer is added
      expect(received.slice(before).map((x) => x.path)).toEqual(['/late-township']);
      await acuteCheck(db, { data: someone.dir, asOf: parseDay('2026-03-02') });
      expect(received.slice(before).map((x) => x.path)).toEqual(['/late-township']); // told once
    } finally {
      await nobody.cleanup();
      await someone.cleanup();
    }
  });

  it('should keep a transfer open until the receiving school confirms it, then close its case', async () => {
    const outcomes = (rows: string) => `student_id,date,outcome\n${rows}`;
    const unconfirmed = await makeFolder({ 'outcomes.csv': outcomes('A1,2026-01-20,transferred\nB2,2026-02-25,transferred\n') });
    const confirmed = await makeFolder({
      'outcomes.csv': outcomes('A1,2026-01-20,transferred\nA1,2026-03-03,transfer_confirmed\nB2,2026-02-25,transferred\n'),
    });
    try {
      const first = await acuteCheck(db, { data: unconfirmed.dir, asOf: parseDay('2026-03-02') });
      expect(first.transfers_unconfirmed).toBe(1); // A1: 41 days; B2's transfer is 5 days old
      const { rows } = await db.query<{ student_id: string; status: string }>(`select student_id, status from alerts where cause = 'transfer_unconfirmed'`);
      expect(rows).toEqual([{ student_id: 'A1', status: 'new' }]);
      expect((await acuteCheck(db, { data: unconfirmed.dir, asOf: parseDay('2026-03-02') })).transfers_unconfirmed).toBe(0); // one case
      const later = await acuteCheck(db, { data: confirmed.dir, asOf: parseDay('2026-03-04') });
      expect(later.transfers_confirmed).toBe(1);
      const after = await db.query<{ status: string; closed: boolean }>(
        `select status, closed_at is not null as closed from alerts where cause = 'transfer_unconfirmed'`,
      );
      expect(after.rows).toEqual([{ status: 'resolved', closed: true }]);
    } finally {
      await unconfirmed.cleanup();
      await confirmed.cleanup();
    }
  });
});
