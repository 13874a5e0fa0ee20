// The OpenAPI document is what integrators build on: it must lint clean with a standard
// linter (Redocly's recommended rules), and a client generated from it (@hey-api/openapi-ts)
// must typecheck under strict TypeScript and work against the running service.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createClient } from '@hey-api/openapi-ts';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import ts from 'typescript';
import { ADMIN, startTestApp, type TestApp } from './support/test-app.js';

const run = promisify(execFile);

/** What a receiving system writes with the generated client: typed calls, typed answers. */
const USAGE = `
import { client } from './client/client.gen.js';
import { createEnterprises, getEnterprises, listEnterprises, loginAuth } from './client/sdk.gen.js';
import type { EnterpriseView } from './client/types.gen.js';

export async function main(baseUrl: string, email: string, password: string): Promise<string> {
  client.setConfig({ baseUrl });
  const login = await loginAuth({ body: { email, password }, throwOnError: true });
  const token: string = login.data.accessToken;
  client.setConfig({ baseUrl, headers: { authorization: 'Bearer ' + token } });

  const created = await createEnterprises({
    body: { name: '类型化客户端科技有限公司', creditCode: '91370304MA3C8N8U7N', creditCodeConfirmed: true, street: '山头街道' },
    throwOnError: true,
  });
  const view: EnterpriseView = created.data;
  const street: string | null | undefined = view.street;
  // @ts-expect-error registeredAt is a date string or null, never a number
  const wrong: number = view.registeredAt;
  void wrong;

  const fetched = await getEnterprises({ path: { id: view.id }, throwOnError: true });
  const page = await listEnterprises({ query: { q: '类型化', limit: 5 }, throwOnError: true });
  const refused = await createEnterprises({ body: { name: '', creditCode: 'nope' } });
  return JSON.stringify({
    id: view.id,
    street,
    fetchedName: fetched.data.name,
    listed: page.data.data.map((e) => e.id),
    refusedStatus: refused.response?.status,
    refusedFields: (refused.error as { errors?: { field: string }[] } | undefined)?.errors?.map((e) => e.field).sort(),
  });
}
`;

describe('the OpenAPI document', () => {
  let t: TestApp;
  let document: Record<string, unknown>;
  let dir: string;

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.http.get('/openapi.json');
    expect(res.status).toBe(200);
    document = res.body;
    dir = await mkdtemp(join(tmpdir(), 'peiyu-client-'));
  });

  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lints clean with Redocly’s recommended rules', async () => {
    const config = await createConfig({
      extends: ['recommended'],
      rules: {
        // Health probes have no client errors to describe.
        'operation-4xx-response': 'off',
        // The bureau's own system: no public licence to link to.
        'info-license-strict': 'off',
      },
    });
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: 'openapi.json', config });
    const described = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(described).toEqual([]);
  });

  it('types every nullable property with its real type (no bare objects)', () => {
    const bare: string[] = [];
    const walk = (schema: Record<string, unknown>, path: string) => {
      for (const [name, raw] of Object.entries((schema.properties ?? {}) as Record<string, Record<string, unknown>>)) {
        const untyped = raw.type === 'object' && !raw.properties && !raw.additionalProperties && !raw.$ref && !raw.allOf;
        if (untyped) bare.push(`${path}.${name}`);
        walk(raw, `${path}.${name}`);
      }
    };
    const schemas = (document.components as { schemas: Record<string, Record<string, unknown>> }).schemas;
    for (const [name, schema] of Object.entries(schemas)) walk(schema, name);
    expect(bare).toEqual([]);
  });

  it('generates a typed client that compiles under strict TypeScript and works against the service', async () => {
    await createClient({
      input: document,
      output: { path: join(dir, 'client') },
      plugins: ['@hey-api/client-fetch', '@hey-api/typescript', '@hey-api/sdk'],
      logs: { level: 'silent' },
    });
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(join(dir, 'usage.ts'), USAGE);

    // Strict typecheck of the generated client and the usage, as an integrator would compile it.
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
    };
    const program = ts.createProgram([join(dir, 'usage.ts')], options);
    const diagnostics = ts
      .getPreEmitDiagnostics(program)
      .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);

    // Then run it: transpile every file and call the live service from a separate Node process.
    const files: string[] = [];
    const collect = async (folder: string) => {
      for (const entry of await readdir(folder, { withFileTypes: true })) {
        const path = join(folder, entry.name);
        if (entry.isDirectory()) await collect(path);
        else if (entry.name.endsWith('.ts')) files.push(path);
      }
    };
    await collect(dir);
    for (const file of files) {
      const { outputText } = ts.transpileModule(await readFile(file, 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      });
      await writeFile(file.replace(/\.ts$/, '.js'), outputText);
    }
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    const script = `import(${JSON.stringify(join(dir, 'usage.js'))}).then((m) => m.main(process.argv[1], process.argv[2], process.argv[3])).then((r) => console.log(r))`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script, `http://127.0.0.1:${port}`, ADMIN.email, ADMIN.password]);
    const outcome = JSON.parse(stdout);
    expect(outcome).toMatchObject({
      street: '山头街道',
      fetchedName: '类型化客户端科技有限公司',
      refusedStatus: 400,
      refusedFields: ['creditCode', 'name'],
    });
    expect(outcome.listed).toEqual([outcome.id]);
  }, 60_000);
});
