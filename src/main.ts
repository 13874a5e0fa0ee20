import 'reflect-metadata';
import { createApp } from './app.js';
import { flushLogs } from './common/logger.js';
import { ConfigError, loadConfig } from './config/app-config.js';
import { isDatabaseUnavailable } from './database/availability.js';
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
// A promise nobody awaited failed: log it with its stack and keep serving (the work it
// carried is recovered from PostgreSQL by the sweepers). A thrown exception nobody caught
// leaves the process in an unknown state: log it, flush, exit 1 for the supervisor to restart.
process.on('unhandledRejection', (err) => logger.error({ err }, 'Unhandled promise rejection'));
process.on('uncaughtException', (err) => {
  // A pooled PostgreSQL connection ended by the server (a failover, an operator ending
  // backends) can emit its error between queries, where no one listens. The connection is
  // dead and the pool replaces it; nothing else is in doubt, so keep serving.
  if (isDatabaseUnavailable(err)) {
    logger.warn({ err }, 'A database connection died between queries; the pool replaces it');
    return;
  }
  logger.fatal({ err }, 'Uncaught exception; exiting');
  flushLogs(logger);
  process.exit(1);
});
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
      flushLogs(logger);
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    app.close().then(
      () => {
        flushLogs(logger);
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'Shutdown failed');
        flushLogs(logger);
        process.exit(1);
      },
    );
  });
}
