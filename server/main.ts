import Fastify from 'fastify';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './db/open';
import { registerHealthRoutes } from './http/health';

// Boot: validate configuration, open (or start) the database and migrate it,
// then serve. SIGINT/SIGTERM shut down gracefully, stopping the embedded
// PostgreSQL last.

async function main(): Promise<void> {
  const config = loadConfig();
  const app = Fastify({ logger: { level: config.LOG_LEVEL } });
  const database = await openDatabase(config, { log: (message) => app.log.info(message) });
  registerHealthRoutes(app, database.db);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  await app.listen({ port: config.PORT, host: config.HOST });
  app.log.info({ database: database.embedded ? 'embedded' : 'DATABASE_URL' }, 'poker server ready');
}

main().catch((error) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('fatal:', error);
  }
  process.exit(1);
});
