-- The owed small blind across a restart (decision 035, amended): a seat that sat out while the
-- small blind passed it posts that blind dead when it comes back posting. The table kept that
-- only in memory, so after a restart or a move to another node the player came back owing the
-- big blind alone. Written when it changes (rare: a seat sitting out through its small blind).
ALTER TABLE "seat_sessions" ADD COLUMN "owes_small_blind" BOOLEAN NOT NULL DEFAULT false;
