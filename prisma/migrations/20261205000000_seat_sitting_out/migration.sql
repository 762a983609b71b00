-- A seat that sits out (by its player's choice, a timed-out turn, or a disconnection that
-- outlasted its grace) is kept sitting out across a restart or a move to another node:
-- since when, or NULL while it sits in. Not money: the seat's chips are in the ledger.
ALTER TABLE "seat_sessions" ADD COLUMN "sitting_out_since" TIMESTAMPTZ(3);
