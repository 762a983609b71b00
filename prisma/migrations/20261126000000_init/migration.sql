-- CreateEnum
CREATE TYPE "Role" AS ENUM ('PLAYER', 'ADMIN');
CREATE TYPE "AccountKind" AS ENUM ('WALLET', 'SEAT', 'POT', 'RAKE', 'CASHIER', 'ADJUSTMENTS');
CREATE TYPE "TransferKind" AS ENUM ('BUY_CHIPS', 'BUY_IN', 'TOP_UP', 'CASH_OUT', 'SETTLE_HAND', 'ADJUST', 'WALLET_TRANSFER');
CREATE TYPE "EntrySide" AS ENUM ('DEBIT', 'CREDIT');
CREATE TYPE "Variant" AS ENUM ('NLHE', 'PLO');
CREATE TYPE "TableStatus" AS ENUM ('OPEN', 'CLOSED');
CREATE TYPE "SeatSessionStatus" AS ENUM ('OPEN', 'CLOSED');

-- CreateTable
CREATE TABLE "users" (
    "id" SERIAL NOT NULL,
    "username" TEXT NOT NULL,
    "password_hash" TEXT NOT NULL,
    "role" "Role" NOT NULL DEFAULT 'PLAYER',
    "is_bot" BOOLEAN NOT NULL DEFAULT false,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "sessions" (
    "id" TEXT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3) NOT NULL,
    CONSTRAINT "sessions_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "poker_tables" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "variant" "Variant" NOT NULL,
    "max_seats" INTEGER NOT NULL,
    "small_blind" BIGINT NOT NULL,
    "big_blind" BIGINT NOT NULL,
    "ante" BIGINT NOT NULL DEFAULT 0,
    "min_buy_in" BIGINT NOT NULL,
    "max_buy_in" BIGINT NOT NULL,
    "rake_bps" INTEGER NOT NULL DEFAULT 0,
    "rake_cap" BIGINT NOT NULL DEFAULT 0,
    "action_timeout_ms" INTEGER NOT NULL DEFAULT 20000,
    "hand_number" BIGINT NOT NULL DEFAULT 0,
    "owner_epoch" BIGINT NOT NULL DEFAULT 0,
    "status" "TableStatus" NOT NULL DEFAULT 'OPEN',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),
    CONSTRAINT "poker_tables_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "poker_tables_shape_check" CHECK (
        "max_seats" BETWEEN 2 AND 10
        AND "small_blind" > 0 AND "big_blind" >= "small_blind" AND "ante" >= 0
        AND "min_buy_in" > 0 AND "max_buy_in" >= "min_buy_in"
        AND "rake_bps" BETWEEN 0 AND 10000 AND "rake_cap" >= 0
        AND "action_timeout_ms" > 0 AND "hand_number" >= 0 AND "owner_epoch" >= 0
    )
);

CREATE TABLE "seat_sessions" (
    "id" BIGSERIAL NOT NULL,
    "table_id" INTEGER NOT NULL,
    "user_id" INTEGER NOT NULL,
    "seat_index" INTEGER NOT NULL,
    "status" "SeatSessionStatus" NOT NULL DEFAULT 'OPEN',
    "open_seat_key" TEXT,
    "open_user_key" TEXT,
    "opened_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "closed_at" TIMESTAMPTZ(3),
    CONSTRAINT "seat_sessions_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "accounts" (
    "id" BIGSERIAL NOT NULL,
    "kind" "AccountKind" NOT NULL,
    "code" TEXT NOT NULL,
    "user_id" INTEGER,
    "table_id" INTEGER,
    "seat_session_id" BIGINT,
    "balance" BIGINT NOT NULL DEFAULT 0,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "accounts_pkey" PRIMARY KEY ("id"),
    -- Only the system accounts (the cashier that mints chips and the adjustments
    -- account) may go negative: they are the other side of chips entering the room.
    CONSTRAINT "accounts_balance_check" CHECK ("kind" IN ('CASHIER', 'ADJUSTMENTS') OR "balance" >= 0)
);

CREATE TABLE "ledger_transfers" (
    "id" BIGSERIAL NOT NULL,
    "kind" "TransferKind" NOT NULL,
    "idempotency_key" TEXT NOT NULL,
    "request_hash" TEXT NOT NULL,
    "actor_user_id" INTEGER,
    "reason" TEXT,
    "table_id" INTEGER,
    "result" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ledger_transfers_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ledger_entries" (
    "id" BIGSERIAL NOT NULL,
    "transfer_id" BIGINT NOT NULL,
    "account_id" BIGINT NOT NULL,
    "side" "EntrySide" NOT NULL,
    "amount" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ledger_entries_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "ledger_entries_amount_check" CHECK ("amount" > 0)
);

