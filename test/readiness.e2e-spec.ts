import { Queue } from 'bullmq';
import { Clock } from '../src/common/clock.js';
import { ReadinessProcessor } from '../src/readiness/readiness.processor.js';
import { QueueName } from '../src/queue/queue.constants.js';
import { REDIS_URL } from './support/environment.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { eventually } from './support/tcp-proxy.js';

const API = '/api/v1';

// A firm that passes HNTE comfortably when assessed on 2022-06-01 (window 2019–2021).
const YEARS = [
  {
    year: 2019,
    revenue: 30_000_000,
    highTechRevenue: 21_000_000,
    rdExpense: 1_800_000,
    rdExpenseDomestic: 1_800_000,
    netAssets: 10_000_000,
    employees: 100,
    techStaff: 18,
    achievementsTransformed: 5,
  },
  {
    year: 2020,
    revenue: 36_000_000,
    highTechRevenue: 25_000_000,
    rdExpense: 2_100_000,
    rdExpenseDomestic: 2_000_000,
    netAssets: 13_000_000,
    employees: 110,
    techStaff: 19,
    achievementsTransformed: 5,
  },
  {
    year: 2021,
    revenue: 42_000_000,
    highTechRevenue: 30_000_000,
    rdExpense: 2_500_000,
    rdExpenseDomestic: 2_400_000,
    netAssets: 18_000_000,
    employees: 120,
    techStaff: 20,
    achievementsTransformed: 6,
  },
];
const INNOVATION = {
  techAdvancement: 'A',
  coreSupport: 'A',
  standardsParticipation: true,
  rdManagement: { projectAccounting: 6, rdInstitution: 5, transformationIncentives: 4, talentDevelopment: 3 },
};
const IP = {
  kind: 'invention_patent',
  title: '一种高铝耐火材料的制备方法',
  number: 'ZL201910000001.1',
  grantedAt: '2020-05-01',
  acquisition: 'self_developed',
};

