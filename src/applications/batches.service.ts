import { UUID } from '../common/validators.js';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { AuditService, diff } from '../audit/audit.service.js';
import { DomainEvents } from '../common/domain-events.js';
import { decodeCursor, encodeCursor, toPage, type Page } from '../common/pagination.js';
import { Problem, type FieldError } from '../common/problem.js';
import { Batch } from './batch.entity.js';
import type { BatchQuery, BatchView, CreateBatchDto, UpdateBatchDto } from './dto/batch.dto.js';

const FIELDS = [
  'program',
  'year',
  'name',
  'registrationDeadline',
  'materialsDeadline',
  'submissionDeadline',
  'notes',
] as const;
const AUDITED: (keyof Batch)[] = [...FIELDS];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const toBatchView = (b: Batch): BatchView => ({
  id: b.id,
  program: b.program,
  year: b.year,
  name: b.name,
  registrationDeadline: b.registrationDeadline,
  materialsDeadline: b.materialsDeadline,
  submissionDeadline: b.submissionDeadline,
  notes: b.notes,
  version: b.version,
  createdAt: b.createdAt.toISOString(),
  updatedAt: b.updatedAt.toISOString(),
});

/** Deadlines come in order: registration, then materials, then submission (each where set). */
function deadlineErrors(
  b: Pick<Batch, 'registrationDeadline' | 'materialsDeadline' | 'submissionDeadline'>,
): FieldError[] {
  const errors: FieldError[] = [];
  if (b.registrationDeadline && b.materialsDeadline && b.materialsDeadline < b.registrationDeadline)
    errors.push({ field: 'materialsDeadline', message: 'must not be before registrationDeadline' });
  if (b.materialsDeadline && b.submissionDeadline < b.materialsDeadline)
    errors.push({ field: 'submissionDeadline', message: 'must not be before materialsDeadline' });
  else if (b.registrationDeadline && b.submissionDeadline < b.registrationDeadline)
    errors.push({ field: 'submissionDeadline', message: 'must not be before registrationDeadline' });
  return errors;
}

/** A province's application batches (批次) and their deadlines. */
@Injectable()
export class BatchesService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async list(query: BatchQuery): Promise<Page<BatchView>> {
    const qb = this.dataSource.manager
      .createQueryBuilder(Batch, 'b')
      .orderBy('b.submission_deadline')
      .addOrderBy('b.id')
      .limit(query.limit + 1);
    if (query.program) qb.andWhere('b.program = :program', { program: query.program });
    if (query.year !== undefined) qb.andWhere('b.year = :year', { year: query.year });
    if (query.cursor) {
      const [deadline, id] = decodeCursor(query.cursor, 'batches', 2);
      if (typeof deadline !== 'string' || !DATE.test(deadline) || typeof id !== 'string' || !UUID.test(id))
        throw Problem.field('cursor', 'is not a cursor this API issued');
      qb.andWhere('(b.submission_deadline, b.id) > (:deadline::date, :id::uuid)', { deadline, id });
    }
    const rows = await qb.getMany();
    return toPage(rows.map(toBatchView), query.limit, (v) =>
      encodeCursor('batches', [v.submissionDeadline, v.id]),
    );
  }

  async get(id: string): Promise<BatchView> {
    const batch = await this.dataSource.manager.findOne(Batch, { where: { id } });
    if (!batch) throw Problem.notFound('batch', id);
    return toBatchView(batch);
  }

  async create(actor: Actor, dto: CreateBatchDto): Promise<BatchView> {
    const values = {
      program: dto.program,
      year: dto.year,
      name: dto.name,
      registrationDeadline: dto.registrationDeadline ?? null,
      materialsDeadline: dto.materialsDeadline ?? null,
      submissionDeadline: dto.submissionDeadline,
      notes: dto.notes ?? null,
    };
    const errors = deadlineErrors(values);
    if (errors.length > 0) throw Problem.validation(errors);
    const saved = await this.dataSource.transaction(async (m) => {
      const batch = await m.save(m.create(Batch, values));
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'batch',
        entityId: batch.id,
        changes: diff(null, batch, AUDITED),
      });
      return batch;
    });
    return toBatchView(saved);
  }

  async update(actor: Actor, id: string, dto: UpdateBatchDto, ifMatch?: number): Promise<BatchView> {
    const saved = await this.dataSource.transaction(async (m) => {
      const before = await m.findOne(Batch, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!before) throw Problem.notFound('batch', id);
      if (ifMatch !== undefined && ifMatch !== before.version) throw Problem.stale(before.version);
      const patch: Partial<Batch> = {};
      for (const field of FIELDS) {
        if (dto[field] !== undefined) (patch as Record<string, unknown>)[field] = dto[field];
      }
      const after = m.merge<Batch>(Batch, m.create(Batch, { ...before }), patch);
      const errors = deadlineErrors(after);
      if (errors.length > 0) throw Problem.validation(errors);
      const changes = diff(before, after, AUDITED);
      if (Object.keys(changes).length === 0) return before;
      const result = await m.save(after);
      await this.audit.record(m, actor, { action: 'update', entity: 'batch', entityId: id, changes });
      return result;
    });
    // Deadlines may have moved: the reminders of every enterprise in the batch follow.
    await this.events.publish({ type: 'batch.updated', batchId: id });
    return toBatchView(saved);
  }
}
