import { UUID } from '../common/validators.js';
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, QueryFailedError, type EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import { AuditService, diff, type Changes } from '../audit/audit.service.js';
import { DomainEvents } from '../common/domain-events.js';
import { decodeCursor, encodeCursor, toPage, type Page } from '../common/pagination.js';
import { Problem, type FieldError } from '../common/problem.js';
import { isCalendarDate } from '../common/validators.js';
import {
  assertLiveEnterprise,
  lockChildForWrite,
  lockEnterpriseForChildWrite,
} from '../enterprises/enterprise-access.js';
import { ContractItem } from './contract-item.entity.js';
import { allowedMoves, canMove, progressOf } from './contract.rules.js';
import type {
  ContractItemDto,
  ContractItemView,
  ContractQuery,
  ContractView,
  CreateContractDto,
  ReplaceContractItemDto,
  UpdateContractDto,
} from './dto/contract.dto.js';
import { assertOfficer } from './officer.js';
import { ServiceContract } from './service-contract.entity.js';

const FIELDS = [
  'contractNo',
  'officerId',
  'signedAt',
  'startsAt',
  'endsAt',
  'amount',
  'status',
  'acceptanceNotes',
] as const;
const AUDITED: (keyof ServiceContract)[] = [...FIELDS];

const notIssued = () => Problem.field('cursor', 'is not a cursor this API issued');

/** An item as the audit trail and the change check compare it. */
const itemFacts = (i: Pick<ContractItem, 'id' | 'description' | 'dueAt' | 'status' | 'criterion'>) => ({
  id: i.id,
  description: i.description,
  dueAt: i.dueAt,
  status: i.status,
  criterion: i.criterion,
});

const toItemView = (i: ContractItem): ContractItemView => ({
  id: i.id,
  description: i.description,
  dueAt: i.dueAt,
  status: i.status,
  criterion: i.criterion,
  doneAt: i.doneAt ? i.doneAt.toISOString() : null,
});

export const toContractView = (c: ServiceContract, items: ContractItem[]): ContractView => ({
  id: c.id,
  contractNo: c.contractNo,
  enterpriseId: c.enterpriseId,
  officerId: c.officerId,
  signedAt: c.signedAt,
  startsAt: c.startsAt,
  endsAt: c.endsAt,
  amount: c.amount,
  status: c.status,
  items: items.map(toItemView),
  acceptanceNotes: c.acceptanceNotes,
  progress: progressOf(items),
  version: c.version,
  createdAt: c.createdAt.toISOString(),
  updatedAt: c.updatedAt.toISOString(),
});

