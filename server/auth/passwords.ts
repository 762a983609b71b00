import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { codePointLength, hasControlCharacter, isWellFormedText } from '../protocol/text';

// Passwords are hashed with argon2id (the library's defaults: 64 MiB, t=3, p=4).
// A login for a user that does not exist still verifies against a dummy hash,
// so the response time does not tell whether the username exists.

export const PASSWORD_LENGTH_MIN = 8;
/** Longer passwords are refused before hashing so nobody can make us hash megabytes. */
export const PASSWORD_LENGTH_MAX = 200;
/** Length of generated one-time admin passwords, in characters. */
export const GENERATED_PASSWORD_LENGTH = 24;

/**
 * Why a new password is refused, or null: 8 to 200 characters, counted as a person counts
 * them (code points: an emoji is one), valid Unicode (a lone surrogate would be hashed as
 * U+FFFD, so another password would open the account), no control character.
 */
export function passwordProblem(password: string): string | null {
  const length = codePointLength(password);
  if (length < PASSWORD_LENGTH_MIN || length > PASSWORD_LENGTH_MAX) return `The password must be ${PASSWORD_LENGTH_MIN} to ${PASSWORD_LENGTH_MAX} characters.`;
  if (!isWellFormedText(password)) return 'The password must be valid Unicode text (it holds a lone surrogate).';
  if (hasControlCharacter(password)) return 'The password must not contain control characters (NUL, tab, newline, ...).';
  return null;
}

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, { type: argon2.argon2id });
}

/** False for a wrong password or a malformed stored hash (e.g. a bot's placeholder). */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | null = null;

/** Spends the same time as a real verification, and always fails. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  await verifyPassword(await dummyHash, password);
  return false;
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A random password from an unambiguous alphabet (no 0/O, 1/l/I): ~141 bits at 24 chars. */
export function generatePassword(length = GENERATED_PASSWORD_LENGTH): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  // Rejection sampling keeps every character equally likely.
  const limit = 256 - (256 % PASSWORD_ALPHABET.length);
  for (const byte of bytes) {
    if (out.length === length) break;
    if (byte < limit) out += PASSWORD_ALPHABET[byte % PASSWORD_ALPHABET.length];
  }
  return out.length === length ? out : generatePassword(length);
}
