// Where the test run's PostgreSQL and Redis are, and the names this run uses in them.
// test/support/global-setup.mjs fills the PEIYU_TEST_* variables; each test worker reads them.
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export function runInfo(): { runId: string; serverUrl: string; template: string } {
  const { PEIYU_TEST_RUN_ID: runId, PEIYU_TEST_SERVER_URL: serverUrl, PEIYU_TEST_TEMPLATE: template } = process.env;
  if (!runId || !serverUrl || !template) throw new Error('Run the tests through `npm test` (globalSetup prepares the databases)');
  return { runId, serverUrl, template };
}
