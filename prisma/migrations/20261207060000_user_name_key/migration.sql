-- Look-alike names (decision 037): a person may not sign up with a name that reads like another's
-- ("j0hn" beside "john", "rnike" beside "mike"). name_key is the name as it reads (nameKey in
-- server/auth/users.ts: lower case, 0 as o, 1 as l, rn as m, vv as w, cl as d); the bots' names,
-- which no person can take (the "bot_" prefix), have none. The index is not unique: names taken
-- before this migration may share a key, and keep their accounts. New sign-ups are checked under
-- an advisory lock on the key (createUser).
ALTER TABLE "users" ADD COLUMN "name_key" TEXT;
UPDATE "users" SET "name_key" = replace(replace(replace(translate(lower("username"), '01', 'ol'), 'rn', 'm'), 'vv', 'w'), 'cl', 'd') WHERE NOT "is_bot";
CREATE INDEX "users_name_key_idx" ON "users"("name_key");
