import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDay } from '../../src/dates/index.js';
import { acuteCheck } from '../../src/pipeline/index.js';
import type { Db } from '../../src/store/index.js';
import { freshDb } from '../helpers/databases.js';
import { join } from 'node:path';
import { pullFolder } from '../../src/sources/index.js';
import { BASE_FILES, FAR_TODAY, makeFolder, tempDir, writeFolder } from '../helpers/folder.js';

describe('the same-day check', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let folder: Awaited<ReturnType<typeof makeFolder>>;
  const received: unknown[] = [];
  const server = createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    received.push(JSON.parse(body));
    res.writeHead(200).end();
  });

  beforeAll(async () => {
    ({ db, cleanup } = await freshDb('postgres'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const days = ['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05'];
    folder = await makeFolder({
      'students.csv': 'student_id,school_id,class_id,grade_level,head_teacher_id\nA1,S1,7-1,7,t1\nB2,S1,7-1,7,t1\nC3,S1,7-2,7,t2\n',
      'attendance.csv':
        'student_id,date,status\n' + days.map((d, i) => `A1,${d},${i === 0 ? 'present' : 'absent_unexcused'}\nC3,${d},present`).join('\n') + '\n',
      'family_events.csv': 'student_id,date,event,severity,note\nB2,2026-03-05,parent_death,3,私密备注\n',
      'staff.csv': `staff_id,school_id,role,class_ids,display_name,webhook_url,email\nt1,S1,head_teacher,7-1,王老师,${hook},\nt2,S1,head_teacher,7-2,李老师,${hook},\n`,
    });
  });
  afterAll(async () => {
    server.close();
    await folder.cleanup();
    await cleanup();
  });

  it('should open alerts and tell the head teacher at once, with counts only', async () => {
    const r = await acuteCheck(db, { data: folder.dir, asOf: parseDay('2026-03-05') });
    expect(r).toMatchObject({ detected: 2, opened: 2, absence_streak: 1, severe_event: 1, notices_delivered: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ event: 'ews.urgent', recipient: 't1', urgent: { absence_streak: 1, severe_event: 1 } });
    expect(JSON.stringify(received[0])).not.toMatch(/A1|B2|私密备注|王老师/);
  });

  it('should not alert or notify again for what is already open', async () => {
    const r = await acuteCheck(db, { data: folder.dir, asOf: parseDay('2026-03-05') });
    expect(r).toMatchObject({ detected: 2, opened: 0, notices_delivered: 0 });
    expect(received).toHaveLength(1);
  });
});

describe('the same-day check on a kept history', () => {
  it('should treat a severe event as news on the day it was first pulled, not only on the day it is dated', async () => {
    const { db, cleanup } = await freshDb('pglite');
    const t = await tempDir();
    try {
      const history = join(t.dir, 'h');
      const week1 = await writeFolder(t.dir, 'w1', {
        ...BASE_FILES,
        'attendance.csv': 'student_id,date,status\nA1,2026-03-02,present\nB2,2026-03-02,present\n',
      });
      await pullFolder(week1, { history, seenOn: parseDay('2026-03-08'), today: FAR_TODAY });
      // A death dated 3 March, learned from civil affairs and entered on 24 March.
      const late = await writeFolder(t.dir, 'w4', {
        'family_events.csv': 'student_id,date,event,severity,source\nB2,2026-03-03,parent_death,3,civil_affairs\n',
      });
      await pullFolder(late, { history, seenOn: parseDay('2026-03-24'), today: FAR_TODAY });

      // As of the day before it was entered, nothing was known; from a plain folder it would be three weeks old news.
      expect(await acuteCheck(db, { data: history, asOf: parseDay('2026-03-23') })).toMatchObject({ severe_event: 0, opened: 0 });
      const plain = await writeFolder(t.dir, 'plain', { ...BASE_FILES, 'family_events.csv': 'student_id,date,event,severity\nB2,2026-03-03,parent_death,3\n' });
      expect(await acuteCheck(db, { data: plain, asOf: parseDay('2026-03-24') })).toMatchObject({ severe_event: 0 });
      const r = await acuteCheck(db, { data: history, asOf: parseDay('2026-03-24') });
      expect(r).toMatchObject({ severe_event: 1, opened: 1 });
      const [alert] = (await db.query<{ detail: Record<string, unknown> }>("select detail from alerts where cause = 'severe_event'")).rows;
      expect(alert.detail).toMatchObject({ event: 'parent_death', date: '2026-03-03', first_seen: '2026-03-24' });
    } finally {
      await t.cleanup();
      await cleanup();
    }
  });
});
