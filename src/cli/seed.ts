// npm run seed -- --enterprises 100000 [--seed 20240601] [--officers 8] [--start 0]
// Fills DATABASE_URL with demo enterprises of Boshan district (migrating it first).
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/app-config.js';
import { migrateDatabase } from '../database/data-source.js';
import { seedEnterprises } from '../enterprises/seed.js';

const { values } = parseArgs({
  options: {
    enterprises: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    officers: { type: 'string', default: '8' },
    start: { type: 'string', default: '0' },
  },
});

const integer = (name: string, raw: string | undefined, min: number): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min) {
    process.stderr.write(`--${name} must be a whole number ≥ ${min} (got ${raw})\n`);
    process.exit(2);
  }
  return n;
};

try {
  const config = loadConfig();
  const count = integer('enterprises', values.enterprises, 0)!;
  await migrateDatabase(config.DATABASE_URL);
  const result = await seedEnterprises(config.DATABASE_URL, {
    count,
    seed: integer('seed', values.seed, 0),
    officers: integer('officers', values.officers, 0),
    startIndex: integer('start', values.start, 0),
  });
  process.stdout.write(
    `${JSON.stringify({ ...result, database: config.DATABASE_URL.replace(/\/\/[^@/]*@/, '//') })}\n`,
  );
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
