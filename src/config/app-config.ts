import { randomBytes } from 'node:crypto';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';
import { REMINDER_LANGUAGES, type ReminderLanguage } from '../reminders/reminder-template.js';

export const APP_ROLES = ['api', 'worker', 'all'] as const;
export type AppRole = (typeof APP_ROLES)[number];

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  return value;
};
const postgresUrl = /^postgres(ql)?:\/\/[^/]*\/[^/?]+(\?.*)?$/;
const redisUrl = /^rediss?:\/\/.+/;

/**
 * Every setting Peiyu reads, validated once at start-up. Nothing else reads process.env:
 * a bad value stops the process with one line per bad variable instead of failing later.
 */
export class AppConfig {
  @IsIn(APP_ROLES)
  APP_ROLE: AppRole = 'all';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @Matches(postgresUrl, { message: 'must look like postgres://user@host:5432/database' })
  DATABASE_URL = 'postgres://localhost:5432/peiyu';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DB_POOL_MAX = 10;

  @Matches(redisUrl, { message: 'must look like redis://host:6379' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  @Matches(/^[A-Za-z0-9_:.-]{1,64}$/, { message: 'must be 1–64 letters, digits or _ : . -' })
  QUEUE_PREFIX = 'peiyu';

  /** How often a worker process writes its heartbeat; three missed beats and it counts as dead. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(300_000)
  WORKER_HEARTBEAT_MS = 5000;

  @IsOptional()
  @Matches(/^smtps?:\/\/.+/, { message: 'must look like smtp://user:pass@host:587' })
  SMTP_URL?: string;

  @IsString()
  @MinLength(3)
  MAIL_FROM = 'Peiyu <no-reply@localhost>';

  @IsString()
  OUTBOX_DIR = 'var/outbox';

  @IsOptional()
  @IsEmail({}, { message: 'must be an email address' })
  ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'must be at least 8 characters' })
  ADMIN_PASSWORD?: string;

  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  JWT_SECRET?: string;

  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(86400 * 7)
  JWT_TTL_SECONDS = 3600;

  @IsString()
  APP_TIMEZONE = 'Asia/Shanghai';

  @Matches(/^([01]\d|2[0-3]):[0-5]\d-(([01]\d|2[0-3]):[0-5]\d|24:00)$/, {
    message: 'must look like 09:00-18:00',
  })
  REMINDER_SEND_WINDOW = '09:00-18:00';

  @Transform(toBool)
  @IsBoolean()
  REMINDER_WORKING_DAYS_ONLY = true;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  REMINDER_SWEEP_INTERVAL_MS = 60000;

  /** Reminder mails sent at once by each worker process, and the SMTP pool's connections to match. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  REMINDER_SEND_CONCURRENCY = 4;

  /** The language of reminder mails: Chinese, or the English variant. */
  @IsIn(REMINDER_LANGUAGES)
  REMINDER_LANGUAGE: ReminderLanguage = 'zh-CN';

  @Transform(toBool)
  @IsBoolean()
  WEBHOOK_ALLOW_PRIVATE = false;

  /** How often the worker re-queues webhook deliveries that are due or were left mid-send. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  WEBHOOK_SWEEP_INTERVAL_MS = 60000;

  /** The first retry's wait; each next doubles, up to 480 times this (1 min → 8 h, 12 tries in about a day). */
  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3_600_000)
  WEBHOOK_RETRY_BASE_MS = 60000;

  /** Requests per minute for each staff member and each API key without its own limit. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  RATE_LIMIT_PER_MINUTE = 600;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** Largest accepted request body, in bytes. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  BODY_LIMIT = 1024 * 1024;

  /** Whether JWT_SECRET was generated because none was set (tokens die with the process). */
  jwtSecretGenerated = false;

  get jwtSecret(): string {
    return this.JWT_SECRET!;
  }

  get runsApi(): boolean {
    return this.APP_ROLE !== 'worker';
  }

  get runsWorker(): boolean {
    return this.APP_ROLE !== 'api';
  }
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

function describe(errors: ValidationError[]): string[] {
  return errors.map(
    (e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} (got ${JSON.stringify(e.value)})`,
  );
}

/** Reads and validates the environment; throws ConfigError listing every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const known = Object.keys(new AppConfig()).filter((k) => k === k.toUpperCase());
  const optional = ['SMTP_URL', 'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'JWT_SECRET'];
  const raw: Record<string, string> = {};
  for (const key of [...known, ...optional]) {
    const value = env[key];
    // An empty variable means "use the default", as in most .env tooling.
    if (value !== undefined && value !== '') raw[key] = value;
  }
  const config = plainToInstance(AppConfig, raw);
  const problems = describe(validateSync(config, { forbidUnknownValues: false }));
  if (config.APP_TIMEZONE && !isValidTimeZone(config.APP_TIMEZONE)) {
    problems.push(
      `APP_TIMEZONE: must be an IANA time zone such as Asia/Shanghai (got ${JSON.stringify(config.APP_TIMEZONE)})`,
    );
  }
  if ((config.ADMIN_EMAIL === undefined) !== (config.ADMIN_PASSWORD === undefined)) {
    problems.push('ADMIN_EMAIL and ADMIN_PASSWORD: set both or neither');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  if (config.JWT_SECRET === undefined) {
    config.JWT_SECRET = randomBytes(32).toString('hex');
    config.jwtSecretGenerated = true;
  }
  return config;
}

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
