import { z } from 'zod';
import type { Db } from '../db/client';
import type { Role } from '../db/generated/enums';
import { PASSWORD_LENGTH_MAX, PASSWORD_LENGTH_MIN, hashPassword } from './passwords';

// Accounts. Usernames are stored lower-case, so the unique index on
// users.username is what makes them unique case-insensitively (no race between
// a check and an insert). Every place that creates users goes through createUser.

export const USERNAME_LENGTH_MIN = 3;
export const USERNAME_LENGTH_MAX = 24;
export const USERNAME_PATTERN = /^[A-Za-z0-9_-]{3,24}$/;

export const usernameSchema = z.string().regex(USERNAME_PATTERN);
export const passwordSchema = z.string().min(PASSWORD_LENGTH_MIN).max(PASSWORD_LENGTH_MAX);

export function normalizeUsername(username: string): string {
  return username.toLowerCase();
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

export type CreateUserResult = { ok: true; user: PublicUser } | { ok: false; code: 'auth/username_taken' };

export interface CreateUserInput {
  username: string;
  password: string;
  role?: Role;
  isBot?: boolean;
}

/** Callers validate the username and password first (usernameSchema, passwordSchema). */
export async function createUser(db: Db, input: CreateUserInput): Promise<CreateUserResult> {
  const passwordHash = await hashPassword(input.password);
  const rows = await db.$queryRawUnsafe<{ id: number; username: string; role: Role }[]>(
    `INSERT INTO users (username, password_hash, role, is_bot) VALUES ($1, $2, $3::"Role", $4)
     ON CONFLICT (username) DO NOTHING
     RETURNING id, username, role::text AS role`,
    normalizeUsername(input.username),
    passwordHash,
    input.role ?? 'PLAYER',
    input.isBot ?? false,
  );
  const row = rows[0];
  return row ? { ok: true, user: row } : { ok: false, code: 'auth/username_taken' };
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

/** Callers validate the new password first (passwordSchema). */
export async function setPassword(db: Db, userId: number, password: string): Promise<void> {
  await db.user.update({ where: { id: userId }, data: { passwordHash: await hashPassword(password) } });
}

export function publicUser(user: PublicUser): PublicUser {
  return { id: user.id, username: user.username, role: user.role };
}
