import { firstAdminBanner, startServer } from './app';
import { ConfigError, loadConfig } from './config';

// `npm start`: validate configuration, open (or start) the database and
// migrate it, rebuild the tables, then serve HTTP and Socket.IO on one port.
// SIGINT/SIGTERM shut down gracefully: hands in progress get a few seconds to
// finish (an unfinished hand is void: nothing of it was committed), sockets
// close, and the embedded PostgreSQL stops last.

const SHUTDOWN_GRACE_MS = 5_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startServer({ config, onFirstAdmin: (admin) => console.log(firstAdminBanner(admin)) });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    try {
      await server.close(SHUTDOWN_GRACE_MS);
      process.exit(0);
    } catch (error) {
      server.app.log.error({ error: (error as Error).message }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  server.app.log.info({ url: server.url, database: server.database.embedded ? 'embedded' : 'DATABASE_URL' }, 'poker server ready');
  console.log(`atomic-poker is running at ${server.url}`);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
