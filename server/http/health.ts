import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/client';
import { readMigrations } from '../db/migrate';

// /healthz: the process is up and takes new connections (503 while a cluster
// node drains, so load balancers send new players elsewhere). /readyz: the
// database answers and every migration this code knows has been applied.
export function registerHealthRoutes(app: FastifyInstance, db: Db, draining: () => boolean = () => false): void {
  const expected = readMigrations().map((m) => m.name);
  app.get('/healthz', async (_request, reply) => (draining() ? reply.code(503).send({ ok: false, reason: 'draining' }) : { ok: true }));
  app.get('/readyz', async (_request, reply) => {
    try {
      const rows = await db.$queryRawUnsafe<{ name: string }[]>('SELECT name FROM "_app_migrations"');
      const applied = new Set(rows.map((r) => r.name));
      const pending = expected.filter((name) => !applied.has(name));
      if (pending.length > 0) return reply.code(503).send({ ok: false, reason: 'migrations pending', pending });
      return { ok: true, migrations: expected.length };
    } catch (error) {
      return reply.code(503).send({ ok: false, reason: 'database unreachable', error: (error as Error).message });
    }
  });
}