describe('readiness', () => {
  let t: TestApp;
  let creditSeq = 0;
  const code = () => {
    // Valid codes from a fixed prefix; the check character is computed by the API's own check.
    const body = `91370304MA3${String(100000 + ++creditSeq).padStart(6, '0')}`;
    return body;
  };

  beforeAll(async () => {
    t = await startTestApp({ APP_ROLE: 'all' });
    t.app.get(Clock).setNow(new Date('2022-06-01T02:00:00Z'));
  });
  afterAll(async () => {
    await t?.close();
  });

  const as = (req: ReturnType<TestApp['http']['get']>) => req.set('authorization', t.adminAuth);

  async function createEnterprise(extra: Record<string, unknown> = {}) {
    const { creditCodeCheckCharacter } = await import('../src/enterprises/credit-code.js');
    const first17 = code();
    const res = await as(t.http.post(`${API}/enterprises`)).send({
      name: `淄博测试${creditSeq}新材料有限公司`,
      creditCode: first17 + creditCodeCheckCharacter(first17),
      registeredAt: '2017-03-15',
      techDomain: 'new_materials',
      ...extra,
    });
    expect(res.status).toBe(201);
    return res.body as { id: string; status: string };
  }

  async function enterInputs(id: string, years = YEARS) {
    for (const { year, ...figures } of years) {
      const res = await as(t.http.put(`${API}/enterprises/${id}/financials/${year}`)).send({
        ...figures,
        source: 'audited',
      });
      expect([200, 201]).toContain(res.status);
    }
    expect((await as(t.http.post(`${API}/enterprises/${id}/ip-assets`)).send(IP)).status).toBe(201);
    const profile = await as(t.http.put(`${API}/enterprises/${id}/innovation-profile`)).send({
      ...INNOVATION,
      noMajorIncident: true,
    });
    expect([200, 201]).toContain(profile.status);
  }

  const latest = (id: string) => as(t.http.get(`${API}/enterprises/${id}/readiness`));

  async function waitForAssessment(
    id: string,
    predicate: (body: Record<string, unknown>) => boolean = () => true,
  ) {
    return eventually(async () => {
      const res = await latest(id);
      expect(res.status).toBe(200);
      expect(predicate(res.body)).toBe(true);
      return res.body;
    }, 15_000);
  }

  describe('POST /readiness/evaluate', () => {
    const request = {
      assessmentDate: '2022-06-01',
      registeredAt: '2017-03-15',
      techDomain: 'advanced_manufacturing',
      noMajorIncident: true,
      years: YEARS,
      ipAssets: [{ kind: 'invention_patent', grantedAt: '2020-05-01', acquisition: 'self_developed' }],
      innovation: INNOVATION,
    };

    it('scores a full profile: every criterion in order, a score range by block, the rule set', async () => {
      const res = await as(t.http.post(`${API}/readiness/evaluate`)).send(request);
      expect(res.status).toBe(200);
      expect(res.body.ruleSet).toBe('hnte-2016');
      expect(res.body.criteria.map((c: { code: string }) => c.code)).toEqual([
        'registration_age',
        'core_ip',
        'tech_domain',
        'tech_staff_ratio',
        'rd_expense_ratio',
        'domestic_rd_share',
        'high_tech_revenue_share',
        'innovation_score',
        'no_major_incident',
      ]);
      expect(res.body.eligible).toBe(true);
      expect(res.body.verdict).toBe('ready');
      expect(res.body.score.min).toBeGreaterThan(70);
      expect(Object.keys(res.body.score.blocks).sort()).toEqual([
        'growth',
        'ip',
        'rdManagement',
        'transformation',
      ]);
      const again = await as(t.http.post(`${API}/readiness/evaluate`)).send(request);
      expect(again.body).toEqual(res.body);
    });

    it('evaluates the tech-SME programme', async () => {
      const res = await as(t.http.post(`${API}/readiness/evaluate`)).send({
        ...request,
        program: 'tech_sme',
      });
      expect(res.status).toBe(200);
      expect(res.body.ruleSet).toBe('tsme-2017');
      expect(res.body.score.min).toBe(res.body.score.max);
    });

    it('refuses bad input with every bad field named, nested paths included', async () => {
      const res = await as(t.http.post(`${API}/readiness/evaluate`)).send({
        ...request,
        years: [{ ...YEARS[2], revenue: -1, employees: 1.5 }],
        innovation: {
          ...INNOVATION,
          techAdvancement: 'F',
          rdManagement: { ...INNOVATION.rdManagement, projectAccounting: 7 },
        },
        colour: 'blue',
      });
      expect(res.status).toBe(400);
      const fields = res.body.errors.map((e: { field: string }) => e.field).sort();
      expect([...new Set(fields)]).toEqual(
        [
          'colour',
          'innovation.rdManagement.projectAccounting',
          'innovation.techAdvancement',
          'years.0.employees',
          'years.0.revenue',
        ].sort(),
      );
      // Relations between fields are the rules' own checks (domestic R&D within R&D).
      const related = await as(t.http.post(`${API}/readiness/evaluate`)).send({
        ...request,
        years: [{ ...YEARS[2], rdExpenseDomestic: 3_000_000 }],
      });
      expect(related.status).toBe(400);
      expect(related.body.errors.map((e: { field: string }) => e.field)).toEqual([
        'years.0.rdExpenseDomestic',
      ]);
    });

    it('answers API keys with the readiness:evaluate scope, and only them', async () => {
      const key = async (scopes: string[]) =>
        (await as(t.http.post(`${API}/api-keys`)).send({ name: scopes.join(','), scopes })).body.key;
      const allowed = await key(['readiness:evaluate']);
      const other = await key(['enterprises:read']);
      expect(
        (await t.http.post(`${API}/readiness/evaluate`).set('x-api-key', allowed).send(request)).status,
      ).toBe(200);
      expect(
        (await t.http.post(`${API}/readiness/evaluate`).set('x-api-key', other).send(request)).status,
      ).toBe(403);
    });
  });

  describe('stored assessments', () => {
    it('follows the data: entered figures give a verdict, a changed figure moves it within seconds', async () => {
      const e = await createEnterprise();
      await enterInputs(e.id);
      const first = await waitForAssessment(e.id, (b) => b.verdict === 'ready');
      expect(first).toMatchObject({
        ruleSet: 'hnte-2016',
        assessmentDate: '2022-06-01',
        eligible: true,
        restsOnUnverifiedFigures: false,
      });
      // The stored verdict is what the stateless endpoint says for the inputs it used.
      const what = await as(t.http.post(`${API}/readiness/evaluate`)).send(first.inputs as object);
      expect({
        verdict: what.body.verdict,
        score: what.body.score,
        criteria: what.body.criteria,
        gaps: what.body.gaps,
      }).toEqual({
        verdict: first.verdict,
        score: first.score,
        criteria: first.criteria,
        gaps: first.gaps,
      });
      // The verdict moved the cultivation status (nobody set it by hand) and was audited.
      const enterprise = await as(t.http.get(`${API}/enterprises/${e.id}`));
      expect(enterprise.body.status).toBe('reserve');
      const audit = await as(t.http.get(`${API}/audit`)).query({ entity: 'enterprise', entityId: e.id });
      const actions = audit.body.data.map(
        (a: { action: string; actor: { type: string } }) => `${a.actor.type}:${a.action}`,
      );
      expect(actions).toEqual(expect.arrayContaining(['system:readiness', 'system:update']));

      // R&D collapses in 2021: the ratio fails, the verdict follows without anyone asking.
      const res = await as(t.http.put(`${API}/enterprises/${e.id}/financials/2021`)).send({
        ...YEARS[2],
        year: undefined,
        rdExpense: 100_000,
        rdExpenseDomestic: 100_000,
        source: 'self_reported',
      });
      expect(res.status).toBe(200);
      const second = await waitForAssessment(e.id, (b) => b.verdict === 'not_ready');
      expect(second.previousVerdict).toBe('ready');
      expect(second.restsOnUnverifiedFigures).toBe(true);
      expect(second.unverifiedYears).toEqual([2021]);
      const failed = (second.criteria as { code: string; passed: boolean }[]).find(
        (c) => c.code === 'rd_expense_ratio',
      );
      expect(failed?.passed).toBe(false);
      expect(
        (second.gaps as { code: string; message: string }[]).some(
          (g) => g.code === 'rd_expense_ratio' && /¥/.test(g.message),
        ),
      ).toBe(true);
      expect((await as(t.http.get(`${API}/enterprises/${e.id}`))).body.status).toBe('tracking');

      const history = await as(t.http.get(`${API}/enterprises/${e.id}/readiness/history`));
      expect(history.status).toBe(200);
      expect(history.body.data.map((h: { verdict: string }) => h.verdict)).toEqual(['not_ready', 'ready']);
    });

    it('leaves a status set by hand alone', async () => {
      const e = await createEnterprise({ status: 'prospect' });
      await enterInputs(e.id);
      await waitForAssessment(e.id, (b) => b.verdict === 'ready');
      expect((await as(t.http.get(`${API}/enterprises/${e.id}`))).body.status).toBe('prospect');
    });

    it('POST …/readiness/recompute queues one (202); unknown enterprises are 404', async () => {
      const e = await createEnterprise();
      // Figures written behind the API's back: only the explicit request can notice them.
      await t.db.query(
        `INSERT INTO enterprise_financials (enterprise_id, year, revenue, employees, tech_staff) VALUES ($1, 2021, 1000000, 10, 2)`,
        [e.id],
      );
      const res = await as(t.http.post(`${API}/enterprises/${e.id}/readiness/recompute`));
      expect(res.status).toBe(202);
      expect(res.body).toEqual({ enterpriseId: e.id, status: 'queued' });
      await waitForAssessment(e.id);
      const unknown = '00000000-0000-4000-8000-000000000000';
      expect((await as(t.http.post(`${API}/enterprises/${unknown}/readiness/recompute`))).status).toBe(404);
      expect((await latest(unknown)).status).toBe(404);
    });

    it('a burst of edits to one enterprise is one recompute job', async () => {
      const e = await createEnterprise();
      await enterInputs(e.id);
      await waitForAssessment(e.id, (b) => b.verdict === 'ready');
      const before = await t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM readiness_assessments WHERE enterprise_id = $1',
        [e.id],
      );
      await Promise.all(
        [1, 2, 3, 4, 5].map((i) =>
          as(t.http.put(`${API}/enterprises/${e.id}/financials/2021`)).send({
            ...YEARS[2],
            year: undefined,
            employees: 120 + i,
            source: 'audited',
          }),
        ),
      );
      await eventually(async () => {
        const [row] = await t.db.query<{ employees: number }>(
          `SELECT (inputs->'years'->2->>'employees')::int AS employees FROM readiness_assessments WHERE enterprise_id = $1 ORDER BY assessed_at DESC LIMIT 1`,
          [e.id],
        );
        const [{ employees }] = await t.db.query<{ employees: number }>(
          'SELECT employees FROM enterprise_financials WHERE enterprise_id = $1 AND year = 2021',
          [e.id],
        );
        expect(row.employees).toBe(employees);
      });
      const after = await t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM readiness_assessments WHERE enterprise_id = $1',
        [e.id],
      );
      // Five edits, at most two re-scores (one may already be running when the rest arrive).
      expect(after[0].n - before[0].n).toBeLessThanOrEqual(2);
    });
  });

  describe('nightly re-score', () => {
    it('is scheduled once, in APP_TIMEZONE, however often workers start', async () => {
      const again = await startTestApp({ APP_ROLE: 'worker', QUEUE_PREFIX: t.config.QUEUE_PREFIX });
      await again.close();
      const queue = new Queue(QueueName.Readiness, {
        connection: { url: REDIS_URL },
        prefix: t.config.QUEUE_PREFIX,
      });
      try {
        const schedulers = await queue.getJobSchedulers();
        expect(schedulers).toHaveLength(1);
        expect(schedulers[0]).toMatchObject({
          key: 'readiness:nightly',
          tz: 'Asia/Shanghai',
          pattern: '30 2 * * *',
        });
      } finally {
        await queue.close();
      }
    });

    it('re-scores everyone as of today: the one-year mark moves a young firm; the run is recorded', async () => {
      const young = await createEnterprise({ registeredAt: '2021-09-01' });
      await enterInputs(
        young.id,
        YEARS.filter((y) => y.year === 2021),
      );
      const before = await waitForAssessment(young.id);
      const age = (before.criteria as { code: string; passed: boolean }[]).find(
        (c) => c.code === 'registration_age',
      );
      expect(age?.passed).toBe(false);

      t.app.get(Clock).setNow(new Date('2022-09-02T02:00:00Z'));
      const run = await t.app.get(ReadinessProcessor).rescoreAll();
      expect(run.enterprises).toBeGreaterThanOrEqual(1);
      expect(run.changed).toBeGreaterThanOrEqual(1);
      const after = await waitForAssessment(young.id, (b) => b.assessmentDate === '2022-09-02');
      expect(
        (after.criteria as { code: string; passed: boolean }[]).find((c) => c.code === 'registration_age')
          ?.passed,
      ).toBe(true);
      expect(after.trigger).toBe('nightly');
      const [stored] = await t.db.query<{ enterprises: number; finished: boolean }>(
        'SELECT enterprises, finished_at IS NOT NULL AS finished FROM readiness_runs WHERE id = $1',
        [run.runId],
      );
      expect(stored).toEqual({ enterprises: run.enterprises, finished: true });
      const runs = await as(t.http.get(`${API}/readiness/runs`));
      expect(runs.status).toBe(200);
      expect(runs.body.data[0]).toMatchObject({ id: run.runId, enterprises: run.enterprises, changed: run.changed, error: null });
      expect(runs.body.data[0].durationMs).toBeGreaterThanOrEqual(0);

      // Nothing changed since: a second run stores nothing new.
      const quiet = await t.app.get(ReadinessProcessor).rescoreAll();
      expect(quiet.changed).toBe(0);

      // An enterprise with nothing entered stays unassessed, its status untouched.
      const bare = await createEnterprise();
      await t.app.get(ReadinessProcessor).rescoreAll();
      expect((await latest(bare.id)).body.type).toBe('/problems/not-assessed');
      expect((await as(t.http.get(`${API}/enterprises/${bare.id}`))).body).toMatchObject({
        status: 'prospect',
        readinessVerdict: null,
      });
      t.app.get(Clock).setNow(new Date('2022-06-01T02:00:00Z'));
    });
  });

  it('the enterprise list filters by verdict and sorts by score (unassessed last), walking every row once', async () => {
    const ready = await as(t.http.get(`${API}/enterprises`)).query({ readiness: 'ready', limit: 200 });
    expect(ready.status).toBe(200);
    const stored = await t.db.query<{ id: string }>(
      `SELECT id FROM enterprises WHERE readiness_verdict = 'ready' AND deleted_at IS NULL ORDER BY id`,
    );
    expect(ready.body.data.map((e: { id: string }) => e.id)).toEqual(stored.map((r) => r.id));
    expect(stored.length).toBeGreaterThan(0);
    expect(
      ready.body.data.every(
        (e: { readinessVerdict: string; readinessScoreMin: number }) =>
          e.readinessVerdict === 'ready' && e.readinessScoreMin > 70,
      ),
    ).toBe(true);
    expect((await as(t.http.get(`${API}/enterprises`)).query({ readiness: 'maybe' })).status).toBe(400);

    const seen: { id: string; readinessScoreMin: number | null }[] = [];
    let cursor: string | undefined;
    do {
      const page = await as(t.http.get(`${API}/enterprises`)).query({
        sort: '-scoreMin',
        limit: 2,
        ...(cursor && { cursor }),
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.data);
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    const all = await t.db.query<{ id: string; s: number }>(
      `SELECT id, coalesce(readiness_score_min, -1) AS s FROM enterprises WHERE deleted_at IS NULL ORDER BY 2 DESC, id DESC`,
    );
    expect(seen.map((e) => e.id)).toEqual(all.map((r) => r.id));
    expect(seen.map((e) => e.readinessScoreMin ?? -1)).toEqual(all.map((r) => r.s));
  });

  it('GET /readiness/summary counts the pool by verdict, street, tier and domain', async () => {
    const res = await as(t.http.get(`${API}/readiness/summary`));
    expect(res.status).toBe(200);
    const [{ n }] = await t.db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM enterprises WHERE deleted_at IS NULL',
    );
    expect(res.body.total).toBe(n);
    const v = res.body.byVerdict;
    expect(v.ready + v.borderline + v.not_ready + v.unassessed).toBe(n);
    const [{ ready }] = await t.db.query<{ ready: number }>(
      `SELECT count(*)::int AS ready FROM enterprises WHERE readiness_verdict = 'ready' AND deleted_at IS NULL`,
    );
    expect(v.ready).toBe(ready);
    const byDomain = Object.values(res.body.byTechDomain as Record<string, typeof v>).reduce(
      (s, c) => s + c.ready + c.borderline + c.not_ready + c.unassessed,
      0,
    );
    expect(byDomain).toBe(n);
  });
});
