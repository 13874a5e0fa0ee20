import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { Public } from '../auth/access.decorators.js';
import { Problem } from '../common/problem.js';
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
  @ApiOperation({ summary: 'PostgreSQL and Redis answer; 503 naming what is down otherwise' })
  @ApiOkResponse({ schema: { example: { status: 'ok', checks: { postgres: 'ok', redis: 'ok' } } } })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down; `checks` says which' })
  async ready() {
    const [postgres, redis] = await Promise.all([
      withTimeout(this.dataSource.query('SELECT 1'), 'PostgreSQL').then(
        () => 'ok',
        (err: Error) => `down: ${err.message}`,
      ),
      withTimeout(this.redis.ping(), 'Redis').then(
        () => 'ok',
        (err: Error) => `down: ${err.message}`,
      ),
    ]);
    const checks = { postgres, redis };
    if (postgres !== 'ok' || redis !== 'ok') {
      throw new Problem(503, 'not-ready', 'A dependency is unavailable.', { checks });
    }
    return { status: 'ok', checks };
  }
}
