-- Issue #11: the balance trigger's cost grew with the whole ledger
-- (docs/decisions/013-ledger-cost-flat-as-it-grows.md).
--
-- The check is a plpgsql statement without parameters, so each connection
-- plans it once, at its first INSERT, and keeps that generic plan until
-- something invalidates it (an ANALYZE of ledger_entries, which never comes
-- with autovacuum off, and comes late for a table that has just started to
-- grow). A connection whose first insert met a small table kept a plan that
-- reads every row of ledger_entries (a sequential scan under a nested loop,
-- materialised to a temporary file), on every later INSERT: the cost of each
-- commit grew with the size of the ledger.
--
-- The semantics do not change: every transfer touched by an INSERT must
-- balance (credits = debits) once the statement ends, counting all of its
-- entries, including ones written by earlier statements. But each touched
-- transfer is now summed on its own, through ledger_entries_transfer_id_idx
-- (a LATERAL subquery correlated on the transfer id), so the work is
-- O(entries of the touched transfers) whatever the size of the ledger.
-- enable_seqscan = off, for this function only, takes away the one plan that
-- could still scan: a sequential scan re-run for each transfer, which the
-- planner may pick when it plans on an (almost) empty table and would then
-- keep for the life of the connection. The transition table has no index, so
-- it is still read sequentially.
CREATE OR REPLACE FUNCTION "check_transfers_balance"() RETURNS trigger
    LANGUAGE plpgsql
    SET enable_seqscan = off
AS $$
DECLARE
    unbalanced BIGINT;
BEGIN
    SELECT n."transfer_id" INTO unbalanced
    FROM (SELECT DISTINCT "transfer_id" FROM new_entries) n
    CROSS JOIN LATERAL (
        SELECT SUM(CASE e."side" WHEN 'CREDIT' THEN e."amount" ELSE -e."amount" END) AS net
        FROM "ledger_entries" e
        WHERE e."transfer_id" = n."transfer_id"
    ) s
    WHERE s.net <> 0
    LIMIT 1;
    IF unbalanced IS NOT NULL THEN
        RAISE EXCEPTION 'ledger transfer % does not balance', unbalanced
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END;
$$;

-- Checkpoints of the incremental reconcile (server/ledger/reconcile.ts).
-- A checkpoint says: every entry with id <= entry_id_max and every transfer
-- with id <= transfer_id_max was verified, and no transaction could still add
-- one below those ids when it was taken. It extends the one before it
-- (previous_id, 0 for the first; unique, so that two concurrent runs cannot
-- both extend the same one). The history of checkpoints is append-only.
CREATE TABLE "ledger_checkpoints" (
    "id" BIGSERIAL NOT NULL,
    "previous_id" BIGINT NOT NULL,
    "entry_id_max" BIGINT NOT NULL,
    "transfer_id_max" BIGINT NOT NULL,
    "entries" BIGINT NOT NULL,
    "transfers" BIGINT NOT NULL,
    "chips_sold" BIGINT NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ledger_checkpoints_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "ledger_checkpoints_previous_id_key" ON "ledger_checkpoints"("previous_id");

-- Each account's net (CREDIT minus DEBIT) over its entries up to the latest
-- checkpoint's entry_id_max, brought forward by each new checkpoint.
CREATE TABLE "ledger_checkpoint_accounts" (
    "account_id" BIGINT NOT NULL,
    "net" BIGINT NOT NULL,
    "checkpoint_id" BIGINT NOT NULL,
    CONSTRAINT "ledger_checkpoint_accounts_pkey" PRIMARY KEY ("account_id")
);
ALTER TABLE "ledger_checkpoint_accounts" ADD CONSTRAINT "ledger_checkpoint_accounts_checkpoint_id_fkey" FOREIGN KEY ("checkpoint_id") REFERENCES "ledger_checkpoints"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

CREATE TRIGGER "ledger_checkpoints_append_only" BEFORE UPDATE OR DELETE ON "ledger_checkpoints"
    FOR EACH ROW EXECUTE FUNCTION "reject_ledger_mutation"();
CREATE TRIGGER "ledger_checkpoints_no_truncate" BEFORE TRUNCATE ON "ledger_checkpoints"
    FOR EACH STATEMENT EXECUTE FUNCTION "reject_ledger_mutation"();
