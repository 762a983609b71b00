import type { Logger } from 'pino';
import type { Db } from '../db/client';
import type { Prisma } from '../db/generated/client';
import { generatePassword, hashPassword } from './passwords';
import { forgetDevices } from './devices';
import { deleteUserSessions } from './sessions';
import { USERNAME_PATTERN, nameKey, normalizeUsername } from './users';

// The first admin. At boot, when no ADMIN exists, one is made with a random
// one-time password that is printed once. An existing user of that name is
// promoted and gets a new password (and loses its sessions), so squatting the
// admin username before the first boot gains nothing.

export const DEFAULT_ADMIN_USERNAME = 'admin';
// Two processes booting at once must not both create (or both print) an admin.
const BOOTSTRAP_LOCK_KEY = 0x706f6b72; // "pokr"

export interface AdminCredentials {
  userId: number;
  username: string;
  password: string;
  created: boolean;
}

/**
 * Creates `username` as an admin, or promotes it, with a freshly generated
 * password. Returns the password: the caller shows it once.
 */
export async function createOrPromoteAdmin(db: Db | Prisma.TransactionClient, username: string): Promise<AdminCredentials> {
  if (!USERNAME_PATTERN.test(username)) throw new Error(`invalid admin username ${JSON.stringify(username)}: 3 to 24 of A-Z a-z 0-9 _ -`);
  const password = generatePassword();
  const passwordHash = await hashPassword(password);
  const name = normalizeUsername(username);
  const rows = await db.$queryRawUnsafe<{ id: number; created: boolean }[]>(
    `INSERT INTO users (username, password_hash, role, name_key) VALUES ($1, $2, 'ADMIN', $3)
     ON CONFLICT (username) DO UPDATE SET role = 'ADMIN', password_hash = EXCLUDED.password_hash
     RETURNING id, (xmax = 0) AS created`,
    name,
    passwordHash,
    nameKey(name),
  );
  const row = rows[0]!;
  if (!row.created) {
    // The password is replaced: whoever knew the old one is logged out, and no browser stays known.
    await deleteUserSessions(db, row.id);
    await forgetDevices(db, row.id);
  }
  return { userId: row.id, username: name, password, created: row.created };
}

/** What `npm start` prints, once, when the first boot made the admin. */
export function firstAdminBanner(made: Pick<AdminCredentials, 'username' | 'password'>): string {
  return [
    '',
    '==================== FIRST ADMIN (shown once) ====================',
    `  username: ${made.username}`,
    `  one-time password: ${made.password}`,
    '  Log in and change it now: the Wallet page, "Change password", or',
    '  POST /api/auth/password {"currentPassword", "newPassword"}.',
    '  `npm run admin:create -- <name>` makes more admins.',
    '==================================================================',
    '',
  ].join('\n');
}

/** Called at boot. Returns the credentials when it made an admin, else null (the caller prints them). */
export async function ensureFirstAdmin(
  db: Db,
  log: Pick<Logger, 'warn' | 'info'>,
  env: Record<string, string | undefined> = process.env,
): Promise<AdminCredentials | null> {
  const username = env.ADMIN_USERNAME?.trim() || DEFAULT_ADMIN_USERNAME;
  const made = await db.$transaction(async (tx) => {
    await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1)', BOOTSTRAP_LOCK_KEY);
    const admins = await tx.user.count({ where: { role: 'ADMIN' } });
    if (admins > 0) return null;
    return createOrPromoteAdmin(tx, username);
  });
  if (!made) return null;
  // The password goes to the console (`npm start` prints firstAdminBanner), never into the JSON
  // log: there it was one escaped line ("\n  username: ..."), and at LOG_LEVEL=error or silent
  // it was never shown at all.
  log.warn({ username: made.username }, 'first admin created: npm start prints its one-time password on standard output');
  return made;
}
