// The mails reminders send, in Chinese (zh-CN, the default) or English (REMINDER_LANGUAGE=en).
// Pure: values in, subject/text/html out. Every mail names the bureau and an officer to
// contact, says why it was sent, and says whether it can be turned off.
import type { ReminderKind, ReminderRecipient } from './schedule.js';

export const REMINDER_LANGUAGES = ['zh-CN', 'en'] as const;
export type ReminderLanguage = (typeof REMINDER_LANGUAGES)[number];

/** What every payload carries: who the mail is about and whom to contact. */
export interface PayloadBase {
  enterpriseName: string;
  contactName: string | null;
  /** The enterprise's officer (or the contract's, the tracking's); null when none is assigned. */
  officerName: string | null;
  officerEmail: string | null;
}

export interface FollowUpPayload extends PayloadBase {
  trackingId: string;
  /** The follow-up instant, ISO 8601. */
  nextFollowUpAt: string;
  reasons: string[];
}

export type DeadlineName = 'registration' | 'materials' | 'submission';

export interface DeadlinePayload extends PayloadBase {
  applicationId: string;
  program: string;
  batchName: string;
  deadlineName: DeadlineName;
  deadline: string;
  daysBefore: number;
}

export interface CertificatePayload extends PayloadBase {
  applicationId: string;
  certificateNo: string;
  validUntil: string;
  daysBefore: number;
}

export interface AnnualReportPayload extends PayloadBase {
  /** The year the report is due in (it covers the year before). */
  year: number;
  dueBy: string;
}

export interface TsmeRenewalPayload extends PayloadBase {
  /** The year to be evaluated again for. */
  year: number;
  registrationNo: string | null;
}

export interface ContractItemPayload extends PayloadBase {
  contractId: string;
  contractNo: string;
  itemId: string;
  description: string;
  dueDate: string;
  daysBefore: number;
}

export interface ReminderContent {
  kind: ReminderKind | string;
  recipientRole: ReminderRecipient;
  mandatory: boolean;
  payload: Record<string, unknown>;
}

export interface RenderOptions {
  /** MAIL_FROM: its display name is the bureau's name, its address the fallback contact. */
  mailFrom: string;
  timeZone: string;
  language: ReminderLanguage;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** One reminder's part of a mail: its subject line and its paragraphs, the reason included. */
interface Section {
  subject: string;
  body: string[];
  why: string;
}

/** `培育办 <no-reply@x>` → `培育办`; a bare address stays itself. */
export function bureauName(mailFrom: string): string {
  const m = /^\s*"?([^"<]*?)"?\s*<[^>]+>\s*$/.exec(mailFrom);
  return m && m[1] ? m[1] : mailFrom.trim();
}

