-- Idempotency keys get scopes (docs/decisions/007-idempotency-key-scopes.md).
-- A client's key belongs to (user, operation); a key the server makes (hand
-- settlements, cash-outs, sits and top-ups sent without a key) lives in the
-- SERVER scope, which no client input can reach: the ledger files a key the
-- client sent under CLIENT with the client's own user id, always.

CREATE TYPE "KeyScope" AS ENUM ('CLIENT', 'SERVER');

ALTER TABLE "ledger_transfers"
    ADD COLUMN "key_scope" "KeyScope" NOT NULL DEFAULT 'CLIENT',
    ADD COLUMN "key_owner_id" INTEGER NOT NULL DEFAULT 0;

-- Back-fill the transfers written before scopes existed: settlements and
-- cash-outs were always keyed by the server; everything else by its actor.
-- (The log is append-only; this one-time classification is the only UPDATE it
-- ever receives, inside this migration's transaction.)
ALTER TABLE "ledger_transfers" DISABLE TRIGGER "ledger_transfers_append_only";
UPDATE "ledger_transfers" SET "key_scope" = 'SERVER', "key_owner_id" = 0
 WHERE "kind" IN ('SETTLE_HAND', 'CASH_OUT') OR "actor_user_id" IS NULL;
UPDATE "ledger_transfers" SET "key_owner_id" = "actor_user_id"
 WHERE "key_scope" = 'CLIENT';
ALTER TABLE "ledger_transfers" ENABLE TRIGGER "ledger_transfers_append_only";

ALTER TABLE "ledger_transfers"
    ALTER COLUMN "key_scope" DROP DEFAULT,
    ALTER COLUMN "key_owner_id" DROP DEFAULT,
    -- CLIENT keys belong to the user who acted; SERVER keys to nobody (0).
    -- Settlements and cash-outs can only be keyed by the server; purchases
    -- and admin operations only by their client.
    ADD CONSTRAINT "ledger_transfers_key_scope_check" CHECK (
        (("key_scope" = 'SERVER' AND "key_owner_id" = 0)
          OR ("key_scope" = 'CLIENT' AND "key_owner_id" > 0 AND "key_owner_id" = "actor_user_id"))
        AND ("kind" NOT IN ('SETTLE_HAND', 'CASH_OUT') OR "key_scope" = 'SERVER')
        AND ("kind" NOT IN ('BUY_CHIPS', 'ADJUST', 'WALLET_TRANSFER') OR "key_scope" = 'CLIENT')
    );

DROP INDEX "ledger_transfers_idempotency_key_key";
CREATE UNIQUE INDEX "ledger_transfers_key_scope_key_owner_id_kind_idempotency_key_key"
    ON "ledger_transfers"("key_scope", "key_owner_id", "kind", "idempotency_key");

-- Every balance fits a JSON number exactly (|balance| < 2^53): amounts beyond
-- it are refused by the database itself, so no edge ever has to round one.
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_balance_range_check"
    CHECK ("balance" BETWEEN -9007199254740991 AND 9007199254740991);

-- Requests a player made during a hand that take effect at its end (leave,
-- top-up). Kept in the database so that they survive a restart; deleted once
-- applied. Not money: the top-up itself is a ledger transfer made with the
-- stored key when it is applied.
CREATE TYPE "SeatIntentKind" AS ENUM ('LEAVE', 'TOP_UP');

CREATE TABLE "seat_intents" (
    "id" BIGSERIAL NOT NULL,
    "seat_session_id" BIGINT NOT NULL,
    "kind" "SeatIntentKind" NOT NULL,
    "amount" BIGINT,
    "key_scope" "KeyScope",
    "idempotency_key" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "seat_intents_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "seat_intents_shape_check" CHECK (
        ("kind" = 'LEAVE' AND "amount" IS NULL AND "idempotency_key" IS NULL)
        OR ("kind" = 'TOP_UP' AND "amount" > 0 AND "key_scope" IS NOT NULL AND "idempotency_key" IS NOT NULL)
    )
);

CREATE INDEX "seat_intents_seat_session_id_idx" ON "seat_intents"("seat_session_id");
ALTER TABLE "seat_intents" ADD CONSTRAINT "seat_intents_seat_session_id_fkey" FOREIGN KEY ("seat_session_id") REFERENCES "seat_sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- An admin's request to close a table, kept so that it survives a restart: the
-- table closes at its next hand boundary (every seat cashed out, then CLOSED).
ALTER TABLE "poker_tables" ADD COLUMN "close_requested_at" TIMESTAMPTZ(3);
