-- Issue #13: the showdown hold and the pace of an all-in run-out, per table
-- (docs/decisions/014-paced-run-out-and-showdown-hold.md). NULL: the table
-- follows the process settings (SHOWDOWN_HOLD_MS, RUN_OUT_STREET_MS). The
-- ranges are those the registry and the admin route accept
-- (server/tables/settings.ts), checked here too so that no other writer can
-- store one outside them.
ALTER TABLE "poker_tables"
    ADD COLUMN "showdown_hold_ms" INTEGER,
    ADD COLUMN "run_out_street_ms" INTEGER,
    ADD CONSTRAINT "poker_tables_timing_check" CHECK (
        ("showdown_hold_ms" IS NULL OR "showdown_hold_ms" BETWEEN 0 AND 60000)
        AND ("run_out_street_ms" IS NULL OR "run_out_street_ms" BETWEEN 0 AND 10000)
    );
