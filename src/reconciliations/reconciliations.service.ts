import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { actorRef, type Actor } from '../auth/actor.js';
import { ApplicationsService } from '../applications/applications.service.js';
import type { TransitionDto } from '../applications/dto/application.dto.js';
import { END_STAGES } from '../applications/stages.js';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { DomainEvents, type DomainEvent } from '../common/domain-events.js';
import { Problem } from '../common/problem.js';
import { isoUtc } from '../database/sql.js';
import { inspectCreditCode } from '../enterprises/credit-code.js';
import { readSheet } from '../imports/spreadsheet.js';
import type { ReconciliationForm, ReconciliationView } from './dto/reconciliation.dto.js';
import {
  PROGRAMS_SETTLED,
  readListRows,
  reconcile,
  type OpenApplication,
  type ReconciliationOutcome,
} from './reconcile.rules.js';

/** The longest official list we expect (a province's yearly tech-SME list runs to tens of thousands). */
const MAX_LIST_ROWS = 100_000;

const END = END_STAGES.map((s) => `'${s}'`).join(', ');

/** Official lists (公示 / 公告名单) against the open applications: who moved, who is missing. */
@Injectable()
export class ReconciliationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly applications: ApplicationsService,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
    private readonly clock: Clock,
  ) {}

  async reconcile(actor: Actor, form: ReconciliationForm, dryRun: boolean): Promise<ReconciliationView> {
    const sheet = await readSheet(form.file.filename, form.file.data, { maxRows: MAX_LIST_ROWS });
    const rows = readListRows(sheet, form.program);
    const batchId = form.batchId ?? null;
    let year = form.year ?? null;
    if (batchId) {
      const [batch]: { program: string; year: number }[] = await this.dataSource.query(
        'SELECT program, year FROM batches WHERE id = $1',
        [batchId],
      );
      if (!batch) throw Problem.field('batchId', 'no such batch');
      if (!PROGRAMS_SETTLED[form.program].includes(batch.program as never))
        throw Problem.field('batchId', `is a ${batch.program} batch, not ${form.program}`);
      if (year !== null && batch.year !== year)
        throw Problem.field('batchId', `is a batch of ${batch.year}, not ${year}`);
    } else if (year === null) {
      year = Number((form.issuedAt ?? this.clock.today()).slice(0, 4));
    }
    const codes = [
      ...new Set(rows.flatMap((r) => (r.creditCode ? [inspectCreditCode(r.creditCode).code] : []))),
    ];
    const scope = { program: form.program, issuedAt: form.issuedAt ?? null, year, batchId };

    const run = async (db: DataSource | EntityManager, lock: boolean) => {
      const applications: OpenApplication[] = await db.query(
        `SELECT a.id, a.enterprise_id AS "enterpriseId", e.name AS "enterpriseName", e.credit_code AS "creditCode",
                e.officer_id AS "officerId", a.program, a.year, a.batch_id AS "batchId", a.stage,
                ($3::uuid IS NULL OR a.batch_id = $3) AND ($4::int IS NULL OR a.year = $4) AS "inScope"
           FROM applications a JOIN enterprises e ON e.id = a.enterprise_id AND e.deleted_at IS NULL
          WHERE a.program = ANY($1) AND a.stage NOT IN (${END})
            AND (e.credit_code = ANY($2) OR (($3::uuid IS NULL OR a.batch_id = $3) AND ($4::int IS NULL OR a.year = $4)))
          ORDER BY e.credit_code, a.created_at ${lock ? 'FOR UPDATE OF a' : ''}`,
        [PROGRAMS_SETTLED[form.program], codes, batchId, year],
      );
      const known: { code: string }[] = await db.query(
        'SELECT credit_code AS code FROM enterprises WHERE credit_code = ANY($1) AND deleted_at IS NULL',
        [codes],
      );
      return reconcile({
        program: form.program,
        issuedAt: form.issuedAt ?? null,
        actor,
        rows,
        applications,
        knownCodes: new Set(known.map((k) => k.code)),
      });
    };

    const at = this.clock.now();
    const view = (id: string | null, outcome: ReconciliationOutcome): ReconciliationView => ({
      id,
      dryRun,
      ...scope,
      filename: form.file.filename,
      actor: actorRef(actor),
      at: at.toISOString(),
      ...outcome,
    });
    if (dryRun) return view(null, (await run(this.dataSource, false)).outcome);

    const events: DomainEvent[] = [];
    const result = await this.dataSource.transaction(async (m) => {
      const { outcome, moves } = await run(m, true);
      // Enterprise order, the order transitions lock in, so two lists at once cannot deadlock.
      for (const move of [...moves].sort((a, b) =>
        a.application.enterpriseId < b.application.enterpriseId ? -1 : 1,
      )) {
        const dto = {
          to: move.to,
          certificateNo: move.certificateNo,
          issuedAt: move.issuedAt,
          registrationNo: move.registrationNo,
        } as TransitionDto;
        try {
          // A savepoint each: one refusal leaves the others (and the transaction) intact.
          events.push(
            ...(await m.transaction((inner) =>
              this.applications.transitionWithin(inner, actor, move.application.id, dto),
            )),
          );
        } catch (err) {
          if (!(err instanceof Problem)) throw err;
          outcome.moved = outcome.moved.filter((x) => x.applicationId !== move.application.id);
          outcome.notMoved.push({ row: move.row, applicationId: move.application.id, reason: err.message });
        }
      }
      outcome.notMoved.sort((a, b) => a.row - b.row);
      const [{ id }]: { id: string }[] = await m.query(
        `INSERT INTO reconciliations (program, issued_at, year, batch_id, filename, sha256, actor_type, actor_id, at, outcome)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id`,
        [
          form.program,
          scope.issuedAt,
          year,
          batchId,
          form.file.filename,
          form.file.sha256,
          actor.type,
          actor.id,
          at,
          JSON.stringify(outcome),
        ],
      );
      await this.audit.record(m, actor, {
        action: 'reconcile',
        entity: 'reconciliation',
        entityId: id,
        changes: {
          program: [null, form.program],
          filename: [null, form.file.filename],
          moved: [null, outcome.moved.length],
          notMoved: [null, outcome.notMoved.length],
          unmatchedRows: [null, outcome.unmatchedRows.length],
          notMentioned: [null, outcome.notMentioned.length],
        },
      });
      return view(id, outcome);
    });
    for (const event of events) await this.events.publish(event);
    return result;
  }

  async get(id: string): Promise<ReconciliationView> {
    const [r]: {
      id: string;
      program: ReconciliationView['program'];
      issued_at: string | null;
      year: number | null;
      batch_id: string | null;
      filename: string;
      actor_type: Actor['type'];
      actor_id: string | null;
      at: string;
      outcome: ReconciliationOutcome;
    }[] = await this.dataSource.query(
      `SELECT id, program, issued_at, year, batch_id, filename, actor_type, actor_id, ${isoUtc('at')} AS at, outcome
         FROM reconciliations WHERE id = $1`,
      [id],
    );
    if (!r) throw Problem.notFound('reconciliation', id);
    return {
      id: r.id,
      dryRun: false,
      program: r.program,
      issuedAt: r.issued_at,
      year: r.year,
      batchId: r.batch_id,
      filename: r.filename,
      actor: { type: r.actor_type, id: r.actor_id },
      at: r.at,
      ...r.outcome,
    };
  }
}
