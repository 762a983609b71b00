import { loadConfig } from '../config';
import { openDatabase } from '../db/open';
import { createOrPromoteAdmin } from './admin-bootstrap';
import { USERNAME_PATTERN } from './users';

// `npm run admin:create -- <username>`: creates the admin, or promotes an
// existing user (whose password is replaced and whose sessions end), and prints
// a generated password once.

const username = process.argv[2];
if (!username || !USERNAME_PATTERN.test(username) || process.argv.length > 3) {
  console.error('usage: npm run admin:create -- <username>   (3 to 24 of A-Z a-z 0-9 _ -)');
  process.exit(2);
}
const database = await openDatabase(loadConfig(), { log: (m) => console.error(m) });
try {
  const admin = await createOrPromoteAdmin(database.db, username);
  console.log(`${admin.created ? 'created' : 'promoted'} admin "${admin.username}" (user id ${admin.userId})`);
  console.log(`password (shown once): ${admin.password}`);
} catch (error) {
  console.error(`admin:create failed: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  await database.close();
}