CREATE TABLE "chip_purchases" (
    "id" BIGSERIAL NOT NULL,
    "user_id" INTEGER NOT NULL,
    "transfer_id" BIGINT NOT NULL,
    "amount_minor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "chips" BIGINT NOT NULL,
    "chips_per_unit" INTEGER NOT NULL,
    "payment_ref" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "chip_purchases_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "chip_purchases_amounts_check" CHECK ("amount_minor" > 0 AND "chips" > 0 AND "chips_per_unit" > 0)
);

CREATE TABLE "hands" (
    "id" BIGSERIAL NOT NULL,
    "table_id" INTEGER NOT NULL,
    "hand_number" BIGINT NOT NULL,
    "transfer_id" BIGINT NOT NULL,
    "commitment" TEXT NOT NULL,
    "seed" TEXT NOT NULL,
    "pot_total" BIGINT NOT NULL,
    "rake" BIGINT NOT NULL,
    "record" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "hands_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "hands_amounts_check" CHECK ("pot_total" >= 0 AND "rake" >= 0 AND "rake" <= "pot_total")
);

CREATE TABLE "hand_players" (
    "hand_id" BIGINT NOT NULL,
    "seat_session_id" BIGINT NOT NULL,
    "user_id" INTEGER NOT NULL,
    "seat_index" INTEGER NOT NULL,
    "contributed" BIGINT NOT NULL,
    "won" BIGINT NOT NULL,
    CONSTRAINT "hand_players_pkey" PRIMARY KEY ("hand_id", "seat_session_id"),
    CONSTRAINT "hand_players_amounts_check" CHECK ("contributed" >= 0 AND "won" >= 0)
);

