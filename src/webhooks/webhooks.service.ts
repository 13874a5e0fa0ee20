import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { AuditService, diff } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { decodeCursor, encodeCursor, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { UUID } from '../common/validators.js';
import { AppConfig } from '../config/app-config.js';
import { isoUtc } from '../database/sql.js';
import { isPrivateAddress, urlHost, webhookUrlProblem } from './address.rules.js';
import type {
  CreatedWebhookView,
  CreateWebhookDto,
  UpdateWebhookDto,
  WebhookAttemptView,
  WebhookDeliveryDetailView,
  WebhookDeliveryView,
  WebhookView,
} from './dto/webhook.dto.js';
import { resolveAll } from './webhook-http.js';
import { WebhookOutbox } from './webhook-outbox.service.js';

const HOOK_COLUMNS = `id, url, events, active, ${isoUtc('paused_at')} AS "pausedAt", paused_reason AS "pausedReason",
  ${isoUtc('failing_since')} AS "failingSince", consecutive_failures AS "consecutiveFailures", version,
  ${isoUtc('created_at')} AS "createdAt", ${isoUtc('updated_at')} AS "updatedAt"`;

const DELIVERY_COLUMNS = `id, webhook_id AS "webhookId", event, status, attempts, last_status_code AS "lastStatusCode",
  last_error AS "lastError", ${isoUtc('last_attempt_at')} AS "lastAttemptAt", last_duration_ms AS "lastDurationMs",
  CASE WHEN status = 'pending' THEN ${isoUtc('next_attempt_at')} END AS "nextAttemptAt",
  ${isoUtc('delivered_at')} AS "deliveredAt", ${isoUtc('occurred_at')} AS "occurredAt", ${isoUtc('created_at')} AS "createdAt"`;

const AUDITED: ('url' | 'events' | 'active')[] = ['url', 'events', 'active'];
const notIssued = () => Problem.field('cursor', 'is not a cursor this API issued');
const isIso = (v: unknown): v is string =>
  typeof v === 'string' && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;

/** Hooks other systems register, and their deliveries as the API shows them. */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly outbox: WebhookOutbox,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async create(actor: Actor, dto: CreateWebhookDto): Promise<CreatedWebhookView> {
    await this.assertReachable(dto.url);
    const secret = dto.secret ?? `whsec_${randomBytes(32).toString('base64url')}`;
    const view = await this.dataSource.transaction(async (m) => {
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO webhooks (url, events, secret, active) VALUES ($1, $2, $3, $4) RETURNING id`,
        [dto.url, dto.events, secret, dto.active ?? true],
      );
      const created = await this.view(m, id);
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'webhook',
        entityId: id,
        // The secret is never written to the trail, only that one was chosen or generated.
        changes: { ...diff(null, created, AUDITED), secret: [null, dto.secret ? 'given' : 'generated'] },
      });
      return created;
    });
    this.outbox.forgetHooks();
    return { ...view, secret };
  }

  async list(query: PageQuery): Promise<Page<WebhookView>> {
    const params: unknown[] = [query.limit + 1];
    let after = '';
    if (query.cursor) {
      const [id] = decodeCursor(query.cursor, 'webhooks', 1);
      if (typeof id !== 'string' || !UUID.test(id)) throw notIssued();
      params.push(id);
      after = 'WHERE id > $2';
    }
    const rows: WebhookView[] = await this.dataSource.query(
      `SELECT ${HOOK_COLUMNS} FROM webhooks ${after} ORDER BY id LIMIT $1`,
      params,
    );
    return toPage(rows, query.limit, (r) => encodeCursor('webhooks', [r.id]));
  }

  get(id: string): Promise<WebhookView> {
    return this.view(this.dataSource.manager, id);
  }

  async update(actor: Actor, id: string, dto: UpdateWebhookDto, ifMatch?: number): Promise<WebhookView> {
    if (dto.url !== undefined) await this.assertReachable(dto.url);
    let resumed = false;
    const view = await this.dataSource.transaction(async (m) => {
      const [before]: (WebhookView & { active: boolean })[] = await m.query(
        `SELECT ${HOOK_COLUMNS} FROM webhooks WHERE id = $1 FOR UPDATE`,
        [id],
      );
      if (!before) throw Problem.notFound('webhook', id);
      if (ifMatch !== undefined && ifMatch !== before.version) throw Problem.stale(before.version);
      const after = {
        url: dto.url ?? before.url,
        events: dto.events ?? before.events,
        active: dto.active ?? before.active,
      };
      const changes = diff(before, after, AUDITED);
      if (Object.keys(changes).length === 0) return before;
      resumed = after.active && !before.active;
      await m.query(
        `UPDATE webhooks SET url = $2, events = $3, active = $4, version = version + 1, updated_at = now(),
                -- Turned on again: the pause and the failure streak are over; turned off by hand: not a pause.
                paused_at = CASE WHEN $4 <> active THEN NULL ELSE paused_at END,
                paused_reason = CASE WHEN $4 <> active THEN NULL ELSE paused_reason END,
                failing_since = CASE WHEN $4 AND NOT active THEN NULL ELSE failing_since END,
                consecutive_failures = CASE WHEN $4 AND NOT active THEN 0 ELSE consecutive_failures END
          WHERE id = $1`,
        [id, after.url, after.events, after.active],
      );
      await this.audit.record(m, actor, { action: 'update', entity: 'webhook', entityId: id, changes });
      return this.view(m, id);
    });
    this.outbox.forgetHooks();
    // Deliveries that waited while it was paused go out now rather than at the next sweep. Not
    // awaited: with Redis away this would hold the request, and the sweeper finds them anyway.
    if (resumed)
      void this.outbox.queueDue(id).catch((err: unknown) =>
        this.logger.warn({ err, webhookId: id }, 'Could not queue a resumed hook’s deliveries; the sweeper will'),
      );
    return view;
  }

  async remove(actor: Actor, id: string, ifMatch?: number): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const [before]: WebhookView[] = await m.query(`SELECT ${HOOK_COLUMNS} FROM webhooks WHERE id = $1 FOR UPDATE`, [id]);
      if (!before) throw Problem.notFound('webhook', id);
      if (ifMatch !== undefined && ifMatch !== before.version) throw Problem.stale(before.version);
      // Its deliveries and their attempts go with it (ON DELETE CASCADE); jobs still queued find nothing.
      await m.query(`DELETE FROM webhooks WHERE id = $1`, [id]);
      await this.audit.record(m, actor, {
        action: 'delete',
        entity: 'webhook',
        entityId: id,
        changes: diff(before, null, AUDITED),
      });
    });
    this.outbox.forgetHooks();
  }

  /** A hook's deliveries, newest first. */
  async deliveries(webhookId: string, query: PageQuery): Promise<Page<WebhookDeliveryView>> {
    await this.view(this.dataSource.manager, webhookId);
    const params: unknown[] = [webhookId, query.limit + 1];
    let before = '';
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, 'webhook-deliveries', 2);
      if (!isIso(at) || typeof id !== 'string' || !UUID.test(id)) throw notIssued();
      params.push(at, id);
      before = 'AND (created_at, id) < ($3::timestamptz, $4::uuid)';
    }
    const rows: WebhookDeliveryView[] = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = $1 ${before}
        ORDER BY created_at DESC, id DESC LIMIT $2`,
      params,
    );
    return toPage(rows, query.limit, (r) => encodeCursor('webhook-deliveries', [r.createdAt, r.id]));
  }

  async delivery(webhookId: string, deliveryId: string): Promise<WebhookDeliveryDetailView> {
    const [row]: (WebhookDeliveryView & { body: string })[] = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS}, body FROM webhook_deliveries WHERE id = $1 AND webhook_id = $2`,
      [deliveryId, webhookId],
    );
    if (!row) throw Problem.notFound('delivery', deliveryId);
    const attemptLog: WebhookAttemptView[] = await this.dataSource.query(
      `SELECT attempt, worker, ${isoUtc('started_at')} AS "startedAt", ${isoUtc('finished_at')} AS "finishedAt",
              outcome, status_code AS "statusCode", error, duration_ms AS "durationMs"
         FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempt, started_at`,
      [deliveryId],
    );
    return { ...row, attemptLog };
  }

  /**
   * Sends a delivery again, as a new series of attempts with the same id and body: due now,
   * with a fresh retry budget. Not while it is being sent, nor to a paused or inactive hook.
   */
  async replay(actor: Actor, webhookId: string, deliveryId: string): Promise<WebhookDeliveryDetailView> {
    const attempts = await this.dataSource.transaction(async (m) => {
      const [row]: { status: string; attempts: number; active: boolean }[] = await m.query(
        `SELECT d.status, d.attempts, w.active FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
          WHERE d.id = $1 AND d.webhook_id = $2 FOR UPDATE OF d`,
        [deliveryId, webhookId],
      );
      if (!row) throw Problem.notFound('delivery', deliveryId);
      if (row.status === 'sending')
        throw Problem.conflict('This delivery is being sent right now; replay it once the attempt is over.', {
          currentStatus: row.status,
        });
      if (!row.active)
        throw Problem.conflict('The webhook is paused or inactive: turn it on (PATCH active: true) before replaying.');
      await m.query(
        `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $2, retry_from = attempts, updated_at = now()
          WHERE id = $1`,
        [deliveryId, this.clock.now()],
      );
      await this.audit.record(m, actor, {
        action: 'replay',
        entity: 'webhookDelivery',
        entityId: deliveryId,
        changes: { status: [row.status, 'pending'] },
      });
      return row.attempts;
    });
    // Not awaited, like the resume above: the row is due now and the sweeper would find it.
    void this.outbox
      .enqueue([{ id: deliveryId, attempts }])
      .catch((err: unknown) => this.logger.warn({ err, deliveryId }, 'Could not queue a replay; the sweeper will'));
    return this.delivery(webhookId, deliveryId);
  }

  private async view(m: EntityManager, id: string): Promise<WebhookView> {
    const [row]: WebhookView[] = await m.query(`SELECT ${HOOK_COLUMNS} FROM webhooks WHERE id = $1`, [id]);
    if (!row) throw Problem.notFound('webhook', id);
    return row;
  }

  /**
   * Refuses (400 on `url`) a URL that is, or whose name resolves to, a private address —
   * unless WEBHOOK_ALLOW_PRIVATE — and a name that does not resolve. Checked again at every
   * delivery, since DNS answers change.
   */
  private async assertReachable(value: string): Promise<void> {
    const allow = this.config.WEBHOOK_ALLOW_PRIVATE;
    const problem = webhookUrlProblem(value, allow);
    if (problem) throw Problem.field('url', problem);
    if (allow) return;
    const host = urlHost(new URL(value));
    let addresses: string[];
    try {
      addresses = await resolveAll(host);
    } catch (err) {
      throw Problem.field('url', `names a host that does not resolve (${(err as { code?: string }).code ?? 'lookup failed'})`);
    }
    const bad = addresses.find((a) => isPrivateAddress(a));
    if (bad) throw Problem.field('url', `resolves to ${bad}, a private or loopback address`);
  }
}
