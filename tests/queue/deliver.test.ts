import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliver, listDeliveries, planDelivery, webhookBody, type Notice } from '../../src/alerts/index.js';
import type { Db } from '../../src/store/index.js';
import { enqueueDeliveries, startDeliveryWorker } from '../../src/queue/deliver.js';
import { freshDb } from '../helpers/databases.js';
import { clearPrefix, testPrefix } from '../helpers/redis.js';

const notice: Notice = {
  kind: 'weekly_list',
  school_id: 'S1',
  recipient: 't1',
  as_of: '2026-03-02',
  high: 2,
  medium: 3,
  link: 'https://ews.example/lists/S1/teacher-t1.html',
};

/** A real HTTP receiver on loopback that fails its first `failFirst` requests. */
async function receiver(failFirst: number) {
  const seen: { key: string; body: unknown }[] = [];
  const accepted = new Set<string>();
  let n = 0;
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const key = String(req.headers['idempotency-key']);
    seen.push({ key, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    if (n++ < failFirst) {
      res.writeHead(503).end();
      return;
    }
    accepted.add(key);
    res.writeHead(200).end('{}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen, accepted, close: () => new Promise((r) => server.close(r)) };
}

async function until(fn: () => Promise<boolean>, ms = 20_000) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('delivering lists', () => {
  let db: Db;
  let cleanup: () => Promise<void>;
  const prefix = testPrefix('deliver');
  beforeEach(async () => ({ db, cleanup } = await freshDb('postgres')));
  afterEach(() => cleanup());
  afterAll(() => clearPrefix(prefix));

  it('should carry counts and a link, never a student, in every format', () => {
    for (const format of ['json', 'wecom', 'dingtalk'] as const) {
      const text = JSON.stringify(webhookBody(notice, format));
      expect(text).toContain('https://ews.example/lists/S1/teacher-t1.html');
      expect(text).not.toMatch(/s[0-9a-f]{8}|reason/);
    }
    expect(webhookBody(notice, 'wecom')).toMatchObject({ msgtype: 'markdown', markdown: { content: expect.stringContaining('重点关注 2 人') } });
    const drift = webhookBody({ ...notice, kind: 'drift', recipient: 'a1', drift: ['feature att_late_rate_4w PSI 0.367'] }, 'dingtalk');
    expect(drift).toMatchObject({
      msgtype: 'markdown',
      markdown: { title: expect.stringContaining('漂移'), text: expect.stringContaining('att_late_rate_4w PSI 0.367') },
    });
  });

  describe('when the receiver is down for a while', () => {
    let hook: Awaited<ReturnType<typeof receiver>>;
    beforeAll(async () => (hook = await receiver(2)));
    afterAll(() => hook.close());

    it('should retry and deliver once it is back, exactly once as the receiver sees it', async () => {
      const d = await planDelivery(db, 'webhook', 't1', hook.url, notice);
      const again = await planDelivery(db, 'webhook', 't1', hook.url, notice);
      expect(again.idempotency_key).toBe(d.idempotency_key);
      const w = startDeliveryWorker(db, { prefix });
      try {
        await enqueueDeliveries([d.idempotency_key, again.idempotency_key], { prefix, backoffMs: 100 });
        await until(async () => (await listDeliveries(db, 'delivered')).length === 1);
      } finally {
        await w.close();
      }
      expect(hook.seen.map((s) => s.key)).toEqual([d.idempotency_key, d.idempotency_key, d.idempotency_key]);
      expect([...hook.accepted]).toEqual([d.idempotency_key]);
      const [row] = await listDeliveries(db);
      expect(row).toMatchObject({ status: 'delivered', attempts: 3 });
      // A job run again after a crash finds it delivered and sends nothing.
      expect(await deliver(db, d.idempotency_key)).toBe('already');
      expect(hook.seen).toHaveLength(3);
    });
  });

  describe('when the receiver never comes back', () => {
    let hook: Awaited<ReturnType<typeof receiver>>;
    beforeAll(async () => (hook = await receiver(1000)));
    afterAll(() => hook.close());

    it('should mark the delivery dead for operators once its tries are spent', async () => {
      const d = await planDelivery(db, 'webhook', 't1', hook.url, { ...notice, as_of: '2026-03-09' });
      const w = startDeliveryWorker(db, { prefix });
      try {
        await enqueueDeliveries([d.idempotency_key], { prefix, attempts: 3, backoffMs: 50 });
        await until(async () => (await listDeliveries(db, 'dead')).length === 1);
      } finally {
        await w.close();
      }
      const [dead] = await listDeliveries(db, 'dead');
      expect(dead).toMatchObject({ attempts: 3, last_error: 'webhook answered 503' });
    });
  });

  describe('by e-mail', () => {
    let smtp: SMTPServer;
    let url: string;
    const mails: string[] = [];
    beforeAll(async () => {
      smtp = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        onData(stream, _s, cb) {
          let text = '';
          stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
          stream.on('end', () => {
            mails.push(text);
            cb();
          });
        },
      });
      await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
      url = `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((r) => smtp.close(r)));

    it('should send through a real SMTP server with the key in the Message-ID', async () => {
      const d = await planDelivery(db, 'email', 't1', 't1@school.example', notice);
      expect(await deliver(db, d.idempotency_key, { smtpUrl: url })).toBe('delivered');
      expect(await deliver(db, d.idempotency_key, { smtpUrl: url })).toBe('already');
      expect(mails).toHaveLength(1);
      expect(mails[0]).toContain(`Message-ID: <${d.idempotency_key}@ews>`);
      const body = Buffer.from(mails[0].split('\r\n\r\n').slice(1).join('').replace(/\s+/g, ''), 'base64').toString('utf8');
      expect(body).toContain('https://ews.example/lists/S1/teacher-t1.html');
      expect(body).toContain('重点关注 2 人');
    });
  });
});