/** Technology service contracts (科技服务合同) and their items. */
@Injectable()
export class ContractsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    private readonly events: DomainEvents,
  ) {}

  async list(query: ContractQuery, enterpriseId?: string): Promise<Page<ContractView>> {
    if (enterpriseId) await assertLiveEnterprise(this.dataSource, enterpriseId);
    const qb = this.dataSource.manager
      .createQueryBuilder(ServiceContract, 'c')
      // A deleted enterprise's contracts are not visible, like the enterprise itself.
      .innerJoin('enterprises', 'e', 'e.id = c.enterprise_id AND e.deleted_at IS NULL')
      .orderBy('c.signed_at', 'DESC')
      .addOrderBy('c.id', 'DESC')
      .limit(query.limit + 1);
    const byEnterprise = enterpriseId ?? query.enterpriseId;
    if (byEnterprise) qb.andWhere('c.enterprise_id = :byEnterprise', { byEnterprise });
    if (query.status) qb.andWhere('c.status = :status', { status: query.status });
    if (query.officerId) qb.andWhere('c.officer_id = :officerId', { officerId: query.officerId });
    if (query.year) {
      // A range on signed_at rather than extract(year …), so the (…, signed_at, id) indexes serve it.
      qb.andWhere('c.signed_at >= :from AND c.signed_at < :to', {
        from: `${query.year}-01-01`,
        to: `${query.year + 1}-01-01`,
      });
    }
    if (query.cursor) {
      const [signedAt, id] = decodeCursor(query.cursor, 'contracts', 2);
      if (!isCalendarDate(signedAt) || typeof id !== 'string' || !UUID.test(id)) throw notIssued();
      qb.andWhere('(c.signed_at, c.id) < (:signedAt, :id)', { signedAt, id });
    }
    const contracts = await qb.getMany();
    const items = await this.itemsOf(
      this.dataSource.manager,
      contracts.slice(0, query.limit).map((c) => c.id),
    );
    const views = contracts.map((c) => toContractView(c, items.get(c.id) ?? []));
    return toPage(views, query.limit, (v) => encodeCursor('contracts', [v.signedAt, v.id]));
  }

  async get(id: string): Promise<ContractView> {
    const contract = await this.dataSource.manager
      .createQueryBuilder(ServiceContract, 'c')
      .innerJoin('enterprises', 'e', 'e.id = c.enterprise_id AND e.deleted_at IS NULL')
      .where('c.id = :id', { id })
      .getOne();
    if (!contract) throw Problem.notFound('contract', id);
    const items = await this.itemsOf(this.dataSource.manager, [id]);
    return toContractView(contract, items.get(id) ?? []);
  }

  async create(actor: Actor, enterpriseId: string, dto: CreateContractDto): Promise<ContractView> {
    const view = await this.dataSource.transaction(async (m) => {
      await lockEnterpriseForChildWrite(m, actor, enterpriseId);
      const officerId = await assertOfficer(m, dto.officerId ?? defaultOfficer(actor));
      const contract = await this.saveUnique(
        m,
        m.create(ServiceContract, {
          contractNo: dto.contractNo,
          enterpriseId,
          officerId,
          signedAt: dto.signedAt,
          startsAt: dto.startsAt,
          endsAt: dto.endsAt,
          amount: dto.amount,
          status: dto.status ?? 'draft',
          acceptanceNotes: dto.acceptanceNotes ?? null,
        }),
      );
      const planned = (dto.items ?? []).map((i) => ({ ...i, id: randomUUID() }));
      await this.insertItems(m, contract.id, planned, new Map());
      const items = (await this.itemsOf(m, [contract.id])).get(contract.id) ?? [];
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'contract',
        entityId: contract.id,
        changes: {
          ...diff(null, contract, AUDITED),
          enterpriseId: [null, enterpriseId],
          items: [null, items.map(itemFacts)],
        },
      });
      return toContractView(contract, items);
    });
    await this.events.publish({ type: 'contract.changed', contractId: view.id, enterpriseId });
    return view;
  }

  async update(actor: Actor, id: string, dto: UpdateContractDto, ifMatch?: number): Promise<ContractView> {
    let changed = false;
    const view = await this.dataSource.transaction(async (m) => {
      const before = await lockChildForWrite(
        m,
        actor,
        { entity: ServiceContract, table: 'service_contracts', what: 'contract' },
        id,
        ifMatch,
      );
      const beforeItems = (await this.itemsOf(m, [id])).get(id) ?? [];

      const patch: Partial<ServiceContract> = {};
      for (const field of FIELDS) {
        if (dto[field] !== undefined) (patch as Record<string, unknown>)[field] = dto[field];
      }
      const after = { ...before, ...patch };
      const errors: FieldError[] = [];
      // The body alone cannot tell an end before a start that is only stored.
      if (after.endsAt < after.startsAt)
        errors.push({ field: 'endsAt', message: 'must not be before startsAt' });
      const planned = dto.items ? planItems(dto.items, beforeItems, errors) : undefined;
      if (errors.length > 0) throw Problem.validation(errors);
      if (!canMove(before.status, after.status)) {
        const allowed = allowedMoves(before.status);
        throw Problem.conflict(
          `A ${before.status} contract cannot become ${after.status}` +
            (allowed.length ? `; it may become ${allowed.join(' or ')}.` : '; it is final.'),
          { from: before.status, to: after.status, allowed },
        );
      }
      if (patch.officerId !== undefined && patch.officerId !== before.officerId)
        await assertOfficer(m, patch.officerId);

      const changes: Changes = diff(before, after, AUDITED);
      const beforeFacts = beforeItems.map(itemFacts);
      const afterFacts = planned?.map((i) =>
        itemFacts({ ...i, criterion: i.criterion ?? null, status: i.status ?? 'pending' }),
      );
      if (afterFacts && JSON.stringify(afterFacts) !== JSON.stringify(beforeFacts))
        changes.items = [beforeFacts, afterFacts];
      if (Object.keys(changes).length === 0) return toContractView(before, beforeItems);

      const columns = Object.fromEntries(
        Object.keys(changes)
          .filter((k) => k !== 'items')
          .map((k) => [k, patch[k as keyof ServiceContract]]),
      );
      // Version and updated_at move with any change, items included.
      await this.updateUnique(
        m,
        id,
        Object.keys(columns).length > 0 ? columns : { updatedAt: () => 'now()' },
        after.contractNo,
      );
      if (planned && changes.items) {
        await m.delete(ContractItem, { contractId: id });
        await this.insertItems(m, id, planned, new Map(beforeItems.map((i) => [i.id, i])));
      }
      const saved = await m.findOneByOrFail(ServiceContract, { id });
      const items = (await this.itemsOf(m, [id])).get(id) ?? [];
      await this.audit.record(m, actor, {
        action: changes.status ? 'transition' : 'update',
        entity: 'contract',
        entityId: id,
        changes,
      });
      changed = true;
      return toContractView(saved, items);
    });
    if (changed) await this.events.publish({ type: 'contract.changed', contractId: id, enterpriseId: view.enterpriseId });
    return view;
  }

  /** Items in order; `kept` holds the stored items, so one still done keeps when it was done. */
  private async insertItems(
    m: EntityManager,
    contractId: string,
    planned: (ContractItemDto & { id: string })[],
    kept: Map<string, ContractItem>,
  ): Promise<void> {
    if (planned.length === 0) return;
    await m.insert(
      ContractItem,
      planned.map((i, position) => {
        const status = i.status ?? 'pending';
        const previous = kept.get(i.id);
        return {
          id: i.id,
          contractId,
          position,
          description: i.description,
          dueAt: i.dueAt,
          status,
          criterion: i.criterion ?? null,
          doneAt: status !== 'done' ? null : previous?.doneAt ? previous.doneAt : () => 'now()',
        };
      }),
    );
  }

  private async itemsOf(m: EntityManager, contractIds: string[]): Promise<Map<string, ContractItem[]>> {
    const byContract = new Map<string, ContractItem[]>();
    if (contractIds.length === 0) return byContract;
    const items = await m.find(ContractItem, {
      where: { contractId: In(contractIds) },
      order: { contractId: 'ASC', position: 'ASC' },
    });
    for (const item of items) {
      const list = byContract.get(item.contractId) ?? [];
      list.push(item);
      byContract.set(item.contractId, list);
    }
    return byContract;
  }

  private async saveUnique(m: EntityManager, contract: ServiceContract): Promise<ServiceContract> {
    try {
      // A savepoint, so a duplicate leaves the transaction usable for the lookup below.
      return await m.transaction((inner) => inner.save(contract));
    } catch (err) {
      throw await this.duplicate(m, err, contract.contractNo);
    }
  }

  private async updateUnique(
    m: EntityManager,
    id: string,
    columns: object,
    contractNo: string,
  ): Promise<void> {
    try {
      await m.transaction((inner) => inner.update(ServiceContract, { id }, columns));
    } catch (err) {
      throw await this.duplicate(m, err, contractNo);
    }
  }

  /** A 409 naming the contract that holds the number, for a unique violation; anything else as is. */
  private async duplicate(m: EntityManager, err: unknown, contractNo: string): Promise<unknown> {
    if (
      err instanceof QueryFailedError &&
      (err.driverError as { constraint?: string }).constraint === 'service_contracts_contract_no_key'
    ) {
      const [existing] = await m.query('SELECT id FROM service_contracts WHERE contract_no = $1', [
        contractNo,
      ]);
      return Problem.conflict(`A contract numbered ${contractNo} already exists.`, {
        existingId: (existing as { id: string } | undefined)?.id ?? null,
      });
    }
    return err;
  }
}

/** The calling user; an API key names the officer itself. */
export function defaultOfficer(actor: Actor): string | undefined {
  return actor.type === 'user' && actor.id ? actor.id : undefined;
}

/** The new item list: kept items must be this contract's, each once; new ones get their id here. */
function planItems(
  items: ReplaceContractItemDto[],
  stored: ContractItem[],
  errors: FieldError[],
): (ContractItemDto & { id: string })[] {
  const storedIds = new Set(stored.map((i) => i.id));
  const seen = new Set<string>();
  return items.map((item, index) => {
    if (item.id !== undefined) {
      if (!storedIds.has(item.id))
        errors.push({ field: `items.${index}.id`, message: 'is not an item of this contract' });
      else if (seen.has(item.id))
        errors.push({ field: `items.${index}.id`, message: 'appears more than once' });
      seen.add(item.id);
    }
    return { ...item, id: item.id ?? randomUUID() };
  });
}
