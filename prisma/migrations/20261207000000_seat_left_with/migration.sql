-- Coming back to a table (decision 036): a player who leaves a table and sits at it again
-- within two hours brings back at least the chips they left with. The cash-out writes what
-- the seat left with; a buy-in reads the player's last seat at that table through the index.
-- Seats closed before this migration have NULL: no rule for them.
ALTER TABLE "seat_sessions" ADD COLUMN "left_with" BIGINT;

CREATE INDEX "seat_sessions_user_id_table_id_closed_at_idx" ON "seat_sessions"("user_id", "table_id", "closed_at");
