import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/app-config.js';
import { MailService } from '../src/mail/mail.service.js';
import { eventually } from './support/tcp-proxy.js';
import { SmtpSink } from './support/smtp-sink.js';

describe('MailService', () => {
  it('sends over SMTP_URL with the given Message-ID, UTF-8 subject and both bodies', async () => {
    const sink = await new SmtpSink().start();
    const mail = new MailService(loadConfig({ SMTP_URL: sink.url, MAIL_FROM: '博山区科技局 <kjj@boshan.test>' }));
    try {
      const sent = await mail.send({
        to: 'contact@enterprise.test',
        subject: '高新技术企业申报材料截止提醒',
        text: '请于 2026-12-01 前提交材料。',
        html: '<p>请于 <b>2026-12-01</b> 前提交材料。</p>',
        messageId: '<reminder-42@peiyu.test>',
      });
      expect(sent.messageId).toBe('<reminder-42@peiyu.test>');
      expect(sent.response).toMatch(/^250/);
      await eventually(async () => expect(sink.received).toHaveLength(1));
      const [received] = sink.received;
      expect(received.from).toBe('kjj@boshan.test');
      expect(received.to).toEqual(['contact@enterprise.test']);
      expect(received.raw).toMatch(/^Message-ID: <reminder-42@peiyu\.test>$/im);
      expect(received.raw).toMatch(/^Subject: =\?UTF-8\?/im);
      expect(received.raw).toContain('multipart/alternative');
    } finally {
      await mail.onApplicationShutdown();
      await sink.stop();
    }
  });

  it('fails with the SMTP reason when the server refuses the recipient', async () => {
    const sink = await new SmtpSink().start();
    sink.rejectRecipients.add('nobody@enterprise.test');
    const mail = new MailService(loadConfig({ SMTP_URL: sink.url }));
    try {
      await expect(mail.send({ to: 'nobody@enterprise.test', subject: 's', text: 't' })).rejects.toMatchObject({ responseCode: 550 });
      expect(sink.received).toHaveLength(0);
    } finally {
      await mail.onApplicationShutdown();
      await sink.stop();
    }
  });

  it('opens REMINDER_SEND_CONCURRENCY connections at most, unless SMTP_URL says otherwise', async () => {
    const sink = await new SmtpSink().start(0, { closeTimeout: 100 });
    const pools = [
      new MailService(loadConfig({ SMTP_URL: sink.url, REMINDER_SEND_CONCURRENCY: '2' })),
      new MailService(loadConfig({ SMTP_URL: `${sink.url}/?maxConnections=3`, REMINDER_SEND_CONCURRENCY: '2' })),
    ];
    try {
      for (const [mail, expected] of [
        [pools[0], 2],
        [pools[1], 3],
      ] as const) {
        sink.holdAfter = sink.received.length; // the server holds every mail: each keeps its connection
        const sends = Array.from({ length: 4 }, (_, i) => mail.send({ to: `c${i}@enterprise.test`, subject: 's', text: 't' }));
        await eventually(async () => expect(sink.heldCount).toBe(expected));
        await new Promise((r) => setTimeout(r, 300)); // another connection would have reached the server by now
        expect(sink.heldCount).toBe(expected);
        sink.release();
        await Promise.all(sends);
      }
    } finally {
      for (const mail of pools) await mail.onApplicationShutdown();
      await sink.stop();
    }
  });

  it('writes .eml files under OUTBOX_DIR when SMTP_URL is unset', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'peiyu-outbox-'));
    const mail = new MailService(loadConfig({ OUTBOX_DIR: dir }));
    try {
      const sent = await mail.send({ to: 'a@enterprise.test', subject: '年报提醒', text: '请在 5 月 31 日前填报年度发展情况报表。', messageId: '<r-1@peiyu.test>' });
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      expect(files[0]).toMatch(/\.eml$/);
      expect(sent.response).toBe(join(dir, files[0]));
      const eml = await readFile(join(dir, files[0]), 'utf8');
      expect(eml).toMatch(/^To: a@enterprise\.test$/m);
      expect(eml).toMatch(/^Message-ID: <r-1@peiyu\.test>$/m);
    } finally {
      await mail.onApplicationShutdown();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
