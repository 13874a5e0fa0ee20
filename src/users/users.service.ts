import { UUID } from '../common/validators.js';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import argon2 from 'argon2';
import { DataSource, QueryFailedError } from 'typeorm';
import { SYSTEM_ACTOR, type Actor } from '../auth/actor.js';
import type { Role } from '../auth/permissions.js';
import { AuditService, diff } from '../audit/audit.service.js';
import { encodeCursor, decodeCursor, toPage, type Page } from '../common/pagination.js';
import { Problem } from '../common/problem.js';
import { TtlCache } from '../common/ttl-cache.js';
import type { CreateUserDto, UpdateUserDto, UserQuery, UserView } from './dto/user.dto.js';
import { User } from './user.entity.js';

const AUDITED: (keyof User)[] = ['email', 'name', 'role', 'active'];

export const toUserView = (u: User): UserView => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  active: u.active,
  version: u.version,
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
});

const isUniqueViolation = (err: unknown) =>
  err instanceof QueryFailedError && (err.driverError as { code?: string }).code === '23505';

@Injectable()
export class UsersService {
  private readonly logger = new Logger(UsersService.name);
  // Staff tokens are checked against the user's current role and active flag; caching that
  // for a few seconds keeps a lookup off every request. A deactivation takes effect within
  // this many seconds on every process.
  private readonly standing = new TtlCache<string, { role: Role; active: boolean } | null>(5_000);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly audit: AuditService,
  ) {}

  async create(actor: Actor, dto: CreateUserDto): Promise<UserView> {
    const passwordHash = await argon2.hash(dto.password);
    return this.dataSource.transaction(async (m) => {
      let user: User;
      try {
        user = await m.save(
          m.create(User, {
            email: dto.email,
            name: dto.name,
            role: dto.role,
            active: dto.active ?? true,
            passwordHash,
          }),
        );
      } catch (err) {
        if (isUniqueViolation(err)) throw Problem.conflict(`A user with email ${dto.email} already exists.`);
        throw err;
      }
      await this.audit.record(m, actor, {
        action: 'create',
        entity: 'user',
        entityId: user.id,
        changes: diff(null, user, AUDITED),
      });
      return toUserView(user);
    });
  }

  async list(query: UserQuery): Promise<Page<UserView>> {
    const qb = this.dataSource
      .getRepository(User)
      .createQueryBuilder('u')
      .orderBy('u.email')
      .addOrderBy('u.id')
      .limit(query.limit + 1);
    if (query.role) qb.andWhere('u.role = :role', { role: query.role });
    if (query.cursor) {
      const [email, id] = decodeCursor(query.cursor, 'users', 2);
      // Checked here, so a tampered cursor is a 400 rather than a failed uuid cast or NUL in text.
      if (
        typeof email !== 'string' ||
        email.length > 254 ||
        email.includes('\u0000') ||
        typeof id !== 'string' ||
        !UUID.test(id)
      ) {
        throw Problem.field('cursor', 'is not a cursor this API issued');
      }
      qb.andWhere('(u.email, u.id) > (:email, :id)', { email, id });
    }
    const rows = await qb.getMany();
    return toPage(rows.map(toUserView), query.limit, (u) => encodeCursor('users', [u.email, u.id]));
  }

  async get(id: string): Promise<UserView> {
    const user = await this.dataSource.getRepository(User).findOneBy({ id });
    if (!user) throw Problem.notFound('user', id);
    return toUserView(user);
  }

  async update(actor: Actor, id: string, dto: UpdateUserDto, ifMatch?: number): Promise<UserView> {
    const passwordHash = dto.password === undefined ? undefined : await argon2.hash(dto.password);
    const view = await this.dataSource.transaction(async (m) => {
      const before = await m.findOne(User, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!before) throw Problem.notFound('user', id);
      if (ifMatch !== undefined && ifMatch !== before.version) throw Problem.stale(before.version);
      if (actor.id === id && ((dto.role && dto.role !== 'admin') || dto.active === false)) {
        throw Problem.conflict('You cannot demote or deactivate yourself; ask another admin.');
      }
      const after = m.merge(User, m.create(User, { ...before }), {
        ...(dto.name !== undefined && { name: dto.name }),
        ...(dto.role !== undefined && { role: dto.role }),
        ...(dto.active !== undefined && { active: dto.active }),
        ...(passwordHash !== undefined && { passwordHash }),
      });
      const changes = diff(before, after, AUDITED);
      if (passwordHash !== undefined) changes.password = ['(hidden)', '(changed)'];
      if (Object.keys(changes).length === 0) return toUserView(before);
      const saved = await m.save(after);
      await this.audit.record(m, actor, { action: 'update', entity: 'user', entityId: id, changes });
      return toUserView(saved);
    });
    this.standing.delete(id);
    return view;
  }

  /** Role and active flag of a staff member, for the AccessGuard; null when unknown. */
  async standingOf(id: string): Promise<{ role: Role; active: boolean } | null> {
    const cached = this.standing.get(id);
    if (cached !== undefined) return cached;
    const rows: { role: Role; active: boolean }[] = await this.dataSource.query(
      'SELECT role, active FROM users WHERE id = $1',
      [id],
    );
    const standing = rows[0] ?? null;
    this.standing.set(id, standing);
    return standing;
  }

  /** The user with these credentials, or null. Takes argon2's time either way. */
  async verifyCredentials(email: string, password: string): Promise<User | null> {
    const user = await this.dataSource.getRepository(User).findOneBy({ email: email.trim().toLowerCase() });
    if (!user) {
      // Hash anyway so an unknown email takes as long as a wrong password.
      await argon2.hash(password);
      return null;
    }
    const ok = await argon2.verify(user.passwordHash, password).catch(() => false);
    return ok && user.active ? user : null;
  }

  /** Creates the first admin from ADMIN_EMAIL / ADMIN_PASSWORD when no admin exists yet. */
  async ensureFirstAdmin(email: string, password: string): Promise<void> {
    const [{ count }] = await this.dataSource.query(
      `SELECT count(*)::int AS count FROM users WHERE role = 'admin'`,
    );
    if (count > 0) return;
    const passwordHash = await argon2.hash(password);
    const inserted: { id: string }[] = await this.dataSource.query(
      `INSERT INTO users (email, name, password_hash, role) VALUES ($1, $2, $3, 'admin')
       ON CONFLICT (email) DO NOTHING RETURNING id`,
      [email.trim().toLowerCase(), 'Administrator', passwordHash],
    );
    if (inserted.length > 0) {
      await this.audit.record(this.dataSource.manager, SYSTEM_ACTOR, {
        action: 'create',
        entity: 'user',
        entityId: inserted[0].id,
        changes: { email: [null, email], role: [null, 'admin'] },
      });
      this.logger.log(`Created the first admin ${email}`);
    }
  }
}
