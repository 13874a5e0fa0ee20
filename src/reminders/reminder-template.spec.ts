import { backoffMs, describeError, isPermanentSmtpError, reminderMessageId } from './reminder.rules.js';
import { REMINDER_KINDS } from './reminder.rules.js';
import { bureauName, renderReminders, reminderSubject, type ReminderContent, type RenderOptions } from './reminder-template.js';

const people = { enterpriseName: '淄博鑫源新材料有限公司', contactName: '王经理', officerName: '张专员', officerEmail: 'zhang@kjj.test' };
const followUp = {
  ...people,
  trackingId: 't1',
  nextFollowUpAt: '2026-12-01T01:00:00.000Z',
  reasons: ['研发费用占比不足'],
};
const zh: RenderOptions = { mailFrom: '博山区科技局 <kjj@boshan.test>', timeZone: 'Asia/Shanghai', language: 'zh-CN' };
const en: RenderOptions = { ...zh, language: 'en' };

/** One example payload per kind and recipient, as the planners store them. */
const EXAMPLES: ReminderContent[] = [
  { kind: 'follow_up_due', recipientRole: 'officer', mandatory: true, payload: followUp },
  { kind: 'follow_up_due', recipientRole: 'enterprise', mandatory: false, payload: followUp },
  {
    kind: 'deadline_approaching',
    recipientRole: 'enterprise',
    mandatory: true,
    payload: { ...people, applicationId: 'a1', program: 'hnte', batchName: '2026年第二批', deadlineName: 'submission', deadline: '2026-10-09', daysBefore: 3 },
  },
  {
    kind: 'certificate_expiring',
    recipientRole: 'enterprise',
    mandatory: true,
    payload: { ...people, applicationId: 'a1', certificateNo: 'GR202337000123', validUntil: '2026-12-11', daysBefore: 30 },
  },
  { kind: 'annual_report_due', recipientRole: 'enterprise', mandatory: true, payload: { ...people, year: 2027, dueBy: '2027-05-31' } },
  { kind: 'annual_report_due', recipientRole: 'officer', mandatory: true, payload: { ...people, year: 2027, dueBy: '2027-05-31' } },
  { kind: 'tsme_renewal', recipientRole: 'enterprise', mandatory: true, payload: { ...people, year: 2027, registrationNo: '2026370304A0001' } },
  {
    kind: 'contract_item_due',
    recipientRole: 'officer',
    mandatory: true,
    payload: { ...people, contractId: 'c1', contractNo: 'BS-2026-017', itemId: 'i1', description: '完成两项专利申请', dueDate: '2026-12-10', daysBefore: 7 },
  },
];

describe('reminder templates', () => {
  it.each([
    ['博山区科技局 <kjj@boshan.test>', '博山区科技局'],
    ['"Peiyu" <no-reply@localhost>', 'Peiyu'],
    ['kjj@boshan.test', 'kjj@boshan.test'],
  ])('bureau name of %s is %s', (from, name) => expect(bureauName(from)).toBe(name));

  it('has an example for every kind', () => {
    expect(new Set(EXAMPLES.map((e) => e.kind))).toEqual(new Set(REMINDER_KINDS));
  });

  it.each(EXAMPLES.map((e) => [`${e.kind} to the ${e.recipientRole}`, e] as const))(
    '%s: both languages name the bureau, the officer, why it was sent and whether it can be turned off',
    (_, content) => {
      const cn = renderReminders([content], zh);
      expect(cn.text).toContain('—— 博山区科技局');
      expect(cn.text).toContain('张专员（zhang@kjj.test）');
      expect(cn.text).toMatch(/您收到此邮件，是因为/);
      expect(cn.text).toContain(content.mandatory ? '这是一则必要通知' : '此提醒为可选提醒');
      expect(cn.html).toMatch(/^<!doctype html><html lang="zh-CN">/);
      expect(cn.subject).toBe(reminderSubject(content, 'zh-CN'));

      const english = renderReminders([content], en);
      expect(english.text).toContain('Your officer: 张专员 (zhang@kjj.test)');
      expect(english.text).toMatch(/You receive this because/);
      expect(english.text).toContain(content.mandatory ? 'mandatory notice' : 'This reminder is optional');
      expect(english.html).toContain('lang="en"');
      expect(english.subject).toBe(reminderSubject(content, 'en'));
      expect(english.subject).toMatch(/^\[[A-Z]/); // the English template's own words, not 【…】
    },
  );

  it('shows the follow-up time in local time and the reasons', () => {
    const mail = renderReminders([EXAMPLES[0]], zh);
    expect(mail.text).toContain('2026-12-01 09:00');
    expect(mail.text).toContain('研发费用占比不足');
    expect(mail.text).toContain('张专员您好');
    expect(renderReminders([EXAMPLES[1]], zh).text).toContain('王经理您好');
    expect(renderReminders([EXAMPLES[1]], zh).text).toContain('博山区科技局计划于 2026-12-01 09:00');
  });

  it('gives the facts of each kind', () => {
    expect(renderReminders([EXAMPLES[2]], zh).text).toContain('2026年第二批（高新技术企业认定）的申报截止日期为 2026-10-09（3 天后）');
    expect(renderReminders([EXAMPLES[3]], zh).subject).toContain('GR202337000123 将于 2026-12-11 到期');
    expect(renderReminders([EXAMPLES[4]], zh).text).toContain('须于 2027-05-31 前报送上一年度（2026 年）');
    expect(renderReminders([EXAMPLES[5]], zh).subject).toBe('【逾期提醒】淄博鑫源新材料有限公司 未报送 2027 年度发展情况报表');
    expect(renderReminders([EXAMPLES[6]], en).text).toContain('apply for the 2027 evaluation');
    expect(renderReminders([EXAMPLES[7]], en).text).toContain('is due on 2026-12-10 (in 7 days)');
  });

  it('puts several reminders for one address in one digest, each with its own reason', () => {
    const digest = renderReminders([EXAMPLES[2], EXAMPLES[3], EXAMPLES[4]], zh);
    expect(digest.subject).toBe('【博山区科技局】今日 3 项提醒');
    expect(digest.text).toContain('1. 【截止提醒】');
    expect(digest.text).toContain('3. 【报送提醒】');
    expect(digest.text.match(/您收到此邮件，是因为/g)).toHaveLength(3);
    expect(digest.text.match(/—— 博山区科技局/g)).toHaveLength(1);
    expect(renderReminders([EXAMPLES[2], EXAMPLES[3]], en).subject).toBe('[博山区科技局] 2 reminders for today');
  });

  it('without an officer, gives the bureau address to contact', () => {
    const lone = { ...EXAMPLES[3], payload: { ...EXAMPLES[3].payload, officerName: null, officerEmail: null } };
    expect(renderReminders([lone], zh).text).toContain('联系邮箱：kjj@boshan.test');
  });

  it('escapes HTML', () => {
    const mail = renderReminders([{ ...EXAMPLES[0], payload: { ...followUp, enterpriseName: '<b>&</b>' } }], zh);
    expect(mail.html).toContain('&lt;b&gt;&amp;&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>&</b>');
  });

  it('refuses a kind it has no template for', () => {
    expect(() => renderReminders([{ ...EXAMPLES[0], kind: 'nonsense' }], zh)).toThrow(/No template/);
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
