-- Planned leadership moves, offline partitions and the change counter (PostgresMetadataStore documents each
-- table and column). Expand only: new columns with defaults and a new counter row, so brokers of version 2 keep
-- working against this schema during a rolling upgrade.

-- target_leader: a hand-over the controller requested of the live leader (-1: none); recording it does not bump
-- the epoch. last_leader: the broker whose disk may hold acknowledged records that are not in the bucket (-1:
-- none, the last leader handed over cleanly); a leaderless partition may be given only to that broker.
ALTER TABLE partitions ADD COLUMN target_leader INTEGER NOT NULL DEFAULT -1;
ALTER TABLE partitions ADD COLUMN last_leader INTEGER NOT NULL DEFAULT -1;
UPDATE partitions SET last_leader = leader;

-- change_version: moves in the same transaction as every change of topics, leadership, registered brokers or the
-- controller; brokers poll it and re-read everything only when it moved.
INSERT INTO counters (name, value) VALUES ('change_version', 0) ON CONFLICT (name) DO NOTHING;
