import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { getQueueToken } from '@nestjs/bullmq';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bullmq';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthService } from '../auth/auth.service.js';
import { ROLE_PERMISSIONS } from '../auth/permissions.js';
import { Problem, problemDocument } from '../common/problem.js';
import { QueueName } from '../queue/queue.constants.js';
import { AdminAuth, BASIC_CHALLENGE } from './admin-auth.js';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * bull-board's page loads its own scripts, styles (some inline), images, locale files and a
 * syntax-highlighting worker, and calls its API: all same-origin. Its Google Fonts stylesheet is
 * refused on purpose (no third-party request from an admin page; the UI falls back to system fonts).
 */
export const QUEUE_DASHBOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "font-src 'self' data:; connect-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; " +
  "form-action 'self'; frame-ancestors 'none'";

export const isQueueDashboardUrl = (url: string): boolean =>
  url === QUEUE_DASHBOARD_PATH ||
  url.startsWith(`${QUEUE_DASHBOARD_PATH}/`) ||
  url.startsWith(`${QUEUE_DASHBOARD_PATH}?`);

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A browser sends Basic credentials to any page that asks, so another site could post a form
 * at the dashboard's API (retry, clean, obliterate). Changes are taken from the dashboard's own
 * pages only: Sec-Fetch-Site where the browser sends it, else Origin against Host.
 */
function refuseCrossSite(request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method)) return;
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  let crossSite: boolean;
  if (typeof site === 'string') crossSite = site !== 'same-origin' && site !== 'none';
  else if (typeof origin === 'string') {
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      // "null" or garbage: not this site
    }
    crossSite = host !== request.headers.host;
  } else crossSite = false;
  if (crossSite) throw Problem.forbidden('The queue dashboard takes changes from its own pages only.');
}

/**
 * bull-board at /admin/queues, for admins: every queue of QueueName, through the app's own
 * Queue providers (QUEUE_PREFIX, REDIS_URL). Raw Fastify routes, which the Nest AccessGuard
 * does not see and the OpenAPI document does not list, so an onRequest hook on the prefix
 * decides instead (AdminAuth) and answers refusals as problem+json.
 */
export function mountQueueDashboard(app: NestFastifyApplication): void {
  const serverAdapter = new FastifyAdapter();
  createBullBoard({
    queues: Object.values(QueueName).map((name) => new BullMQAdapter(app.get<Queue>(getQueueToken(name)))),
    serverAdapter,
    options: {
      // Resolved here rather than by bull-board's own eval'd require, which ESM does not have.
      uiBasePath: dirname(createRequire(import.meta.url).resolve('@bull-board/ui/package.json')),
      uiConfig: { boardTitle: 'Peiyu queues' },
    },
  });
  const adminAuth = new AdminAuth(app.get(AuthService));

  void app
    .getHttpAdapter()
    .getInstance()
    .register(async (scope) => {
      scope.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          refuseCrossSite(request);
          const staff = await adminAuth.authenticate(request.headers.authorization);
          request.actor = {
            type: 'user',
            id: staff.id,
            role: staff.role,
            permissions: ROLE_PERMISSIONS[staff.role],
            requestId: request.id,
          };
        } catch (err) {
          if (!(err instanceof Problem)) throw err;
          const status = err.getStatus();
          return reply
            .code(status)
            .headers(status === 401 ? { 'www-authenticate': BASIC_CHALLENGE } : err.headers)
            .header('content-type', 'application/problem+json; charset=utf-8')
            .send({ ...problemDocument(err), instance: request.url, requestId: request.id });
        }
      });
      // Job data names enterprises and people: no cache keeps it (static assets set their own).
      scope.addHook('onSend', async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
        return payload;
      });
      await scope.register(serverAdapter.registerPlugin(), { prefix: QUEUE_DASHBOARD_PATH });
    });
}
