import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../auth/access.decorators.js';
import { Clock } from '../common/clock.js';
import { Problem } from '../common/problem.js';
import { AppConfig } from '../config/app-config.js';
import { aliveSince } from '../workers/heartbeat.rules.js';
import { healthWarnings, remindersReport, workersReport } from './health.rules.js';
import { HEALTH_REDIS } from './health.tokens.js';

const TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${what} did not answer within ${TIMEOUT_MS} ms`)),
        TIMEOUT_MS,
      );
    }),
  ]).finally(() => clearTimeout(timer));
}

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(HEALTH_REDIS) private readonly redis: Redis,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  @Get('live')
  @Public()
  @Header('cache-control', 'no-store')
  @ApiOperation({ summary: 'The process is up' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @Header('cache-control', 'no-store')
  @ApiOperation({
    summary: 'PostgreSQL and Redis answer; 503 naming what is down otherwise',
    description:
      '`status` and the HTTP status depend on PostgreSQL and Redis only. `workers` (heartbeats of the ' +
      'worker processes) and `reminders` (the oldest due reminder not yet sent) are reported, and ' +
      'listed in `warnings` when stale or behind, but never make this 503: an API process stays in ' +
      'the load balancer while the workers are down.',
  })
  @ApiOkResponse({
    schema: {
      example: {
        status: 'ok',
        checks: { postgres: 'ok', redis: 'ok' },
        workers: { alive: 0, newestBeatAt: '2026-03-02T07:58:30.000Z', ageSeconds: 90, status: 'stale' },
        reminders: {
          oldestDueUnsentAt: '2026-03-02T07:50:00.000Z',
          oldestDueUnsentAgeSeconds: 600,
          status: 'behind',
        },
        warnings: [
          'workers: no worker has written a heartbeat for 90 s (newest 2026-03-02T07:58:30.000Z); jobs and reminders are not being processed',
          'reminders: the oldest due reminder has waited 600 s (more than 180 s) since 2026-03-02T07:50:00.000Z',
        ],
      },
    },
  })
  @ApiServiceUnavailableResponse({ description: 'PostgreSQL or Redis is down; `checks` says which' })
  async ready() {
    const now = this.clock.now();
    const [pgResult, redis] = await Promise.all([
      // One round trip is the PostgreSQL check and reads what the report needs; the reminder
      // part is served by the partial index reminders_due_idx.
      withTimeout(
        this.dataSource.query(
          `SELECT (SELECT count(*)::int FROM worker_heartbeats WHERE beat_at >= $1) AS alive,
                  (SELECT max(beat_at) FROM worker_heartbeats) AS "newestBeatAt",
                  (SELECT min(due_at) FROM reminders WHERE status = 'scheduled' AND due_at <= $2) AS "oldestDue"`,
          [aliveSince(now, this.config), now],
        ) as Promise<{ alive: number; newestBeatAt: Date | null; oldestDue: Date | null }[]>,
        'PostgreSQL',
      ).then(
        ([row]) => ({ status: 'ok', row }),
        (err: Error) => ({ status: `down: ${err.message}`, row: undefined }),
      ),
      withTimeout(this.redis.ping(), 'Redis').then(
        () => 'ok',
        (err: Error) => `down: ${err.message}`,
      ),
    ]);
    const checks = { postgres: pgResult.status, redis };
    const report = pgResult.row && this.report(pgResult.row, now);
    if (pgResult.status !== 'ok' || redis !== 'ok') {
      throw new Problem(503, 'not-ready', 'A dependency is unavailable.', { checks, ...report });
    }
    return { status: 'ok', checks, ...report };
  }

  private report(row: { alive: number; newestBeatAt: Date | null; oldestDue: Date | null }, now: Date) {
    const workers = workersReport(row.alive, row.newestBeatAt, now);
    const reminders = remindersReport(row.oldestDue, now, this.config);
    return { workers, reminders, warnings: healthWarnings(workers, reminders, this.config) };
  }
}
