import { backoffMs, describeError, isPermanentSmtpError, reminderMessageId } from './reminder.rules.js';
import { bureauName, renderReminder } from './reminder-template.js';

const payload = {
  trackingId: 't1',
  enterpriseName: '淄博鑫源新材料有限公司',
  nextFollowUpAt: '2026-12-01T01:00:00.000Z',
  reasons: ['研发费用占比不足'],
  officerName: '张专员',
  officerEmail: 'zhang@kjj.test',
  contactName: '王经理',
};
const base = {
  kind: 'follow_up_due',
  payload,
  mailFrom: '博山区科技局 <kjj@boshan.test>',
  timeZone: 'Asia/Shanghai',
};

describe('reminder template', () => {
  it.each([
    ['博山区科技局 <kjj@boshan.test>', '博山区科技局'],
    ['"Peiyu" <no-reply@localhost>', 'Peiyu'],
    ['kjj@boshan.test', 'kjj@boshan.test'],
  ])('bureau name of %s is %s', (from, name) => expect(bureauName(from)).toBe(name));

  it('tells the officer whose follow-up is due, when (local time), why, and that it cannot be turned off', () => {
    const mail = renderReminder({ ...base, recipientRole: 'officer', mandatory: true });
    expect(mail.subject).toContain('淄博鑫源新材料有限公司');
    expect(mail.text).toContain('张专员（zhang@kjj.test）');
    expect(mail.text).toContain('2026-12-01 09:00');
    expect(mail.text).toContain('研发费用占比不足');
    expect(mail.text).toContain('您是该企业挂号跟踪的负责人');
    expect(mail.text).toContain('不能退订');
    expect(mail.text).toContain('—— 博山区科技局');
    expect(mail.html).toContain('<p>');
  });

  it('the enterprise copy names the officer and says how to stop it', () => {
    const mail = renderReminder({ ...base, recipientRole: 'enterprise', mandatory: false });
    expect(mail.text).toContain('王经理您好');
    expect(mail.text).toContain('博山区科技局计划于 2026-12-01 09:00');
    expect(mail.text).toContain('关闭提醒');
    expect(mail.text).not.toContain('不能退订');
  });

  it('escapes HTML', () => {
    const mail = renderReminder({
      ...base,
      payload: { ...payload, enterpriseName: '<b>&</b>' },
      recipientRole: 'officer',
      mandatory: true,
    });
    expect(mail.html).toContain('&lt;b&gt;&amp;&lt;/b&gt;');
  });

  it('refuses a kind it has no template for', () => {
    expect(() =>
      renderReminder({ ...base, kind: 'tsme_renewal', recipientRole: 'enterprise', mandatory: true }),
    ).toThrow(/No template/);
  });
});

describe('reminder rules', () => {
  it.each([
    [{ responseCode: 550 }, true],
    [{ responseCode: 554 }, true],
    [{ responseCode: 450 }, false],
    [{ responseCode: 421 }, false],
    [{ code: 'ECONNECTION' }, false],
    [{ code: 'ETIMEDOUT' }, false],
    [new Error('boom'), false],
  ])('%j permanent: %s', (err, permanent) => expect(isPermanentSmtpError(err)).toBe(permanent));

  it('describes an error in one line with its code', () => {
    expect(describeError({ code: 'ECONNECTION', message: 'connect ECONNREFUSED\n127.0.0.1:25' })).toBe(
      'ECONNECTION: connect ECONNREFUSED 127.0.0.1:25',
    );
    expect(describeError({ code: 'ETIMEDOUT', message: 'ETIMEDOUT after 10 s' })).toBe(
      'ETIMEDOUT after 10 s',
    );
    expect(describeError({ code: 'EENVELOPE', response: '550 mailbox unavailable' })).toBe(
      'EENVELOPE: 550 mailbox unavailable',
    );
  });

  it('backs off exponentially like BullMQ, and derives the Message-ID from the id', () => {
    expect([1, 2, 3, 4].map(backoffMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(reminderMessageId('abc')).toBe('<reminder-abc@peiyu>');
  });
});
