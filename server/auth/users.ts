import { z } from 'zod';
import type { Db } from '../db/client';
import type { Role } from '../db/generated/enums';
import { forgetDevices } from './devices';
import { hashPassword } from './passwords';

// Accounts. Usernames are stored lower-case, so the unique index on
// users.username is what makes them unique case-insensitively (no race between
// a check and an insert). Every place that creates users goes through createUser.

export const USERNAME_LENGTH_MIN = 3;
export const USERNAME_LENGTH_MAX = 24;
export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,24}$/;

export const usernameSchema = z.string().regex(USERNAME_PATTERN);

/** Names the bot route makes (`bot_<name>`, server/http/bots.ts): a person may not sign up as one. */
export const BOT_USERNAME_PREFIX = 'bot_';

export function normalizeUsername(username: string): string {
  return username.toLowerCase();
}

/**
 * A name as it reads on the page (decision 037), after Unicode TR39's confusables for what a name
 * may hold: lower case, then 0 as o, 1 as l, rn as m, vv as w, cl as d. Two people's names with
 * one key look alike ("j0hn" and "john", "rnike" and "mike"): the second is refused at sign-up.
 * The migration that added users.name_key computes the same in SQL for the names taken before it.
 */
export function nameKey(username: string): string {
  return normalizeUsername(username).replaceAll('0', 'o').replaceAll('1', 'l').replaceAll('rn', 'm').replaceAll('vv', 'w').replaceAll('cl', 'd');
}

/** A name that is a bot's or reads like one ("bot_x", "b0t_x"): a person may not take it. */
export function readsAsBotUsername(username: string): boolean {
  return nameKey(username).startsWith(BOT_USERNAME_PREFIX);
}

export interface PublicUser {
  id: number;
  username: string;
  role: Role;
}

export interface UserRow extends PublicUser {
  passwordHash: string;
  isBot: boolean;
}

export type CreateUserResult = { ok: true; user: PublicUser } | { ok: false; code: 'auth/username_taken' | 'auth/username_lookalike' };

export interface CreateUserInput {
  username: string;
  password: string;
  role?: Role;
  isBot?: boolean;
}

/** pg_advisory_xact_lock's first key for a name key (the second is the key's hash): "name". */
const NAME_KEY_LOCK_CLASS = 0x6e616d65;

/**
 * Callers validate the username and password first (usernameSchema, passwordProblem). A person's
 * name whose key (nameKey) another person's name has is refused `auth/username_lookalike`: the
 * check and the insert hold an advisory lock on the key, so two look-alike sign-ups at once
 * cannot both pass. A bot's name has no key (no person can take a "bot_" name).
 */
export async function createUser(db: Db, input: CreateUserInput): Promise<CreateUserResult> {
  const passwordHash = await hashPassword(input.password);
  const username = normalizeUsername(input.username);
  const key = input.isBot ? null : nameKey(username);
  return db.$transaction(async (tx) => {
    if (key !== null) {
      await tx.$executeRawUnsafe('SELECT pg_advisory_xact_lock($1, hashtext($2))', NAME_KEY_LOCK_CLASS, key);
      // The name itself first: names taken before the key existed may share one.
      const alike = await tx.$queryRawUnsafe<{ username: string }[]>('SELECT username FROM users WHERE name_key = $1 ORDER BY username = $2 DESC LIMIT 1', key, username);
      if (alike[0]) return { ok: false, code: alike[0].username === username ? 'auth/username_taken' : 'auth/username_lookalike' } as const;
    }
    const rows = await tx.$queryRawUnsafe<{ id: number; username: string; role: Role }[]>(
      `INSERT INTO users (username, password_hash, role, is_bot, name_key) VALUES ($1, $2, $3::"Role", $4, $5)
       ON CONFLICT (username) DO NOTHING
       RETURNING id, username, role::text AS role`,
      username,
      passwordHash,
      input.role ?? 'PLAYER',
      input.isBot ?? false,
      key,
    );
    const row = rows[0];
    return row ? { ok: true, user: row } as const : { ok: false, code: 'auth/username_taken' } as const;
  });
}

export async function findUserByUsername(db: Db, username: string): Promise<UserRow | null> {
  const user = await db.user.findUnique({
    where: { username: normalizeUsername(username) },
    select: { id: true, username: true, role: true, passwordHash: true, isBot: true },
  });
  return user;
}

/** The user's password hash, for checking the current password before a change. */
export async function passwordHashOf(db: Db, userId: number): Promise<string | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  return user?.passwordHash ?? null;
}

export interface PasswordChange {
  userId: number;
  /** The stored hash the current password was verified against. */
  verifiedHash: string;
  /** Validated by the caller (passwordProblem). */
  newPassword: string;
  /** The session making the change (sessions.id): it stays, every other one ends. */
  keepSessionId: string;
  /** The known device making the change (login_devices.id, or ''): it stays known, every other one is forgotten. */
  keepDeviceId: string;
}

// One transaction, so a crash cannot leave a new password with the old sessions alive. The
// hash is compared-and-swapped: of two concurrent changes only the first one happens, and a
// change from a session that ended meanwhile does nothing. The sessions are ended by a second
// statement, which sees every session committed before it: a login that verified the old
// password holds the user row FOR SHARE while it creates its session (createSession), so the
// UPDATE waits for it, and the DELETE after it ends that session too. (In one statement the
// DELETE would see only the sessions of the statement's start, and such a session survived.)
const CHANGE_PASSWORD_SQL = `
  UPDATE users SET password_hash = $3
   WHERE id = $1 AND password_hash = $2
     AND EXISTS (SELECT 1 FROM sessions WHERE id = $4 AND user_id = $1 AND expires_at > now())
  RETURNING id`;

/** False when nothing changed: the password changed meanwhile, or the calling session ended. */
export async function replacePassword(db: Db, change: PasswordChange): Promise<boolean> {
  const passwordHash = await hashPassword(change.newPassword);
  return db.$transaction(async (tx) => {
    const changed = await tx.$queryRawUnsafe<{ id: number }[]>(CHANGE_PASSWORD_SQL, change.userId, change.verifiedHash, passwordHash, change.keepSessionId);
    if (changed.length === 0) return false;
    await tx.$executeRawUnsafe('DELETE FROM sessions WHERE user_id = $1 AND id <> $2', change.userId, change.keepSessionId);
    await forgetDevices(tx, change.userId, change.keepDeviceId);
    return true;
  });
}

export function publicUser(user: PublicUser): PublicUser {
  return { id: user.id, username: user.username, role: user.role };
}
