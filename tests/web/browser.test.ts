import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/index.js';
import { buildApp, importStaff, setPassword } from '../../src/web/index.js';
import { freshDb } from '../helpers/databases.js';
import { PASSWORD, seedWeb } from '../helpers/web-fixture.js';

/** Debian's Chromium (`.ci/run` installs it); `CHROMIUM` overrides the path. */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
/** Where each journey's screenshots go (README: "The pages"). */
const SHOTS = process.env.EWS_SCREENSHOTS ?? join(import.meta.dirname, '..', '..', '.ews', 'screenshots');

const SIZES = [
  { name: 'phone', width: 390, height: 844 },
  { name: 'desktop', width: 1280, height: 800 },
] as const;

describe.each(SIZES)('each role in a real browser, on a $name ($width px)', (size) => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;
  let alerts: Record<string, number>;

  const newPage = async () => (await browser.newContext({ viewport: { width: size.width, height: size.height }, locale: 'zh-CN' })).newPage();
  const shot = (page: Page, name: string) => page.screenshot({ path: join(SHOTS, `${size.name}-${name}.png`), fullPage: true });
  async function signIn(page: Page, staff: string, password = PASSWORD) {
    await page.fill('input[name=staff_id]', staff);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
  }
  /** What makes a page usable on a phone: nothing wider than the screen, taps of 44 px, inputs iOS does not zoom into. */
  async function usable(page: Page) {
    // Run in the page (a string: this file is compiled without the DOM's types).
    const m = (await page.evaluate(`({
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      smallTaps: [...document.querySelectorAll('button, .button, select, input:not([type=hidden]), summary')]
        .filter((e) => e.offsetParent !== null)
        .filter((e) => e.getBoundingClientRect().height < 44).length,
      smallFonts: [...document.querySelectorAll('input:not([type=hidden]), select, textarea')].filter((e) => parseFloat(getComputedStyle(e).fontSize) < 16).length,
    })`)) as { overflow: number; smallTaps: number; smallFonts: number };
    expect(m.overflow, 'wider than the screen').toBeLessThanOrEqual(0);
    expect(m.smallTaps, 'tap targets under 44 px').toBe(0);
    expect(m.smallFonts, 'inputs under 16 px').toBe(0);
  }

  beforeAll(async () => {
    await mkdir(SHOTS, { recursive: true });
    ({ db, cleanup } = await freshDb('pglite'));
    alerts = await seedWeb(db);
    // Up the chain: a principal, the aid office and a township, with the month's report as `ews report` keeps it.
    await importStaff(db, [
      { staff_id: 'pr1', school_id: 'S1', role: 'principal', class_ids: [], display_name: '张校长' },
      { staff_id: 'ad1', school_id: 'S1', role: 'aid_office', class_ids: [], display_name: '资助老师' },
      { staff_id: 'tw1', school_id: '', role: 'township', class_ids: [], area: '镇一' },
    ]);
    for (const id of ['pr1', 'ad1', 'tw1']) await setPassword(db, id, PASSWORD);
    await db.query(
      `insert into monthly_reports (as_of, position, level, school_id, township, figures) values
         ('2026-03-01', 1, 'school', 'S1', '镇一', $1), ('2026-03-01', 2, 'township', '', '镇一', $2)`,
      [
        JSON.stringify({ level: 'school', school_id: 'S1', school_name: '第一中学', township: '镇一', enrolled: 120, retention: 0.98 }),
        JSON.stringify({ level: 'township', school_id: '', school_name: '', township: '镇一', enrolled: 120, retention: 0.98 }),
      ],
    );
    await db.query(`update alerts set status = 'escalated' where id = $1`, [alerts.sB1]);
    app = await buildApp({ db });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await cleanup?.();
  });

  it('a head teacher: signs in, finds whom to call and why, records a home visit, and cannot open another class', async () => {
    const page = await newPage();
    await page.goto(`${base}/`);
    expect(page.url()).toBe(`${base}/login`);
    await usable(page);
    await signIn(page, 't1');
    await page.waitForURL(`${base}/classes`);
    expect(await page.textContent('h1')).toContain('本班学生关注名单');
    expect(await page.locator('table').textContent()).toContain('王小明');
    expect(await page.locator('table').textContent()).not.toContain('sB1');
    await usable(page);
    await shot(page, 'teacher-list');

    await page.fill('input[name=q]', '小明');
    await page.click('form[action="/classes"] button');
    await page.waitForURL(/q=/);
    expect(await page.locator('table').textContent()).toContain('sA1');

    await page.click('a[href="/students/sA1"]');
    await page.waitForURL(`${base}/students/sA1`);
    const body = await page.textContent('body');
    expect(body).toContain('近4周无故缺勤5天'); // reasons rendered from stored codes, the head teacher's only
    expect(body).not.toContain('心理筛查');
    expect(await page.getAttribute('a[href^="tel:"]', 'href')).toBe('tel:10012345678');
    expect(await page.locator('figure.chart svg').count()).toBe(3);
    await usable(page);

    await page.click('summary:has-text("确认收到")');
    await page.click('button:has-text("记录“确认收到”")');
    await page.waitForURL(`${base}/students/sA1`);
    await page.click('summary:has-text("联系")');
    await page.selectOption('input[value=contact] ~ label select[name=kind]', 'home_visit');
    await page.fill('form:has(input[value=contact]) textarea[name=note]', '与奶奶面谈，下周一返校');
    await page.click('button:has-text("记录“联系”")');
    await page.waitForURL(`${base}/students/sA1`);
    expect(await page.textContent('section.card:has(h3)')).toContain('联系（家访）');
    expect(await page.textContent('body')).toContain('与奶奶面谈，下周一返校');
    const { rows } = await db.query<{ status: string }>('select status from alerts where id = $1', [alerts.sA1]);
    expect(rows[0].status).toBe('contacted');
    await shot(page, 'teacher-student');

    const other = await page.goto(`${base}/students/sB1`);
    expect(other?.status()).toBe(403);
    expect(await page.textContent('h1')).toBe('无权访问');
    await page.context().close();
  });

  it('a psychologist: sees the urgent first, with the screening, and records counselling the head teacher cannot read', async () => {
    const page = await newPage();
    await page.goto(`${base}/triage`);
    await signIn(page, 'p1');
    await page.waitForURL(`${base}/triage`);
    const first = page.locator('table tbody tr').first();
    expect(await first.textContent()).toContain('紧急'); // sA1: a flagged screening
    await usable(page);
    await shot(page, 'psychologist-triage');
    await page.click('a[href="/students/sA1"]');
    await page.waitForURL(`${base}/students/sA1`);
    expect(await page.textContent('body')).toContain('心理筛查');
    await page.click('summary:has-text("帮扶措施")');
    await page.selectOption('form:has(input[value=intervene]) select[name=kind]', 'counselling');
    await page.fill('form:has(input[value=intervene]) textarea[name=note]', '谈及家中矛盾，约下周再谈');
    await page.click('button:has-text("记录“帮扶措施”")');
    await page.waitForURL(`${base}/students/sA1`);
    expect(await page.textContent('body')).toContain('谈及家中矛盾');
    await shot(page, 'psychologist-student');
    await page.context().close();

    const teacher = await newPage();
    await teacher.goto(`${base}/students/sA1`);
    await signIn(teacher, 't1');
    await teacher.waitForURL(`${base}/students/sA1`);
    const seen = await teacher.textContent('body');
    expect(seen).not.toContain('谈及家中矛盾');
    expect(seen).toContain('心理辅导（内容仅心理老师可见）');
    await teacher.context().close();
  });

  it('an admin: creates an account and sends a first-sign-in link, which its owner opens to choose a password', async () => {
    const page = await newPage();
    await page.goto(`${base}/admin/staff`);
    await signIn(page, 'adm');
    await page.waitForURL(`${base}/admin/staff`);
    await page.fill('form[action="/admin/staff"] input[name=staff_id]', `new-${size.name}`);
    await page.fill('form[action="/admin/staff"] input[name=display_name]', '陈老师');
    await page.fill('form[action="/admin/staff"] input[name=class_ids]', '7-1');
    await page.click('form[action="/admin/staff"] button');
    await page.waitForURL(`${base}/admin/staff`);
    await page.click(`form[action="/admin/staff/new-${size.name}/invite"] button`);
    const link = (await page.textContent('p.note code'))!;
    expect(link).toMatch(/\/welcome\?token=/);
    await usable(page);
    await shot(page, 'admin-accounts');
    await page.context().close();

    const owner = await newPage();
    await owner.goto(link);
    await owner.fill('input[name=password]', 'a-long-password');
    await owner.fill('input[name=again]', 'a-long-password');
    await usable(owner);
    await owner.click('form[action="/welcome"] button');
    await owner.waitForURL(`${base}/classes`);
    expect(await owner.textContent('nav')).toContain('陈老师');
    await owner.context().close();
  });

  it("the aid office checks a student quietly; the principal reads the school's ledger; the township sees only what was reported to it", async () => {
    const aid = await newPage();
    await aid.goto(`${base}/`);
    await signIn(aid, 'ad1');
    await aid.waitForURL(`${base}/aid`);
    expect(await aid.textContent('body')).toContain('王小明');
    await usable(aid);
    await aid.selectOption('form[action="/aid/checks"]:has(input[value=sA1]) select[name=outcome]', 'confirmed');
    await aid.click('form[action="/aid/checks"]:has(input[value=sA1]) button');
    await aid.waitForURL(`${base}/aid`);
    expect(await aid.textContent('body')).toContain('属实，拟申请资助');
    await shot(aid, 'aid-office');
    await aid.context().close();

    const principal = await newPage();
    await principal.goto(`${base}/`);
    await signIn(principal, 'pr1');
    await principal.waitForURL(`${base}/school`);
    const ledger = await principal.textContent('body');
    expect(ledger).toContain('120');
    expect(ledger).toContain('sB1'); // reported to the township: on the ledger
    expect(ledger).not.toContain('王小明'); // ids, not names
    await usable(principal);
    await shot(principal, 'principal');
    await principal.context().close();

    const township = await newPage();
    await township.goto(`${base}/`);
    await signIn(township, 'tw1');
    await township.waitForURL(`${base}/area`);
    const area = await township.textContent('body');
    expect(area).toContain('sB1');
    expect(area).not.toContain('sA1');
    await usable(township);
    await shot(township, 'township');
    expect((await township.goto(`${base}/students/sB1`))?.status()).toBe(403);
    await township.context().close();
  });

  it("opens a pushed link to a student after signing in, on that student's page", async () => {
    const page = await newPage(); // a fresh browser: not signed in
    await page.goto(`${base}/students/sA1`);
    expect(page.url()).toBe(`${base}/login?next=%2Fstudents%2FsA1`);
    await signIn(page, 't1');
    await page.waitForURL(`${base}/students/sA1`);
    expect(await page.textContent('body')).toContain('近4周无故缺勤5天');
    await page.context().close();
  });
});
