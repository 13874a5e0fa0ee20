import 'reflect-metadata';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { migrateDatabase } from './database/data-source.js';

let config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}

const ran = await migrateDatabase(config.DATABASE_URL);
const { app, logger } = await createApp(config);
if (ran.length > 0) logger.info({ migrations: ran }, 'Migrations applied');
if (config.runsApi) {
  await app.listen({ port: config.PORT, host: config.HOST });
  logger.info(
    { url: `http://${config.HOST}:${config.PORT}`, role: config.APP_ROLE, docs: '/docs' },
    'Peiyu is serving',
  );
} else {
  await app.init();
  logger.info({ role: config.APP_ROLE }, 'Peiyu worker started');
}

// SIGTERM (orchestrators) and SIGINT (Ctrl-C): stop taking requests, let in-flight requests
// and jobs finish, close pools, exit 0. A second signal, or a hang, ends it at once.
const SHUTDOWN_GRACE_MS = 25_000;
let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'Shutting down');
    setTimeout(() => {
      logger.error('Shutdown took too long; exiting');
      logger.flush();
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.close().then(
      () => {
        logger.flush();
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'Shutdown failed');
        process.exit(1);
      },
    );
  });
}