function bureauAddress(mailFrom: string): string {
  return /<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom.trim();
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function localTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`;
}

const PROGRAM = {
  'zh-CN': { hnte: '高新技术企业认定', hnte_recert: '高新技术企业重新认定', tech_sme: '科技型中小企业评价' },
  en: {
    hnte: 'High-and-New-Technology Enterprise certification',
    hnte_recert: 'HNTE re-certification',
    tech_sme: 'tech-based SME evaluation',
  },
} as Record<ReminderLanguage, Record<string, string>>;

const DEADLINE = {
  'zh-CN': { registration: '网上注册', materials: '材料报送', submission: '申报' },
  en: { registration: 'online registration', materials: 'materials', submission: 'submission' },
} satisfies Record<ReminderLanguage, Record<DeadlineName, string>>;

const inDays = (days: number, lang: ReminderLanguage) =>
  lang === 'en' ? (days === 0 ? 'today' : `in ${days} day${days === 1 ? '' : 's'}`) : days === 0 ? '今天' : `${days} 天后`;

/** Subjects are computed when a reminder is planned (the list shows them) and when it is sent. */
export function reminderSubject(content: ReminderContent, language: ReminderLanguage): string {
  return section(content, { mailFrom: '', timeZone: 'UTC', language }).subject;
}

function section(content: ReminderContent, opts: RenderOptions): Section {
  const { language: lang, timeZone } = opts;
  const en = lang === 'en';
  const role = content.recipientRole;
  const bureau = bureauName(opts.mailFrom);
  switch (content.kind) {
    case 'follow_up_due': {
      const p = content.payload as unknown as FollowUpPayload;
      const when = localTime(p.nextFollowUpAt, timeZone);
      const reasons = p.reasons.length ? p.reasons.join(en ? '; ' : '；') : en ? '(none given)' : '（未填写）';
      if (role === 'officer')
        return en
          ? {
              subject: `[Follow-up] ${p.enterpriseName}: follow-up due`,
              body: [
                `The follow-up with ${p.enterpriseName} agreed for ${when} is now due. Please contact the enterprise and log the contact.`,
                `Reasons for tracking: ${reasons}`,
              ],
              why: `You receive this because you are the officer of this enterprise's follow-up registration (挂号跟踪).`,
            }
          : {
              subject: `【跟踪提醒】${p.enterpriseName} 的跟踪回访到期`,
              body: [
                `您负责跟踪的企业「${p.enterpriseName}」约定的下次跟踪时间为 ${when}，现已到期，请及时联系企业并登记跟踪记录。`,
                `跟踪原因：${reasons}`,
              ],
              why: `您收到此邮件，是因为您是该企业挂号跟踪的负责人。`,
            };
      return en
        ? {
            subject: `[Follow-up] ${p.enterpriseName}: the bureau will contact you`,
            body: [`${bureau} plans to contact you about HNTE cultivation around ${when}.`],
            why: `You receive this because ${p.enterpriseName} is on ${bureau}'s cultivation follow-up list.`,
          }
        : {
            subject: `【回访通知】${p.enterpriseName}：区科技局将与贵单位联系`,
            body: [`${bureau}计划于 ${when} 前后就高新技术企业培育事宜与贵单位联系，请留意。`],
            why: `您收到此邮件，是因为贵单位「${p.enterpriseName}」已列入${bureau}的培育跟踪名单。`,
          };
    }
    case 'deadline_approaching': {
      const p = content.payload as unknown as DeadlinePayload;
      const program = PROGRAM[lang][p.program] ?? p.program;
      const what = DEADLINE[lang][p.deadlineName];
      return en
        ? {
            subject: `[Deadline] ${p.batchName}: ${what} deadline ${p.deadline}`,
            body: [
              `The ${what} deadline of ${p.batchName} (${program}) is ${p.deadline}, ${inDays(p.daysBefore, lang)}.`,
              `Your application has not been submitted yet; please complete it before the deadline.`,
            ],
            why: `You receive this because ${p.enterpriseName} has an application in this batch that is not yet submitted.`,
          }
        : {
            subject: `【截止提醒】${p.batchName} ${what}截止 ${p.deadline}`,
            body: [
              `${p.batchName}（${program}）的${what}截止日期为 ${p.deadline}（${inDays(p.daysBefore, lang)}）。`,
              `贵单位的申报尚未提交，请在截止日前完成。`,
            ],
            why: `您收到此邮件，是因为贵单位「${p.enterpriseName}」在该批次中有尚未提交的申报。`,
          };
    }
    case 'certificate_expiring': {
      const p = content.payload as unknown as CertificatePayload;
      return en
        ? {
            subject: `[Certificate] HNTE certificate ${p.certificateNo} expires ${p.validUntil}`,
            body: [
              `The HNTE certificate ${p.certificateNo} of ${p.enterpriseName} is valid until ${p.validUntil} (${inDays(p.daysBefore, lang)}).`,
              `There is no renewal: to keep the status, apply for re-certification, normally in the expiry year.`,
            ],
            why: `You receive this because your enterprise's certificate is about to expire.`,
          }
        : {
            subject: `【到期提醒】高新技术企业证书 ${p.certificateNo} 将于 ${p.validUntil} 到期`,
            body: [
              `贵单位「${p.enterpriseName}」的高新技术企业证书（${p.certificateNo}）有效期至 ${p.validUntil}（${inDays(p.daysBefore, lang)}）。`,
              `证书到期不能延续，如需保持资格，请在到期当年申请重新认定。`,
            ],
            why: `您收到此邮件，是因为贵单位的高新技术企业证书即将到期。`,
          };
    }
    case 'annual_report_due': {
      const p = content.payload as unknown as AnnualReportPayload;
      if (role === 'officer')
        return en
          ? {
              subject: `[Overdue] ${p.enterpriseName}: annual development report ${p.year} not filed`,
              body: [
                `${p.enterpriseName} has not been marked as having filed its ${p.year} annual development report, due by ${p.dueBy}.`,
                `Two missed years in total cancel the certification. Please contact the enterprise, and mark the report filed in Peiyu once it is.`,
              ],
              why: `You receive this because you are the officer of this certified enterprise.`,
            }
          : {
              subject: `【逾期提醒】${p.enterpriseName} 未报送 ${p.year} 年度发展情况报表`,
              body: [
                `企业「${p.enterpriseName}」应于 ${p.dueBy} 前报送的 ${p.year} 年度发展情况报表尚未登记为已报送。`,
                `累计两年未报送将被取消高新技术企业资格。请尽快联系企业，报送后在系统中登记。`,
              ],
              why: `您收到此邮件，是因为您是该高新技术企业的服务专员。`,
            };
      return en
        ? {
            subject: `[Annual report] File the ${p.year} annual development report by ${p.dueBy}`,
            body: [
              `As a certified HNTE, ${p.enterpriseName} must file its annual development report (covering ${p.year - 1}) by ${p.dueBy}.`,
              `Two missed years in total cancel the certification.`,
            ],
            why: `You receive this because your enterprise holds an HNTE certificate.`,
          }
        : {
            subject: `【报送提醒】请于 ${p.dueBy} 前报送 ${p.year} 年度发展情况报表`,
            body: [
              `贵单位「${p.enterpriseName}」作为高新技术企业，须于 ${p.dueBy} 前报送上一年度（${p.year - 1} 年）的发展情况报表。`,
              `累计两年未报送将被取消高新技术企业资格。`,
            ],
            why: `您收到此邮件，是因为贵单位持有有效的高新技术企业证书。`,
          };
    }
    case 'tsme_renewal': {
      const p = content.payload as unknown as TsmeRenewalPayload;
      const no = p.registrationNo ? (en ? ` (registration ${p.registrationNo})` : `（入库编号 ${p.registrationNo}）`) : '';
      return en
        ? {
            subject: `[Tech-based SME] Renew the registration for ${p.year}`,
            body: [
              `The tech-based SME registration of ${p.enterpriseName}${no} is valid for its year only. Please apply for the ${p.year} evaluation.`,
            ],
            why: `You receive this because your enterprise was registered as a tech-based SME last year.`,
          }
        : {
            subject: `【评价提醒】请办理 ${p.year} 年度科技型中小企业评价`,
            body: [
              `贵单位「${p.enterpriseName}」的科技型中小企业入库登记${no}仅当年有效，请及时办理 ${p.year} 年度评价。`,
            ],
            why: `您收到此邮件，是因为贵单位上一年度已入库科技型中小企业。`,
          };
    }
    case 'contract_item_due': {
      const p = content.payload as unknown as ContractItemPayload;
      return en
        ? {
            subject: `[Contract] ${p.contractNo}: "${p.description}" due ${p.dueDate}`,
            body: [
              `The item "${p.description}" of service contract ${p.contractNo} with ${p.enterpriseName} is due on ${p.dueDate} (${inDays(p.daysBefore, lang)}).`,
              `Mark it done in Peiyu once delivered.`,
            ],
            why: `You receive this because you are the officer of this contract.`,
          }
        : {
            subject: `【合同事项】${p.contractNo}「${p.description}」将于 ${p.dueDate} 到期`,
            body: [
              `与「${p.enterpriseName}」签订的技术服务合同 ${p.contractNo} 中的事项「${p.description}」约定于 ${p.dueDate} 完成（${inDays(p.daysBefore, lang)}）。`,
              `完成后请在系统中登记。`,
            ],
            why: `您收到此邮件，是因为您是该合同的服务专员。`,
          };
    }
    default:
      throw new Error(`No template for reminder kind ${content.kind}`);
  }
}

