// The mails reminders send, in Chinese (zh-CN first). Pure: values in, subject/text/html out.

export interface FollowUpPayload {
  trackingId: string;
  enterpriseName: string;
  /** The follow-up instant, ISO 8601. */
  nextFollowUpAt: string;
  reasons: string[];
  officerName: string;
  officerEmail: string;
  contactName: string | null;
}

export interface RenderInput {
  kind: string;
  recipientRole: 'enterprise' | 'officer';
  mandatory: boolean;
  payload: Record<string, unknown>;
  /** MAIL_FROM: its display name is the bureau's name. */
  mailFrom: string;
  timeZone: string;
}

export interface RenderedMail {
  subject: string;
  text: string;
  html: string;
}

/** `培育办 <no-reply@x>` → `培育办`; a bare address stays itself. */
export function bureauName(mailFrom: string): string {
  const m = /^\s*"?([^"<]*?)"?\s*<[^>]+>\s*$/.exec(mailFrom);
  return m && m[1] ? m[1] : mailFrom.trim();
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

export function followUpSubject(enterpriseName: string, recipientRole: 'enterprise' | 'officer'): string {
  return recipientRole === 'officer'
    ? `【跟踪提醒】${enterpriseName} 的跟踪回访到期`
    : `【回访通知】${enterpriseName}：区科技局将与贵单位联系`;
}

/** Renders one reminder; only `follow_up_due` so far. */
export function renderReminder(input: RenderInput): RenderedMail {
  if (input.kind !== 'follow_up_due') throw new Error(`No template for reminder kind ${input.kind}`);
  const p = input.payload as unknown as FollowUpPayload;
  const bureau = bureauName(input.mailFrom);
  const when = localTime(p.nextFollowUpAt, input.timeZone);
  const reasons = p.reasons.length ? p.reasons.join('；') : '（未填写）';
  const lines =
    input.recipientRole === 'officer'
      ? [
          `${p.officerName}（${p.officerEmail}）您好：`,
          '',
          `您负责跟踪的企业「${p.enterpriseName}」约定的下次跟踪时间为 ${when}，现已到期，请及时联系企业并登记跟踪记录。`,
          `跟踪原因：${reasons}`,
          '',
          `您收到此邮件，是因为您是该企业挂号跟踪的负责人。`,
        ]
      : [
          `${p.contactName ?? p.enterpriseName}您好：`,
          '',
          `${bureau}计划于 ${when} 前后就高新技术企业培育事宜与贵单位联系，请留意。`,
          `联系人：${p.officerName}（${p.officerEmail}）`,
          '',
          `您收到此邮件，是因为贵单位「${p.enterpriseName}」已列入${bureau}的培育跟踪名单。`,
        ];
  lines.push(
    input.mandatory ? '这是一则必要通知，不能退订。' : '如不希望再收到此类提醒，请联系您的服务专员关闭提醒。',
  );
  lines.push('', `—— ${bureau}`);
  const subject = followUpSubject(p.enterpriseName, input.recipientRole);
  const html = `<!doctype html><html lang="zh-CN"><body>${lines
    .map((l) => (l === '' ? '' : `<p>${escapeHtml(l)}</p>`))
    .join('\n')}</body></html>`;
  return { subject, text: lines.join('\n'), html };
}
