import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';

/**
 * This process's name among the workers: recorded on every reminder claim and attempt and
 * in worker_heartbeats. One per application instance (not per module load), so two apps in
 * one test process are two workers.
 */
@Injectable()
export class WorkerInstance {
  readonly hostname = hostname();
  readonly pid = process.pid;
  readonly id = `${this.hostname}:${this.pid}:${randomUUID().slice(0, 8)}`;
  readonly startedAt = new Date();
}
