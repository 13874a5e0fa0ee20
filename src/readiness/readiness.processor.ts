import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Job, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { QueueName, ReadinessJob } from '../queue/queue.constants.js';
import { ReadinessService } from './readiness.service.js';

const BATCH = 1000;

@Processor(QueueName.Readiness)
@Injectable()
export class ReadinessProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReadinessProcessor.name);
  // Typed so a new ReadinessJob without a handler fails to compile.
  private readonly handlers: Record<ReadinessJob, (job: Job) => Promise<unknown>> = {
    [ReadinessJob.Recompute]: (job) =>
      this.readiness.recompute([job.data.enterpriseId], job.data.trigger ?? 'change'),
    [ReadinessJob.RescoreAll]: () => this.rescoreAll(),
  };

  constructor(
    @InjectQueue(QueueName.Readiness) private readonly queue: Queue,
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly readiness: ReadinessService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async onApplicationBootstrap(): Promise<void> {
    // Stable id and explicit zone: every worker start updates the one nightly schedule.
    await this.queue.upsertJobScheduler(
      'readiness:nightly',
      { pattern: '30 2 * * *', tz: this.config.APP_TIMEZONE },
      {
        name: ReadinessJob.RescoreAll,
        opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 } },
      },
    );
  }

  async process(job: Job): Promise<unknown> {
    const handler = this.handlers[job.name as ReadinessJob];
    if (!handler) throw new Error(`No handler for ${QueueName.Readiness} job ${job.name}`);
    return handler(job);
  }

  /**
   * Re-scores every live enterprise as of today, a thousand at a time (memory stays flat),
   * and records the run: how long, how many results and verdicts moved, ms per 10,000.
   */
  async rescoreAll(): Promise<{
    runId: string;
    enterprises: number;
    changed: number;
    verdictsChanged: number;
    ms: number;
  }> {
    const started = Date.now();
    const assessmentDate = this.clock.today();
    const [{ id: runId }] = await this.dataSource.query(
      `INSERT INTO readiness_runs (started_at) VALUES (now()) RETURNING id`,
    );
    let after = '00000000-0000-0000-0000-000000000000';
    let enterprises = 0;
    let changed = 0;
    let verdictsChanged = 0;
    const msPer10k: number[] = [];
    let tenK = Date.now();
    try {
      for (;;) {
        const rows: { id: string }[] = await this.dataSource.query(
          'SELECT id FROM enterprises WHERE deleted_at IS NULL AND id > $1 ORDER BY id LIMIT $2',
          [after, BATCH],
        );
        if (rows.length === 0) break;
        const result = await this.readiness.recompute(
          rows.map((r) => r.id),
          'nightly',
          assessmentDate,
        );
        enterprises += rows.length;
        changed += result.changed;
        verdictsChanged += result.verdictsChanged;
        after = rows[rows.length - 1].id;
        if (enterprises % 10_000 === 0) {
          msPer10k.push(Date.now() - tenK);
          tenK = Date.now();
        }
      }
    } catch (err) {
      await this.dataSource.query(
        `UPDATE readiness_runs SET finished_at = now(), enterprises = $2, changed = $3, verdicts_changed = $4, ms_per10k = $5, error = $6 WHERE id = $1`,
        [runId, enterprises, changed, verdictsChanged, msPer10k, String(err)],
      );
      throw err;
    }
    await this.dataSource.query(
      `UPDATE readiness_runs SET finished_at = now(), enterprises = $2, changed = $3, verdicts_changed = $4, ms_per10k = $5 WHERE id = $1`,
      [runId, enterprises, changed, verdictsChanged, msPer10k],
    );
    const ms = Date.now() - started;
    this.logger.log(
      { runId, enterprises, changed, verdictsChanged, ms },
      'Nightly readiness re-score finished',
    );
    return { runId, enterprises, changed, verdictsChanged, ms };
  }
}
