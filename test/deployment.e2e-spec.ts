import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { AppConfig } from '../src/config/app-config.js';

// docker compose cannot run on the CI machine; these checks keep the files honest by reading.
const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true });
const envExample = readFileSync('.env.example', 'utf8');
const exampleVariables = [...envExample.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
const configVariables = [
  ...Object.keys(new AppConfig()).filter((k) => k === k.toUpperCase()),
  'SMTP_URL',
  'ADMIN_EMAIL',
  'ADMIN_PASSWORD',
  'JWT_SECRET',
].sort();

describe('deployment files', () => {
  it('.env.example lists exactly the variables the service reads', () => {
    expect([...exampleVariables].sort()).toEqual(configVariables);
  });

  it('README documents every variable', () => {
    const readme = readFileSync('README.md', 'utf8');
    expect(configVariables.filter((v) => !readme.includes(`\`${v}\``))).toEqual([]);
  });

  it('docker-compose.yml has the services, health checks and volumes it promises', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['api', 'mailpit', 'postgres', 'redis', 'worker']);
    for (const name of ['postgres', 'redis', 'api']) expect(compose.services[name].healthcheck.test).toBeTruthy();
    expect(Object.keys(compose.volumes).sort()).toEqual(['postgres-data', 'redis-data']);
    expect(compose.services.api.environment.APP_ROLE).toBe('api');
    expect(compose.services.worker.environment.APP_ROLE).toBe('worker');
    expect(compose.services.api.build).toBe('.');
    expect(compose.services.worker.image).toBe(compose.services.api.image);
  });

  it('compose only sets variables the service knows, with values its config accepts', () => {
    for (const name of ['api', 'worker']) {
      const env: Record<string, string> = compose.services[name].environment;
      expect(Object.keys(env).filter((k) => !configVariables.includes(k))).toEqual([]);
      const hosts = [env.DATABASE_URL, env.REDIS_URL, env.SMTP_URL].map((u) => new URL(u).hostname);
      expect(hosts).toEqual(['postgres', 'redis', 'mailpit']);
    }
    expect(compose.services.api.depends_on.postgres.condition).toBe('service_healthy');
  });

  it('the Dockerfile builds and runs the same entry point as npm start', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
    expect(pkg.scripts.start).toBe('node dist/src/main.js');
    expect(dockerfile).toContain('CMD ["node", "dist/src/main.js"]');
    expect(dockerfile).toContain('COPY migrations ./migrations');
  });
});
