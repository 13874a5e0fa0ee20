// npm run migration:generate -- <Name>
// Writes migrations/<timestamp>-<name>.ts with the SQL that brings the checked-in migrations
// level with the entities, then lists it in migrations/index.ts by hand (printed below).
import { writeFileSync } from 'node:fs';
import { loadConfig } from '../config/app-config.js';
import { schemaDrift } from '../database/schema-drift.js';

const name = process.argv[2];
if (!name || !/^[A-Za-z][A-Za-z0-9]*$/.test(name)) {
  process.stderr.write('usage: npm run migration:generate -- <PascalCaseName>\n');
  process.exit(2);
}
const config = loadConfig();
const { up, down } = await schemaDrift(config.DATABASE_URL);
if (up.length === 0) {
  process.stdout.write('Entities and migrations agree: nothing to generate.\n');
  process.exit(0);
}
const stamp = Date.now();
const kebab = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const q = (sql: string) => `    await q.query(${JSON.stringify(sql)});`;
const file = `migrations/${stamp}-${kebab}.ts`;
writeFileSync(
  file,
  `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${name}${stamp} implements MigrationInterface {
  name = '${name}${stamp}';

  async up(q: QueryRunner): Promise<void> {
${up.map(q).join('\n')}
  }

  async down(q: QueryRunner): Promise<void> {
${down.reverse().map(q).join('\n')}
  }
}
`,
);
process.stdout.write(`Wrote ${file}. Add ${name}${stamp} to MIGRATIONS in migrations/index.ts.\n`);