/**
 * Renders the mail for one recipient: one reminder, or several due the same day as one
 * digest (its sections in the given order). All contents are for the same address.
 */
export function renderReminders(contents: readonly ReminderContent[], opts: RenderOptions): RenderedMail {
  const first = contents[0];
  if (!first) throw new Error('Nothing to render');
  const en = opts.language === 'en';
  const bureau = bureauName(opts.mailFrom);
  const p = first.payload as unknown as PayloadBase;
  const sections = contents.map((c) => section(c, opts));
  const subject =
    sections.length === 1
      ? sections[0].subject
      : en
        ? `[${bureau}] ${sections.length} reminders for today`
        : `【${bureau}】今日 ${sections.length} 项提醒`;

  const greetingName = first.recipientRole === 'officer' ? (p.officerName ?? '') : (p.contactName ?? p.enterpriseName);
  const greeting = en ? `Dear ${greetingName || 'colleague'},` : `${greetingName}您好：`;
  const paragraphs: string[][] = sections.map((s, i) => {
    const heading = sections.length > 1 ? [`${i + 1}. ${s.subject}`] : [];
    const optOut = contents[i].mandatory
      ? en
        ? 'This is a mandatory notice: it is sent even when optional reminders are turned off.'
        : '这是一则必要通知：即使关闭了可选提醒，此类通知仍会发送。'
      : en
        ? 'This reminder is optional: ask your officer to turn reminders off if you no longer want them.'
        : '此提醒为可选提醒：如不希望再收到，请联系您的服务专员关闭提醒。';
    return [...heading, ...s.body, s.why, optOut];
  });
  const contact =
    p.officerName && p.officerEmail
      ? en
        ? `Your officer: ${p.officerName} (${p.officerEmail})`
        : `服务专员：${p.officerName}（${p.officerEmail}）`
      : en
        ? `Contact: ${bureauAddress(opts.mailFrom)}`
        : `联系邮箱：${bureauAddress(opts.mailFrom)}`;
  const blocks = [[greeting], ...paragraphs, [contact, `—— ${bureau}`]];
  const text = blocks.map((b) => b.join('\n')).join('\n\n');
  const html = `<!doctype html><html lang="${opts.language}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>${blocks
    .map((b) => `<p>${b.map(escapeHtml).join('<br>')}</p>`)
    .join('\n')}</body></html>`;
  return { subject, text, html };
}
