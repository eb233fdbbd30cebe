import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/store/index.js';
import { buildApp } from '../../src/web/index.js';
import { freshDb } from '../helpers/databases.js';
import { PASSWORD, seedWeb } from '../helpers/web-fixture.js';

/** Debian's Chromium (`.ci/run` installs it); `CHROMIUM` overrides the path. */
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

describe('a head teacher in a real browser', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  let app: FastifyInstance;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    ({ db, cleanup } = await freshDb('pglite'));
    await seedWeb(db);
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

  it('signs in, opens the list, records a home visit, and cannot open another class', async () => {
    const page = await browser.newPage();
    await page.goto(`${base}/`);
    expect(page.url()).toBe(`${base}/login`);
    await page.fill('input[name=staff_id]', 't1');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/classes`);
    expect(await page.textContent('h1')).toContain('本班学生关注名单');
    expect(await page.locator('table').textContent()).not.toContain('sB1');

    await page.click('a[href="/students/sA1"]');
    await page.waitForURL(`${base}/students/sA1`);
    // Reasons are kept as codes and values: the page renders their words, and only those a head teacher may read.
    expect(await page.textContent('body')).toContain('近4周无故缺勤5天');
    expect(await page.textContent('body')).not.toContain('心理筛查');
    await page.selectOption('select[name=step]', 'acknowledge');
    await page.click('form[action^="/alerts/"] button');
    await page.waitForURL(`${base}/students/sA1`);
    await page.selectOption('select[name=step]', 'contact');
    await page.selectOption('select[name=kind]', 'home_visit');
    await page.fill('input[name=note]', '与奶奶面谈，下周一返校');
    await page.click('form[action^="/alerts/"] button');
    await page.waitForURL(`${base}/students/sA1`);
    expect(await page.textContent('section')).toContain('联系（家访）');
    const { rows } = await db.query<{ status: string }>(`select status from alerts where student_id = 'sA1'`);
    expect(rows[0].status).toBe('contacted');

    const other = await page.goto(`${base}/students/sB1`);
    expect(other?.status()).toBe(403);
    expect(await page.textContent('h1')).toBe('无权访问');
    await page.close();
  });

  it("opens a pushed link to a student after signing in, on that student's page", async () => {
    const context = await browser.newContext(); // a fresh browser: not signed in
    const page = await context.newPage();
    await page.goto(`${base}/students/sA1`);
    expect(page.url()).toBe(`${base}/login?next=%2Fstudents%2FsA1`);
    await page.fill('input[name=staff_id]', 't1');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(`${base}/students/sA1`);
    expect(await page.textContent('body')).toContain('近4周无故缺勤5天');
    await context.close();
  });
});
