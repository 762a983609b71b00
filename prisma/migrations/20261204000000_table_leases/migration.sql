-- Issue #12: several server processes ("nodes") on one database
-- (docs/decisions/019-table-leases-and-placement.md).
--
-- cluster_nodes: every node registers and heartbeats (database clock); a node
-- whose heartbeat is older than the node TTL is dead for placement.
CREATE TABLE "cluster_nodes" (
    "id"           TEXT         NOT NULL PRIMARY KEY,
    "started_at"   TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp(),
    "heartbeat_at" TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp(),
    "capacity"     INTEGER      NOT NULL,
    "draining"     BOOLEAN      NOT NULL DEFAULT false,
    CONSTRAINT "cluster_nodes_capacity_check" CHECK ("capacity" >= 0)
);

-- table_leases: who owns a table until when. One row per table that was ever
-- claimed. "epoch" is poker_tables.owner_epoch as of the claim: the fencing
-- token every money transaction of the table compares. "expires_at" NULL: a
-- single-node owner's lease, which never expires (a single node takes every
-- table at boot). Every money transaction of a table refuses once
-- "expires_at" <= clock_timestamp(): a paused node commits nothing after its
-- lease ran out, even before another node claims the table.
CREATE TABLE "table_leases" (
    "table_id"    INTEGER        NOT NULL PRIMARY KEY REFERENCES "poker_tables"("id"),
    "node_id"     TEXT           NOT NULL,
    "epoch"       BIGINT         NOT NULL,
    "acquired_at" TIMESTAMPTZ(6) NOT NULL,
    "expires_at"  TIMESTAMPTZ(6)
);
CREATE INDEX "table_leases_node_id_idx" ON "table_leases"("node_id");

-- table_lease_history: append-only record of every ownership interval, with
-- database timestamps. An interval ends when its lease expired, was released,
-- or was taken over (ended_at is filled by the next claim or by the release).
-- Two intervals of one table never overlap (test/cluster).
CREATE TABLE "table_lease_history" (
    "id"          BIGSERIAL      NOT NULL PRIMARY KEY,
    "table_id"    INTEGER        NOT NULL REFERENCES "poker_tables"("id"),
    "node_id"     TEXT           NOT NULL,
    "epoch"       BIGINT         NOT NULL,
    "acquired_at" TIMESTAMPTZ(6) NOT NULL,
    "ended_at"    TIMESTAMPTZ(6),
    "end_reason"  TEXT,
    CONSTRAINT "table_lease_history_interval_check" CHECK ("ended_at" IS NULL OR "ended_at" >= "acquired_at")
);
CREATE UNIQUE INDEX "table_lease_history_table_id_epoch_key" ON "table_lease_history"("table_id", "epoch");
