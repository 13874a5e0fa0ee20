import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { creditCodeCheckCharacter } from '../src/enterprises/credit-code.js';
import { startTestApp, type TestApp } from './support/test-app.js';

// API.md: bad input is a 4xx problem+json naming the field, and nothing stored changes. Every
// operation /openapi.json lists is sent, as an admin (so access never hides the handler), a
// generated set of bad requests: bad path parameters, broken bodies built from the operation's
// requestBody schema, and bad query and header parameters. No response may be a 5xx.

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
  anyOf?: Schema[];
  nullable?: boolean;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  pattern?: string;
  example?: unknown;
  default?: unknown;
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface OperationObject {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, Schema> };
}

interface Operation {
  method: Method;
  path: string;
  params: Parameter[];
  body?: Schema;
  /** A multipart/form-data body (uploads): its parts' schema. */
  multipart?: Schema;
}

/** A multipart body: text fields and files, in order. */
interface Multipart {
  fields: [string, string][];
  files: [string, Buffer, string][];
}

/** One generated request. `invalid` marks input the API must refuse (any 4xx); otherwise 2xx/404 may also do. */
interface Case {
  op: Operation;
  what: string;
  url: string;
  body?: unknown;
  /** Sent as-is with this content type instead of JSON-encoding `body`. */
  raw?: { text: string; type: string };
  headers?: Record<string, string>;
  /** Sent as multipart/form-data. */
  multipart?: Multipart;
  invalid: boolean;
}

const CONCURRENCY = 8;
const PROBLEM_JSON = /^application\/problem\+json/;
const CHINESE = '培育高新技术企业'.repeat(1250); // 10,000 characters
const HOSTILE = [
  "'; DROP TABLE enterprises; --",
  '<script>alert(1)</script>',
  'a\u0000\u0007\u001bb',
  '🚀🏭👩‍🔬',
  '\u202eevil\u202c',
  '%00',
  '../../etc/passwd',
  '\\',
  '%',
  '_',
];
const TYPES: Record<string, unknown> = {
  string: 'str',
  number: 42,
  boolean: true,
  array: ['x'],
  object: { a: 1 },
  null: null,
};

