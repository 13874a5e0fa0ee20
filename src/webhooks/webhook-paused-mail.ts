// The notice admins get when Peiyu pauses a webhook: Chinese first, English below. Pure.
import type { PausedHook } from './webhook-outbox.service.js';

export function renderPausedMail(hook: PausedHook, timeZone: string): { subject: string; text: string } {
  const since = new Intl.DateTimeFormat('zh-CN', {
    timeZone,
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(hook.failingSince);
  return {
    subject: `Webhook 已暂停 / Webhook paused: ${hook.url}`,
    text: [
      `Webhook ${hook.url}（${hook.id}）自 ${since} 起投递一直失败（连续 ${hook.consecutiveFailures} 次），系统已将其暂停。`,
      `最后一次错误：${hook.lastError ?? '未知'}`,
      `接收方恢复后，请以 PATCH /api/v1/webhooks/${hook.id} 发送 {"active": true} 重新启用；等待中的推送将继续投递。`,
      '',
      `The webhook ${hook.url} (${hook.id}) has failed every delivery attempt since ${hook.failingSince.toISOString()} ` +
        `(${hook.consecutiveFailures} in a row), so Peiyu paused it.`,
      `Last error: ${hook.lastError ?? 'unknown'}`,
      `Once the receiver is back, send PATCH /api/v1/webhooks/${hook.id} with {"active": true}; waiting deliveries then go out.`,
    ].join('\n'),
  };
}
