import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import fastifyMultipart from '@fastify/multipart';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger as Pino } from 'pino';
import { isQueueDashboardUrl, mountQueueDashboard, QUEUE_DASHBOARD_CSP } from './admin/queue-dashboard.js';
import { AppModule } from './app.module.js';
import { PUBLIC_EXTENSION } from './auth/access.decorators.js';
import { IdempotencyService } from './common/idempotency.js';
import { PROBLEM_TYPE_BASE, titleFor } from './common/problem.js';
import { fastifyProblem } from './common/problem.filter.js';
import { createPino, PinoNestLogger } from './common/logger.js';
import type { AppConfig } from './config/app-config.js';
import { UsersService } from './users/users.service.js';
import { Metrics } from './metrics/metrics.js';

const API_PREFIX = 'api/v1';
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

// JSON APIs never render in a browser; only Swagger UI and the queue dashboard need scripts and styles.
const API_CSP = "default-src 'none'; frame-ancestors 'none'";
const DOCS_CSP =
  "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'";

export interface BuiltApp {
  app: NestFastifyApplication;
  logger: Pino;
}

/** Builds the Nest application for the configured role; `main.ts` and the tests share it. */
export async function createApp(config: AppConfig): Promise<BuiltApp> {
  const logger = createPino(config.LOG_LEVEL);
  const adapter = new FastifyAdapter({
    bodyLimit: config.BODY_LIMIT,
    // Keep a caller's X-Request-Id so one id follows a request across district systems.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    return503OnClosing: true,
    // The router refuses a malformed URL (400) or an over-long path parameter (414) before
    // any route, and so before the ProblemFilter: answer those as problem+json too.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      const problem = fastifyProblem(error.code) ?? fastifyProblem('FST_ERR_BAD_URL')!;
      void reply
        .status(problem.status)
        .header('content-type', 'application/problem+json; charset=utf-8')
        .send({ ...problem, requestId: request.id });
    },
    // Node refuses a request it cannot parse (headers too large, a timeout, bad framing) on
    // the socket, before Fastify; same shape as every other error.
    clientErrorHandler: (err: Error & { code?: string }, socket: Socket) => {
      if (err.code === 'ECONNRESET' || socket.destroyed) return;
      const status =
        err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
      const body = JSON.stringify({
        type: `${PROBLEM_TYPE_BASE}${status === 431 ? 'headers-too-large' : status === 408 ? 'timeout' : 'bad-request'}`,
        title: titleFor(status),
        status,
        detail:
          status === 431
            ? 'The URL or headers are larger than this API accepts.'
            : status === 408
              ? 'The request took too long to arrive.'
              : 'The request could not be parsed as HTTP.',
      });
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${status} ${titleFor(status)}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/problem+json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy(err);
    },
    // Keep-alive connections that sit idle must not hold a shutdown open.
    forceCloseConnections: 'idle',
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: true,
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health/live', 'health/ready', 'metrics'] });
  // multipart/form-data is parsed by the routes that take uploads (MultipartForm, after the
  // AccessGuard), never up front; the plugin only teaches Fastify the content type.
  await app.register(fastifyMultipart, { throwFileSizeLimit: true });
  installHooks(app, logger);
  if (config.runsApi) {
    setUpOpenApi(app);
    mountQueueDashboard(app);
  }
  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    await app.get(UsersService).ensureFirstAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
  }
  return { app, logger };
}

function installHooks(app: NestFastifyApplication, logger: Pino): void {
  const fastify = app.getHttpAdapter().getInstance();
  const metrics = app.get(Metrics);
  const idempotency = app.get(IdempotencyService);

  // Replies sent while shutting down close their connection, so a keep-alive client whose
  // request was in flight does not hold the process open after it is answered.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });

  fastify.addHook('onSend', async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
    if (closing) reply.header('connection', 'close');
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('x-frame-options', 'DENY');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('cross-origin-opener-policy', 'same-origin');
    reply.header('cross-origin-resource-policy', 'same-origin');
    reply.header('strict-transport-security', 'max-age=15552000; includeSubDomains');
    reply.header(
      'content-security-policy',
      request.url.startsWith('/docs') ? DOCS_CSP : isQueueDashboardUrl(request.url) ? QUEUE_DASHBOARD_CSP : API_CSP,
    );
    await idempotency.settle(request, reply, payload);
    return payload;
  });

  // Every single resource carries ETag: "<version>", so clients can send it back in If-Match.
  fastify.addHook(
    'preSerialization',
    async (_request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const version = (payload as { version?: unknown } | null)?.version;
      if (typeof version === 'number') reply.header('etag', `"${version}"`);
      return payload;
    },
  );

  fastify.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpDuration.observe(
      { method: request.method, route, status: String(reply.statusCode) },
      seconds,
    );
    logger.info(
      {
        reqId: request.id,
        method: request.method,
        route,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 10) / 10,
        actor: request.actor ? `${request.actor.type}:${request.actor.id}` : undefined,
      },
      'request',
    );
  });
}

function setUpOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Peiyu (培育) API')
      .setDescription(
        'One-to-one cultivation (订制式培育) of enterprises toward High-and-New-Technology Enterprise certification. ' +
          'Errors are application/problem+json (RFC 9457).',
      )
      .setVersion('1')
      // Paths carry their full prefix (/api/v1/…), so the server is this host's root.
      .addServer('/', 'This deployment')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'staff')
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
      .addSecurityRequirements('staff')
      .addSecurityRequirements('apiKey')
      .build(),
    // listEnterprises, transitionApplications…: names a generated client can offer as methods.
    { operationIdFactory: (controller, method) => `${method}${controller.replace(/Controller$/, '')}` },
  );
  // No public licence: the bureau's own system (DocumentBuilder would add an empty url).
  document.info.license = { name: 'Proprietary: for the district bureau and the systems it authorises' };
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations) as {
      security?: unknown[];
      [PUBLIC_EXTENSION]?: boolean;
    }[]) {
      if (operation?.[PUBLIC_EXTENSION]) {
        operation.security = [];
        delete operation[PUBLIC_EXTENSION];
      }
    }
  }
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'openapi.json',
    yamlDocumentUrl: 'openapi.yaml',
  });
}