describe('bad input', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  let operations: Operation[];

  const resolve = (schema: Schema | undefined, depth = 0): Schema => {
    if (!schema || depth > 8) return {};
    if (schema.$ref) {
      const name = schema.$ref.replace('#/components/schemas/', '');
      return resolve({ ...document.components.schemas[name], ...omit(schema, '$ref') }, depth + 1);
    }
    if (schema.allOf) {
      const merged = schema.allOf
        .map((s) => resolve(s, depth + 1))
        .reduce((a, b) => ({ ...a, ...b, properties: { ...a.properties, ...b.properties } }), {} as Schema);
      return { ...merged, ...omit(schema, 'allOf') };
    }
    if ((schema.oneOf ?? schema.anyOf)?.length) return resolve((schema.oneOf ?? schema.anyOf)![0], depth + 1);
    return schema;
  };

  /** A value the schema accepts, as far as the document tells. */
  const sample = (raw: Schema | undefined, depth = 0): unknown => {
    const schema = resolve(raw);
    if (schema.example !== undefined) return schema.example;
    if (schema.enum?.length) return schema.enum[0];
    switch (typeOf(schema)) {
      case 'string':
        if (schema.format === 'uuid') return randomUUID();
        if (schema.format === 'date') return '2024-06-30';
        if (schema.format === 'date-time') return '2024-06-30T08:00:00.000Z';
        if (schema.format === 'email') return 'fuzz@peiyu.test';
        return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
      case 'integer':
        return Math.min(Math.max(schema.minimum ?? 1, 1), schema.maximum ?? Number.MAX_SAFE_INTEGER);
      case 'number':
        return Math.min(Math.max(schema.minimum ?? 1, 1), schema.maximum ?? Number.MAX_SAFE_INTEGER);
      case 'boolean':
        return true;
      case 'array':
        return depth > 4
          ? []
          : Array.from({ length: Math.max(schema.minItems ?? 1, 1) }, () => sample(schema.items, depth + 1));
      case 'object':
        return depth > 4
          ? {}
          : Object.fromEntries(
              (schema.required ?? []).map((name) => [name, sample(schema.properties?.[name], depth + 1)]),
            );
      default:
        return 'x';
    }
  };

  /** Values of the wrong kind, out of range, oversized or hostile for one field of this schema. */
  const badValues = (raw: Schema | undefined): { value: unknown; what: string; invalid: boolean }[] => {
    const schema = resolve(raw);
    const type = typeOf(schema);
    const out: { value: unknown; what: string; invalid: boolean }[] = [];
    for (const [kind, value] of Object.entries(TYPES)) {
      if (kind === type || (kind === 'number' && type === 'integer')) continue;
      // null may mean "clear this optional field"; otherwise a value of another kind is refused
      // (when the document says which kind is right: a `number | null` has no type there).
      out.push({
        value,
        what: `wrong type ${kind}`,
        invalid: kind === 'null' ? !schema.nullable : type !== undefined,
      });
    }
    if (type === 'integer' || type === 'number') {
      out.push(
        { value: -1, what: '-1', invalid: schema.minimum !== undefined && schema.minimum > -1 },
        { value: 1e308, what: '1e308', invalid: schema.maximum !== undefined || type === 'integer' },
        { value: 1.005, what: '1.005', invalid: type === 'integer' },
        { value: 2 ** 53 + 2, what: '2^53+2', invalid: schema.maximum !== undefined || type === 'integer' },
        { value: 'NaN', what: "'NaN'", invalid: true },
        { value: 'Infinity', what: "'Infinity'", invalid: true },
        { value: '12abc', what: "'12abc'", invalid: true },
      );
    }
    if (type === 'string') {
      out.push({
        value: CHINESE,
        what: '10,000 Chinese characters',
        invalid: schema.maxLength !== undefined && schema.maxLength < 10000,
      });
      out.push({ value: '', what: 'empty string', invalid: (schema.minLength ?? 0) > 0 });
      for (const value of HOSTILE)
        out.push({
          value,
          what: `hostile ${JSON.stringify(value)}`,
          invalid: value.includes('\u0000') || !!schema.enum || !!schema.format,
        });
    }
    if (schema.enum) out.push({ value: 'no-such-value', what: 'unknown enum value', invalid: true });
    if (type === 'array') {
      out.push({
        value: Array.from({ length: 3 }, () => ({ nested: { deeper: [null] } })),
        what: 'array of junk objects',
        invalid: typeOf(resolve(schema.items)) !== 'object',
      });
      out.push({ value: [null], what: 'array of null', invalid: true });
    }
    if (type === 'object')
      out.push({ value: { unknownField: 1 }, what: 'object with an unknown field', invalid: true });
    return out;
  };

  const neutral = (p: Parameter): string => {
    const schema = resolve(p.schema);
    if (schema.enum?.length) return String(schema.enum[0]);
    if (typeOf(schema) === 'integer' || typeOf(schema) === 'number') return String(schema.minimum ?? 2024);
    return randomUUID();
  };

  /** One record of each kind, keyed by the path segment before its `{id}`: refused input is also sent to these. */
  const existing: Record<string, string> = {};

  const buildUrl = (
    op: Operation,
    overrides: Record<string, string> = {},
    query = '',
    onExisting = false,
  ) => {
    const path = op.path.replace(/([^/]+)\/\{([^}]+)\}/g, (_, segment: string, name: string) => {
      const p = op.params.find((x) => x.in === 'path' && x.name === name);
      const real = onExisting && p && typeOf(resolve(p.schema)) !== 'integer' ? existing[segment] : undefined;
      return `${segment}/${overrides[name] ?? real ?? (p ? encodeURIComponent(neutral(p)) : randomUUID())}`;
    });
    return query ? `${path}?${query}` : path;
  };

  const generate = (op: Operation): Case[] => {
    const cases: Case[] = [];
    const pathParams = op.params.filter((p) => p.in === 'path');
    const queryParams = op.params.filter((p) => p.in === 'query');
    const headerParams = op.params.filter((p) => p.in === 'header');
    const hasBody = !!op.body;
    const bodySchema = resolve(op.body);
    // Where the resource does not exist (path ids), a valid body is safe: it ends in a 404.
    // Without path ids a valid body would create something, so every mutation starts from {}.
    const safeBase = pathParams.length > 0 ? (sample(bodySchema) as Record<string, unknown>) : {};
    const baseIsIncomplete = pathParams.length === 0 && (bodySchema.required?.length ?? 0) > 0;
    const body = hasBody ? safeBase : undefined;

    // Path parameters.
    for (const p of pathParams) {
      const schema = resolve(p.schema);
      const numeric = typeOf(schema) === 'integer' || typeOf(schema) === 'number';
      const bad: [string, string, boolean][] = [
        ['not-a-uuid', 'not a UUID', true],
        ['%00', 'NUL', true],
        ['%E0%A4%A', 'broken percent-encoding', true],
        [encodeURIComponent("1' OR '1'='1"), 'SQL', true],
        ['9'.repeat(400), 'very long digits', true],
        ['a'.repeat(5000), 'very long', true],
        [randomUUID().toUpperCase().replace(/-/g, ''), 'UUID without dashes', true],
        [encodeURIComponent(CHINESE.slice(0, 50)), 'Chinese', true],
      ];
      if (numeric)
        bad.push(
          ['-1', '-1', schema.minimum !== undefined],
          ['1e308', '1e308', true],
          ['1.5', '1.5', true],
          ['99999999999999999999', 'huge', true],
          ['0x10', 'hex', true],
        );
      else
        bad.push(
          [randomUUID(), 'unknown but well-formed UUID', false],
          ['00000000-0000-0000-0000-000000000000', 'nil UUID', false],
        );
      for (const [value, what, invalid] of bad) {
        cases.push({
          op,
          what: `path ${p.name}: ${what}`,
          url: buildUrl(op, { [p.name]: value }),
          body,
          invalid,
        });
      }
    }

    // Query parameters: wrong types, unknown enum values, overlong values, and one nobody documents.
    for (const p of queryParams) {
      const others = queryParams
        .filter((q) => q !== p && q.required)
        .map((q) => `${q.name}=${encodeURIComponent(String(sample(q.schema)))}`);
      const schema = resolve(p.schema);
      const values: { value: string; what: string; invalid: boolean }[] = [
        {
          value: 'x'.repeat(5000),
          what: 'overlong',
          invalid: !!schema.maxLength || !!schema.enum || !!schema.format || typeOf(schema) !== 'string',
        },
        {
          value: encodeURIComponent(CHINESE.slice(0, 2000)),
          what: 'Chinese',
          invalid: !!schema.maxLength || !!schema.enum || !!schema.format || typeOf(schema) !== 'string',
        },
        {
          value: 'no-such-value',
          what: 'unknown value',
          invalid: !!schema.enum || !!schema.format || typeOf(schema) !== 'string',
        },
        { value: '', what: 'empty', invalid: false },
        { value: '-1', what: '-1', invalid: !!schema.enum || schema.minimum !== undefined },
        {
          value: '1e308',
          what: '1e308',
          invalid: !!schema.enum || schema.maximum !== undefined || typeOf(schema) === 'integer',
        },
        { value: '1.005', what: '1.005', invalid: !!schema.enum || typeOf(schema) === 'integer' },
        { value: 'NaN', what: 'NaN', invalid: typeOf(schema) !== 'string' || !!schema.enum },
        {
          value: '99999999999999999999999',
          what: 'huge number',
          invalid: !!schema.enum || schema.maximum !== undefined || typeOf(schema) === 'integer',
        },
        { value: '2024-02-30', what: 'impossible date', invalid: !!schema.enum || schema.format === 'date' },
        {
          value: 'true',
          what: 'boolean',
          invalid:
            !!schema.enum || typeOf(schema) === 'integer' || typeOf(schema) === 'number' || !!schema.format,
        },
        ...HOSTILE.map((h) => ({
          value: encodeURIComponent(h),
          what: `hostile ${JSON.stringify(h)}`,
          invalid: h.includes('\u0000') || !!schema.enum || !!schema.format,
        })),
        { value: `a&${p.name}=b`, what: 'repeated', invalid: typeOf(schema) !== 'array' },
        { value: '%E0%A4%A', what: 'broken percent-encoding', invalid: false },
      ];
      for (const { value, what, invalid } of values) {
        const listed = schema.enum?.map(String).includes(value) ?? false;
        cases.push({
          op,
          what: `query ${p.name}: ${what}`,
          url: buildUrl(op, {}, [...others, `${p.name}=${value}`].join('&')),
          body,
          invalid: (invalid && !listed) || baseIsIncomplete,
        });
      }
      cases.push({
        op,
        what: `query ${p.name}[]=`,
        url: buildUrl(op, {}, [...others, `${p.name}[]=1`].join('&')),
        body,
        invalid: baseIsIncomplete || queryParams.length > 0,
      });
    }
    cases.push({
      op,
      what: 'unknown query parameter',
      url: buildUrl(op, {}, 'bogusParameter=1'),
      body,
      invalid: baseIsIncomplete || queryParams.length > 0,
    });

    // Header parameters (Idempotency-Key, If-Match): junk and overlong values.
    for (const p of headerParams) {
      for (const [value, what] of [
        ['garbage', 'garbage'],
        ['"-1"', 'negative ETag'],
        ['"99999999999999"', 'huge ETag'],
        ['x'.repeat(2000), 'overlong'],
        ['a b\tc', 'whitespace'],
      ]) {
        cases.push({
          op,
          what: `header ${p.name}: ${what}`,
          url: buildUrl(op),
          body,
          headers: { [p.name]: value },
          invalid: /if-match/i.test(p.name) || baseIsIncomplete,
        });
      }
    }

    if (op.multipart) cases.push(...multipartCases(op));
    if (!hasBody) return cases;

    // Bodies: whole-body shapes.
    const url = buildUrl(op);
    cases.push({ op, what: 'body {}', url, body: {}, invalid: (bodySchema.required?.length ?? 0) > 0 });
    cases.push({
      op,
      what: 'unknown extra field',
      url,
      body: { ...safeBase, unknownExtraField: 'x' },
      invalid: true,
    });
    cases.push({
      op,
      what: 'prototype pollution',
      url,
      raw: {
        text: `{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}`,
        type: 'application/json',
      },
      invalid: true,
    });
    for (const [text, what] of [
      ['{"a":', 'truncated JSON'],
      ['{a:1}', 'unquoted key'],
      ['[]', 'JSON array'],
      ['[{}]', 'JSON array of an object'],
      ['"just a string"', 'JSON string'],
      ['42', 'JSON number'],
      ['null', 'JSON null'],
      ['true', 'JSON true'],
      ['', 'empty body'],
      ['\u0000', 'NUL byte'],
      ['['.repeat(5000) + ']'.repeat(5000), 'deep nesting'],
    ]) {
      cases.push({ op, what, url, raw: { text, type: 'application/json' }, invalid: true });
    }
    cases.push({
      op,
      what: 'text/plain body',
      url,
      raw: { text: 'hello', type: 'text/plain' },
      invalid: true,
    });
    cases.push({
      op,
      what: 'form body',
      url,
      raw: { text: 'a=1&b=2', type: 'application/x-www-form-urlencoded' },
      invalid: true,
    });
    cases.push({
      op,
      what: 'JSON with charset latin1',
      url,
      raw: { text: JSON.stringify(safeBase), type: 'application/json; charset=latin1' },
      invalid: baseIsIncomplete,
    });

    // Bodies: one property at a time.
    const walk = (
      schema: Schema,
      base: Record<string, unknown>,
      prefix: string,
      set: (value: unknown) => unknown,
      depth: number,
    ) => {
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        const field = prefix ? `${prefix}.${name}` : name;
        for (const { value, what, invalid } of badValues(prop)) {
          const required = schema.required?.includes(name) ?? false;
          const sent = set({ ...base, [name]: value }) as Record<string, unknown>;
          cases.push({
            op,
            what: `body ${field}: ${what}`,
            url,
            body: sent,
            // Still refused when a required top-level field is missing (the base of a create is {}).
            invalid:
              (bodySchema.required ?? []).some((r) => !(r in sent)) ||
              (value === null ? required && !resolve(prop).nullable : invalid),
          });
        }
        const resolved = resolve(prop);
        if (depth < 2 && typeOf(resolved) === 'object' && resolved.properties) {
          const inner = (sample(resolved) as Record<string, unknown>) ?? {};
          walk(resolved, inner, field, (v) => set({ ...base, [name]: v }), depth + 1);
        }
        if (depth < 2 && typeOf(resolved) === 'array') {
          const items = resolve(resolved.items);
          if (typeOf(items) === 'object' && items.properties) {
            walk(
              items,
              sample(items) as Record<string, unknown>,
              `${field}.0`,
              (v) => set({ ...base, [name]: [v] }),
              depth + 1,
            );
          }
        }
      }
    };
    walk(bodySchema, safeBase, '', (v) => v, 0);
    return cases;
  };

  // A spreadsheet with a header and no rows: every upload route refuses it, so no generated
  // upload can store anything, whatever its other fields.
  const HEADER_ONLY = Buffer.from('name,creditCode\r\n');

  /** The text fields an upload form needs, with values its schema accepts. */
  const multipartBase = (schema: Schema): Multipart => ({
    fields: (schema.required ?? [])
      .filter((name) => resolve(schema.properties?.[name]).format !== 'binary')
      .map((name) => [name, String(sample(schema.properties?.[name]))]),
    files: [['file', HEADER_ONLY, 'list.csv']],
  });

  /** Uploads: broken files, missing and extra parts, and bad values for each text field. */
  const multipartCases = (op: Operation): Case[] => {
    const schema = resolve(op.multipart);
    const base = multipartBase(schema);
    const url = buildUrl(op);
    const cases: Case[] = [];
    const add = (what: string, multipart: Multipart) =>
      cases.push({ op, what, url, multipart, invalid: true });
    const withFile = (data: Buffer, name: string) => ({
      ...base,
      files: [['file', data, name]] as Multipart['files'],
    });
    add('multipart: no file', { ...base, files: [] });
    add('multipart: header-only file', base);
    add('multipart: empty file', withFile(Buffer.alloc(0), 'empty.csv'));
    add('multipart: text named .xlsx', withFile(Buffer.from('hello'), 'list.xlsx'));
    add('multipart: truncated zip', withFile(Buffer.from('PK\u0003\u0004\u0014\u0000broken'), 'list.xlsx'));
    add(
      'multipart: legacy .xls',
      withFile(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), 'list.xls'),
    );
    add(
      'multipart: random bytes',
      withFile(Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)), 'list.csv'),
    );
    add('multipart: unclosed quote', withFile(Buffer.from('name,creditCode\r\n"x,\u0000y\r\n'), 'list.csv'));
    add(
      'multipart: hostile headers',
      withFile(
        Buffer.from(`${HOSTILE.map((h) => `"${h.replace(/"/g, '""')}"`).join(',')}\r\nx\r\n`),
        'list.csv',
      ),
    );
    add('multipart: unknown document type', withFile(HEADER_ONLY, 'list.docx'));
    add('multipart: file under another name', { ...base, files: [['upload', HEADER_ONLY, 'list.csv']] });
    add('multipart: two files', { ...base, files: [...base.files, ['file', HEADER_ONLY, 'again.csv']] });
    add('multipart: unknown field', { ...base, fields: [...base.fields, ['unknownField', 'x']] });
    add('multipart: repeated field', {
      ...base,
      fields: [...base.fields, ...base.fields, ['x', '1'], ['x', '2']],
    });
    add('multipart: overlong field', { ...base, fields: [...base.fields, ['note', 'x'.repeat(5000)]] });
    add('multipart: many fields', {
      ...base,
      fields: Array.from({ length: 50 }, (_, i) => [`f${i}`, 'x'] as [string, string]),
    });
    add('multipart: __proto__ field', { ...base, fields: [...base.fields, ['__proto__', 'x']] });
    for (const [name, prop] of Object.entries(schema.properties ?? {})) {
      if (resolve(prop).format === 'binary') continue;
      for (const { value, what } of badValues(prop)) {
        if (value !== null && typeof value === 'object') continue; // a form field is text
        add(`multipart ${name}: ${what}`, {
          ...base,
          fields: [...base.fields.filter(([n]) => n !== name), [name, String(value)]],
        });
      }
    }
    const boundary = 'fuzzboundary';
    for (const [text, what] of [
      [
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\nname,creditCode`,
        'truncated',
      ],
      [`--${boundary}\r\nno headers at all\r\n--${boundary}--\r\n`, 'part without headers'],
      ['not multipart at all', 'garbage'],
    ]) {
      cases.push({
        op,
        what: `multipart body: ${what}`,
        url,
        raw: { text, type: `multipart/form-data; boundary=${boundary}` },
        invalid: true,
      });
    }
    cases.push({
      op,
      what: 'multipart without boundary',
      url,
      raw: { text: 'x', type: 'multipart/form-data' },
      invalid: true,
    });
    cases.push({ op, what: 'JSON instead of a file', url, body: { file: 'x' }, invalid: true });
    return cases;
  };

  /** Input that must be refused is sent to records that exist, so it gets past the lookups to the code behind them. */
  const generateAll = (op: Operation): Case[] =>
    generate(op).map((c) => {
      if (!c.invalid || c.what.startsWith('path ')) return c;
      const query = c.url.includes('?') ? c.url.slice(c.url.indexOf('?') + 1) : '';
      return { ...c, url: buildUrl(op, {}, query, true) };
    });

  const fixtures = async () => {
    const post = async (url: string, body: object) => {
      const res = await t.http.post(`/api/v1${url}`).set('authorization', t.adminAuth).send(body);
      if (res.status !== 201) throw new Error(`fixture ${url}: ${res.status} ${res.text}`);
      return res.body.id as string;
    };
    // Two of each, so every list has a second page and so a cursor to tamper with.
    for (const n of [1, 2]) {
      const first17 = `91370304MA3${String(((process.pid * 2 + n) % 900000) + 100000).padStart(6, '0')}`;
      existing.users = (await t.staff('officer')).id;
      existing['api-keys'] = await post('/api-keys', { name: `fuzz ${n}`, scopes: ['reports:read'] });
      existing.enterprises = await post('/enterprises', {
        name: `淄博博山模糊测试${n}科技有限公司`,
        creditCode: first17 + creditCodeCheckCharacter(first17),
        street: '城东街道',
      });
      const e = `/enterprises/${existing.enterprises}`;
      existing['ip-assets'] = await post(`${e}/ip-assets`, {
        kind: 'invention_patent',
        title: '一种高铝耐火材料的制备方法',
        number: `ZL20191000000${n}.1`,
        grantedAt: '2020-05-01',
        acquisition: 'self_developed',
      });
      existing['ip-assets'] = await post(`${e}/ip-assets`, {
        kind: 'software_copyright',
        title: '企业管理软件',
        number: `2020SR00000${n}`,
        grantedAt: '2020-06-01',
        acquisition: 'self_developed',
      });
      existing.batches = await post('/batches', {
        program: 'hnte',
        year: 2022,
        name: `山东省2022年第${n}批`,
        registrationDeadline: '2022-05-31',
        materialsDeadline: '2022-06-30',
        submissionDeadline: '2022-07-15',
      });
      existing.applications = await post(`${e}/applications`, {
        program: 'hnte',
        year: 2022,
        batchId: existing.batches,
      });
      existing.contracts = await post(`${e}/contracts`, {
        contractNo: `KJFW-FUZZ-${n}`,
        signedAt: '2025-03-01',
        startsAt: '2025-03-10',
        endsAt: '2025-12-31',
        amount: 50000,
      });
      existing['service-records'] = await post(`${e}/service-records`, {
        kind: 'visit',
        at: '2025-03-02T09:30:00+08:00',
        participants: ['王总'],
        summary: '走访企业',
      });
      await post(`${e}/service-records`, {
        kind: 'visit',
        at: '2025-03-05T09:30:00+08:00',
        participants: ['李会计'],
        summary: '回访企业',
      });
      existing.tracking = await post(`${e}/tracking`, {
        reasons: ['研发投入不足'],
        nextFollowUpAt: '2026-12-01',
      });
      existing.demands = await post(`${e}/demands`, {
        kind: 'talent_need',
        title: `招聘耐材工程师${n}`,
        headcount: 2,
        period: '2022H1',
      });
    }
  };

  /**
   * Tampered cursors: a real one from each list's first page with each key swapped for a value
   * of another kind (cursors are opaque, but nothing stops a client editing one), plus junk.
   */
  const cursorCases = async (): Promise<Case[]> => {
    const cases: Case[] = [];
    const enc = (value: unknown) =>
      Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
    const keys: unknown[] = [
      'not-a-date',
      '2024-02-30T00:00:00Z',
      '+275760-09-13',
      'not-a-uuid',
      'x'.repeat(400),
      '\u0000',
      -1,
      1.5,
      1e308,
      -1e308,
      true,
      null,
      {},
      [],
      [1, 2],
    ];
    for (const op of operations.filter(
      (o) => o.method === 'GET' && o.params.some((p) => p.in === 'query' && p.name === 'cursor'),
    )) {
      const required = op.params
        .filter((p) => p.in === 'query' && p.required)
        .map((p) => `${p.name}=${encodeURIComponent(String(sample(p.schema)))}`);
      const url = (cursor: string) => buildUrl(op, {}, [...required, `cursor=${cursor}`].join('&'), true);
      const junk: [unknown, string][] = [
        [{ a: 1 }, 'object'],
        [null, 'null'],
        [42, 'number'],
        [[], 'empty array'],
        ['\u00ff\u00fe', 'not JSON'],
        [['x'.repeat(300)], 'unknown sort'],
      ];
      for (const [value, what] of junk)
        cases.push({ op, what: `cursor: ${what}`, url: url(enc(value)), invalid: true });
      const first = await t.http
        .get(buildUrl(op, {}, [...required, 'limit=1'].join('&'), true))
        .set('authorization', t.adminAuth);
      const cursor = first.body?.nextCursor;
      if (typeof cursor !== 'string') continue;
      const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
      cases.push({ op, what: 'cursor: one key too many', url: url(enc([...decoded, 1])), invalid: true });
      cases.push({ op, what: 'cursor: one key too few', url: url(enc(decoded.slice(0, -1))), invalid: true });
      for (let i = 1; i < decoded.length; i++) {
        for (const key of keys) {
          const tampered = [...decoded];
          tampered[i] = key;
          // A key of the right kind but another value is just another position: any answer but a 5xx.
          cases.push({
            op,
            what: `cursor key ${i}: ${JSON.stringify(key).slice(0, 40)} (was ${JSON.stringify(decoded[i])})`,
            url: url(enc(tampered)),
            invalid: false,
          });
        }
      }
    }
    return cases;
  };

  const checksums = async (): Promise<Record<string, string>> => {
    // Worker heartbeats change by themselves every WORKER_HEARTBEAT_MS.
    const tables: { name: string }[] = await t.db.query(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
          AND table_name NOT IN ('migrations', 'login_failures', 'idempotency_keys', 'worker_heartbeats')
        ORDER BY table_name`,
    );
    const out: Record<string, string> = {};
    for (const { name } of tables) {
      const [row] = await t.db.query(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '' ORDER BY t::text), '')) AS sum FROM "${name}" t`,
      );
      out[name] = `${row.n} rows, ${row.sum}`;
    }
    return out;
  };

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.http.get('/openapi.json');
    expect(res.status).toBe(200);
    document = res.body;
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([m]) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
        .map(([m, operation]) => ({
          method: m.toUpperCase() as Method,
          path,
          params: operation.parameters ?? [],
          body: operation.requestBody?.content?.['application/json']?.schema,
          multipart: operation.requestBody?.content?.['multipart/form-data']?.schema,
        })),
    );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('no request of any shape is a 5xx; every refusal is a problem+json naming what was wrong; nothing stored changes', async () => {
    expect(operations.length).toBeGreaterThanOrEqual(15);
    await fixtures();
    // The IP assets queued a readiness recompute; let it land before the snapshot.
    for (let i = 0; i < 100; i++) {
      const [{ n }] = (await t.db.query(`SELECT count(*)::int AS n FROM readiness_assessments`)) as {
        n: number;
      }[];
      if (n > 0 && JSON.stringify(await checksums()) === JSON.stringify(await sleep(300).then(checksums)))
        break;
      await sleep(100);
    }
    // No API call makes an older assessment or a nightly run on demand: written directly, so
    // those lists have a second page and their cursors get tampered with too.
    await t.db.query(
      `INSERT INTO readiness_assessments
       SELECT (jsonb_populate_record(a, jsonb_build_object('id', gen_random_uuid(), 'assessed_at', a.assessed_at - interval '1 day'))).*
         FROM readiness_assessments a`,
    );
    await t.db.query(
      `INSERT INTO readiness_runs (started_at, finished_at) VALUES (now() - interval '2 days', now() - interval '2 days'), (now() - interval '1 day', now() - interval '1 day')`,
    );
    const cases = [...operations.flatMap(generateAll), ...(await cursorCases())];
    // The upload routes are fuzzed as multipart too (their bodies are not JSON).
    expect(cases.filter((c) => c.multipart).length).toBeGreaterThan(50);
    const before = await checksums();
    expect(Object.keys(before)).toEqual(expect.arrayContaining(['enterprises', 'users', 'audit_entries']));

    const failures: string[] = [];
    const statuses: Record<number, number> = {};
    const kinds: Record<string, number> = {};
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const c = cases[next++];
        let req = t.http[c.op.method.toLowerCase() as 'get'](c.url).set('authorization', t.adminAuth);
        for (const [name, value] of Object.entries(c.headers ?? {})) req = req.set(name, value);
        // Cases not about the upload itself still send one, so they reach the handler's checks.
        const multipart =
          c.multipart ??
          (c.op.multipart && !c.raw && c.body === undefined
            ? multipartBase(resolve(c.op.multipart))
            : undefined);
        if (multipart) {
          for (const [name, value] of multipart.fields) req = req.field(name, value);
          for (const [name, data, filename] of multipart.files) req = req.attach(name, data, filename);
        } else if (c.raw) req = req.set('content-type', c.raw.type).send(c.raw.text);
        else if (c.body !== undefined) req = req.send(c.body as object);
        let problem: string | undefined;
        let res: Awaited<typeof req> | undefined;
        try {
          res = await req;
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          problem = check(c, res.status, String(res.headers['content-type'] ?? ''), res.body);
        } catch (err) {
          problem = `request failed: ${(err as Error).message}`;
        }
        if (problem) {
          kinds[problem.replace(/\(.*\)/, '').trim()] =
            (kinds[problem.replace(/\(.*\)/, '').trim()] ?? 0) + 1;
          failures.push(
            [
              `${problem}`,
              `  ${c.op.method} ${excerpt(c.url)}   [${c.what}]`,
              `  body: ${excerpt(c.raw ? c.raw.text : JSON.stringify(c.body))}`,
              res ? `  → ${res.status} ${res.headers['content-type'] ?? ''} ${excerpt(res.text)}` : '',
            ].join('\n'),
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const after = await checksums();

    process.stdout.write(
      `bad input: ${cases.length} requests over ${operations.length} operations in ${Date.now() - started} ms; statuses ${JSON.stringify(statuses)}\n`,
    );
    if (failures.length > 0) {
      if (process.env.BAD_INPUT_REPORT) writeFileSync(process.env.BAD_INPUT_REPORT, failures.join('\n\n'));
      // 5xx first: they are the bugs; one example per operation and kind keeps the report readable.
      const seen = new Set<string>();
      const shown = [...failures]
        .sort((a, b) => Number(!a.startsWith('5xx')) - Number(!b.startsWith('5xx')))
        .filter((f) => {
          const key = f
            .split('[')[0]
            .replace(/\?.*$/m, '')
            .replace(/\/[0-9a-f-]{36}/g, '/{id}');
          return !seen.has(key) && !!seen.add(key);
        });
      throw new Error(
        `${failures.length} of ${cases.length} bad requests were mishandled ${JSON.stringify(kinds)}:\n\n${shown.slice(0, 40).join('\n\n')}`,
      );
    }
    expect(after).toEqual(before);
  }, 180_000);

  it('the check itself refuses a 5xx, a bare 4xx, and a 400 that names no field', () => {
    const op: Operation = { method: 'POST', path: '/x', params: [] };
    const c: Case = { op, what: 'self-test', url: '/x', invalid: true };
    const good = {
      type: '/problems/validation',
      title: 'Bad Request',
      status: 400,
      detail: 'd',
      errors: [{ field: 'name', message: 'm' }],
    };
    expect(check(c, 400, 'application/problem+json; charset=utf-8', good)).toBeUndefined();
    expect(check(c, 500, 'application/problem+json', { ...good, status: 500 })).toMatch(/5xx/);
    expect(check(c, 400, 'application/json', good)).toMatch(/content-type/);
    expect(check(c, 400, 'application/problem+json', { ...good, errors: [] })).toMatch(/errors/);
    expect(check(c, 201, 'application/json', {})).toMatch(/accepted/);
    expect(
      check({ ...c, invalid: false }, 404, 'application/problem+json', {
        ...good,
        status: 404,
        type: '/problems/not-found',
      }),
    ).toBeUndefined();
  });
});

/** What is wrong with this response to this request, or undefined. */
function check(c: Case, status: number, contentType: string, body: unknown): string | undefined {
  if (status >= 500) return `5xx (${status})`;
  if (status < 400) {
    if (c.invalid) return `accepted invalid input (${status})`;
    return undefined;
  }
  if (!PROBLEM_JSON.test(contentType))
    return `4xx without application/problem+json content-type (${contentType})`;
  const doc = body as Record<string, unknown> | undefined;
  for (const member of ['type', 'title', 'detail'] as const) {
    if (typeof doc?.[member] !== 'string' || !doc[member]) return `problem without ${member}`;
  }
  if (doc?.status !== status)
    return `problem status ${String(doc?.status)} is not the response status ${status}`;
  if (status === 400) {
    const errors = doc.errors;
    if (!Array.isArray(errors) || errors.length === 0) return '400 without errors[]';
    if (
      !errors.every(
        (e: { field?: unknown; message?: unknown }) =>
          typeof e?.field === 'string' && e.field && typeof e.message === 'string',
      )
    ) {
      return '400 errors[] entry without field/message';
    }
  }
  return undefined;
}

function typeOf(schema: Schema): string | undefined {
  // @nestjs/swagger documents every `T | null` property as a bare `type: object`: the kind is unknown.
  if (schema.type === 'object' && !schema.properties) return schema.format ? 'string' : undefined;
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  if (schema.enum?.length) return typeof schema.enum[0];
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function omit<T extends object>(value: T, key: keyof T): Partial<T> {
  const { [key]: _, ...rest } = value;
  return rest as Partial<T>;
}

function excerpt(text: string | undefined): string {
  if (text === undefined) return '(none)';
  const flat = [...text]
    .map((ch) => (ch.charCodeAt(0) < 0x20 ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}` : ch))
    .join('');
  return flat.length > 300 ? `${flat.slice(0, 300)}… (${flat.length} chars)` : flat;
}
