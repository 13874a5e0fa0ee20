import { UUID } from '../common/validators.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull } from 'typeorm';
import type { Actor } from '../auth/actor.js';
import type { Scope } from '../auth/permissions.js';
import { AuditService } from '../audit/audit.service.js';
import { decodeCursor, encodeCursor, toPage, type Page, type PageQuery } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { TtlCache } from '../common/ttl-cache.js';
import { ApiKey } from './api-key.entity.js';
import type { ApiKeyView, CreateApiKeyDto, CreatedApiKeyView } from './dto/api-key.dto.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

// `pyk_<prefix>_<secret>`: the prefix finds the row, the secret is checked against its hash.
// 256 random bits make a fast hash safe here, unlike passwords.
const KEY_PATTERN = /^pyk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

export const toApiKeyView = (k: ApiKey): ApiKeyView => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  scopes: k.scopes,
  rateLimitPerMinute: k.rateLimitPerMinute,
  lastUsedAt: k.lastUsedAt,
  revokedAt: k.revokedAt,
  version: k.version,
  createdAt: k.createdAt,
  updatedAt: k.updatedAt,
});

@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger(ApiKeysService.name);
  // A revocation reaches every process within this TTL.
  private readonly verified = new TtlCache<string, { id: string; scopes: Scope[]; rateLimitPerMinute: number | null } | null>(5_000);
  private readonly lastUseWritten = new TtlCache<string, true>(60_000);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, dto: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    const prefix = randomBytes(6).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    return this.dataSource.transaction(async (m) => {
      const key = await m.save(
        m.create(ApiKey, {
          name: dto.name,
          prefix,
          secretHash: sha256(secret),
          scopes: dto.scopes,
          rateLimitPerMinute: dto.rateLimitPerMinute ?? null,
          createdBy: actor.id,
        }),
      );
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'apiKey',
        entityId: key.id,
        changes: {
          name: [null, key.name],
          scopes: [null, key.scopes],
          ...(key.rateLimitPerMinute !== null && { rateLimitPerMinute: [null, key.rateLimitPerMinute] }),
        },
      });
      return { ...toApiKeyView(key), key: `pyk_${prefix}_${secret}` };
    });
  }

  async list(query: PageQuery): Promise<Page<ApiKeyView>> {
    const qb = this.dataSource
      .getRepository(ApiKey)
      .createQueryBuilder('k')
      .orderBy('k.id')
      .limit(query.limit + 1);
    if (query.cursor) {
      const [id] = decodeCursor(query.cursor, 'apiKeys', 1);
      // Checked here, so a tampered cursor is a 400 rather than a failed uuid cast.
      if (typeof id !== 'string' || !UUID.test(id))
        throw Problem.field('cursor', 'is not a cursor this API issued');
      qb.andWhere('k.id > :id', { id });
    }
    const rows = await qb.getMany();
    return toPage(rows.map(toApiKeyView), query.limit, (k) => encodeCursor('apiKeys', [k.id]));
  }

  async revoke(actor: Actor, id: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const result = await m.update(ApiKey, { id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
      if (result.affected === 0) {
        const exists = await m.existsBy(ApiKey, { id });
        if (!exists) throw Problem.notFound('API key', id);
        return; // already revoked: DELETE is idempotent
      }
      await this.audit.record(m, actor, {
        action: 'delete',
        entity: 'apiKey',
        entityId: id,
        changes: { revoked: [false, true] },
      });
    });
  }

  /** The key's id and scopes, or null when unknown, malformed or revoked. */
  async authenticate(presented: string): Promise<{ id: string; scopes: Scope[]; rateLimitPerMinute: number | null } | null> {
    const digest = sha256(presented);
    const cached = this.verified.get(digest);
    if (cached !== undefined) return cached;
    const match = KEY_PATTERN.exec(presented);
    let result: { id: string; scopes: Scope[]; rateLimitPerMinute: number | null } | null = null;
    if (match) {
      const rows: { id: string; secret_hash: string; scopes: Scope[]; rate_limit_per_minute: number | null }[] =
        await this.dataSource.query(
          'SELECT id, secret_hash, scopes, rate_limit_per_minute FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL',
        [match[1]],
      );
      const row = rows[0];
      if (row && timingSafeEqual(Buffer.from(row.secret_hash), Buffer.from(sha256(match[2])))) {
        result = { id: row.id, scopes: row.scopes, rateLimitPerMinute: row.rate_limit_per_minute };
      }
    }
    this.verified.set(digest, result);
    if (result) this.touch(result.id);
    return result;
  }

  // Last use is for people deciding which keys are dead; minute precision is plenty.
  private touch(id: string): void {
    if (this.lastUseWritten.get(id)) return;
    this.lastUseWritten.set(id, true);
    this.dataSource
      .query('UPDATE api_keys SET last_used_at = now() WHERE id = $1', [id])
      .catch((err: unknown) => this.logger.warn({ err }, 'Could not record API key use'));
  }
}
