import { WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Worker } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/app-config.js';
import { HEARTBEAT_RETENTION_MS } from './heartbeat.rules.js';
import { WorkerInstance } from './worker-instance.js';

const PURGE_EVERY_MS = 3600_000;

/**
 * Keeps this worker process's row in worker_heartbeats: written at start and every
 * WORKER_HEARTBEAT_MS, deleted on a graceful stop once the queue workers have finished their
 * jobs. Other workers free the claims of an instance whose beats stopped (heartbeat.rules.ts);
 * /health/ready counts the live ones.
 */
@Injectable()
export class WorkerHeartbeatService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerHeartbeatService.name);
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;
  private stopped = false;
  private failing = false;
  private lastPurgeAt = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly instance: WorkerInstance,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.beat();
    this.scheduleNext();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    // A claim must not outlive its row: wait for the running jobs (BullMQ's close waits for them;
    // closing again later is a no-op), then for a beat in flight, and only then delete the row.
    await Promise.allSettled(this.queueWorkers().map((worker) => worker.close()));
    await this.beating;
    try {
      await this.dataSource.query('DELETE FROM worker_heartbeats WHERE instance_id = $1', [this.instance.id]);
    } catch (err) {
      this.logger.warn({ err }, 'Could not delete this worker’s heartbeat; it will be purged when stale');
    }
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    // One beat at a time: the next is scheduled when this one is done, however slow PostgreSQL is.
    this.timer = setTimeout(() => {
      this.beating = this.beat().finally(() => {
        this.beating = undefined;
        this.scheduleNext();
      });
    }, this.config.WORKER_HEARTBEAT_MS);
    this.timer.unref();
  }

  private async beat(): Promise<void> {
    const now = this.clock.now();
    try {
      await this.dataSource.query(
        `INSERT INTO worker_heartbeats (instance_id, hostname, pid, role, started_at, beat_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (instance_id) DO UPDATE SET beat_at = EXCLUDED.beat_at`,
        [
          this.instance.id,
          this.instance.hostname,
          this.instance.pid,
          this.config.APP_ROLE,
          this.instance.startedAt,
          now,
        ],
      );
      if (now.getTime() - this.lastPurgeAt >= PURGE_EVERY_MS) {
        await this.dataSource.query('DELETE FROM worker_heartbeats WHERE beat_at < $1', [
          new Date(now.getTime() - HEARTBEAT_RETENTION_MS),
        ]);
        this.lastPurgeAt = now.getTime();
      }
      if (this.failing) this.logger.log('Worker heartbeat written again');
      this.failing = false;
    } catch (err) {
      // Logged once per outage, not every beat; the next beat tries again.
      if (!this.failing) this.logger.warn({ err }, 'Could not write the worker heartbeat');
      this.failing = true;
    }
  }

  private queueWorkers(): Worker[] {
    return this.discovery
      .getProviders()
      .map((wrapper) => wrapper.instance as unknown)
      .filter((instance): instance is WorkerHost => instance instanceof WorkerHost)
      .flatMap((host) => {
        try {
          return [host.worker];
        } catch {
          return []; // never started
        }
      });
  }
}