CREATE TABLE "admin_actions" (
    "id" BIGSERIAL NOT NULL,
    "admin_user_id" INTEGER NOT NULL,
    "action" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "details" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "admin_actions_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "users_username_key" ON "users"("username");
CREATE INDEX "sessions_user_id_idx" ON "sessions"("user_id");
CREATE UNIQUE INDEX "poker_tables_name_key" ON "poker_tables"("name");
CREATE UNIQUE INDEX "seat_sessions_open_seat_key_key" ON "seat_sessions"("open_seat_key");
CREATE UNIQUE INDEX "seat_sessions_open_user_key_key" ON "seat_sessions"("open_user_key");
CREATE INDEX "seat_sessions_table_id_status_idx" ON "seat_sessions"("table_id", "status");
CREATE INDEX "seat_sessions_user_id_idx" ON "seat_sessions"("user_id");
CREATE UNIQUE INDEX "accounts_code_key" ON "accounts"("code");
CREATE UNIQUE INDEX "accounts_seat_session_id_key" ON "accounts"("seat_session_id");
CREATE INDEX "accounts_user_id_idx" ON "accounts"("user_id");
CREATE INDEX "accounts_table_id_idx" ON "accounts"("table_id");
CREATE UNIQUE INDEX "ledger_transfers_idempotency_key_key" ON "ledger_transfers"("idempotency_key");
CREATE INDEX "ledger_transfers_kind_created_at_idx" ON "ledger_transfers"("kind", "created_at");
CREATE INDEX "ledger_transfers_actor_user_id_idx" ON "ledger_transfers"("actor_user_id");
CREATE INDEX "ledger_transfers_created_at_idx" ON "ledger_transfers"("created_at");
CREATE INDEX "ledger_entries_transfer_id_idx" ON "ledger_entries"("transfer_id");
CREATE INDEX "ledger_entries_account_id_id_idx" ON "ledger_entries"("account_id", "id");
CREATE UNIQUE INDEX "chip_purchases_transfer_id_key" ON "chip_purchases"("transfer_id");
CREATE UNIQUE INDEX "chip_purchases_payment_ref_key" ON "chip_purchases"("payment_ref");
CREATE INDEX "chip_purchases_user_id_idx" ON "chip_purchases"("user_id");
CREATE UNIQUE INDEX "hands_transfer_id_key" ON "hands"("transfer_id");
CREATE INDEX "hands_created_at_idx" ON "hands"("created_at");
CREATE UNIQUE INDEX "hands_table_id_hand_number_key" ON "hands"("table_id", "hand_number");
CREATE INDEX "hand_players_user_id_hand_id_idx" ON "hand_players"("user_id", "hand_id");
CREATE INDEX "admin_actions_admin_user_id_idx" ON "admin_actions"("admin_user_id");
CREATE INDEX "admin_actions_created_at_idx" ON "admin_actions"("created_at");

-- AddForeignKey
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "seat_sessions" ADD CONSTRAINT "seat_sessions_table_id_fkey" FOREIGN KEY ("table_id") REFERENCES "poker_tables"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "seat_sessions" ADD CONSTRAINT "seat_sessions_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_table_id_fkey" FOREIGN KEY ("table_id") REFERENCES "poker_tables"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "accounts" ADD CONSTRAINT "accounts_seat_session_id_fkey" FOREIGN KEY ("seat_session_id") REFERENCES "seat_sessions"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_transfer_id_fkey" FOREIGN KEY ("transfer_id") REFERENCES "ledger_transfers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "chip_purchases" ADD CONSTRAINT "chip_purchases_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "chip_purchases" ADD CONSTRAINT "chip_purchases_transfer_id_fkey" FOREIGN KEY ("transfer_id") REFERENCES "ledger_transfers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "hands" ADD CONSTRAINT "hands_table_id_fkey" FOREIGN KEY ("table_id") REFERENCES "poker_tables"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "hands" ADD CONSTRAINT "hands_transfer_id_fkey" FOREIGN KEY ("transfer_id") REFERENCES "ledger_transfers"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "hand_players" ADD CONSTRAINT "hand_players_hand_id_fkey" FOREIGN KEY ("hand_id") REFERENCES "hands"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "hand_players" ADD CONSTRAINT "hand_players_seat_session_id_fkey" FOREIGN KEY ("seat_session_id") REFERENCES "seat_sessions"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "hand_players" ADD CONSTRAINT "hand_players_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "admin_actions" ADD CONSTRAINT "admin_actions_admin_user_id_fkey" FOREIGN KEY ("admin_user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Ledger guarantees that Prisma's schema language cannot express.

-- The log is append-only: history is corrected by new transfers, never rewritten.
CREATE FUNCTION "reject_ledger_mutation"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "ledger_entries_append_only" BEFORE UPDATE OR DELETE ON "ledger_entries"
    FOR EACH ROW EXECUTE FUNCTION "reject_ledger_mutation"();
CREATE TRIGGER "ledger_entries_no_truncate" BEFORE TRUNCATE ON "ledger_entries"
    FOR EACH STATEMENT EXECUTE FUNCTION "reject_ledger_mutation"();
CREATE TRIGGER "ledger_transfers_append_only" BEFORE UPDATE OR DELETE ON "ledger_transfers"
    FOR EACH ROW EXECUTE FUNCTION "reject_ledger_mutation"();
CREATE TRIGGER "ledger_transfers_no_truncate" BEFORE TRUNCATE ON "ledger_transfers"
    FOR EACH STATEMENT EXECUTE FUNCTION "reject_ledger_mutation"();
CREATE TRIGGER "chip_purchases_append_only" BEFORE UPDATE OR DELETE ON "chip_purchases"
    FOR EACH ROW EXECUTE FUNCTION "reject_ledger_mutation"();
CREATE TRIGGER "chip_purchases_no_truncate" BEFORE TRUNCATE ON "chip_purchases"
    FOR EACH STATEMENT EXECUTE FUNCTION "reject_ledger_mutation"();
CREATE TRIGGER "hands_append_only" BEFORE UPDATE OR DELETE ON "hands"
    FOR EACH ROW EXECUTE FUNCTION "reject_ledger_mutation"();
CREATE TRIGGER "hands_no_truncate" BEFORE TRUNCATE ON "hands"
    FOR EACH STATEMENT EXECUTE FUNCTION "reject_ledger_mutation"();
CREATE TRIGGER "hand_players_append_only" BEFORE UPDATE OR DELETE ON "hand_players"
    FOR EACH ROW EXECUTE FUNCTION "reject_ledger_mutation"();
CREATE TRIGGER "hand_players_no_truncate" BEFORE TRUNCATE ON "hand_players"
    FOR EACH STATEMENT EXECUTE FUNCTION "reject_ledger_mutation"();

-- Double entry: every transfer touched by an INSERT must balance (credits = debits)
-- once the statement ends. The ledger writes all entries of a transfer in one statement.
CREATE FUNCTION "check_transfers_balance"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    unbalanced BIGINT;
BEGIN
    SELECT e."transfer_id" INTO unbalanced
    FROM "ledger_entries" e
    WHERE e."transfer_id" IN (SELECT DISTINCT n."transfer_id" FROM new_entries n)
    GROUP BY e."transfer_id"
    HAVING SUM(CASE e."side" WHEN 'CREDIT' THEN e."amount" ELSE -e."amount" END) <> 0
    LIMIT 1;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transfer % does not balance', unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "ledger_entries_balanced" AFTER INSERT ON "ledger_entries"
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION "check_transfers_balance"();

-- The system accounts exist from the start.
INSERT INTO "accounts" ("kind", "code") VALUES ('CASHIER', 'cashier'), ('ADJUSTMENTS', 'adjustments');
