-- The write-ahead log (PostgresMetadataStore documents each table and column). Expand only: new tables, so brokers
-- of version 4 keep working against this schema during a rolling upgrade.

-- Incarnations of brokers that wrote WAL objects. revoked: the controller declared the incarnation dead; none of
-- its commits passes any more, so its uncommitted objects are orphans that GC may delete. node_id is NULL when the
-- controller revoked an incarnation that never committed.
CREATE TABLE wal_writers (
    incarnation UUID    PRIMARY KEY,
    node_id     INTEGER,
    revoked     BOOLEAN NOT NULL
);

-- Committed WAL objects (in the bucket under object_key). deleting: GC decided to delete it (no range of it was
-- needed any more); no range may refer to it again. unresolved_ranges: how many of its ranges the last commit
-- attempt answered OUT_OF_ORDER (the writer will try them again, so the object is not collectable while its
-- writer is not revoked).
CREATE TABLE wal_objects (
    object_key        TEXT        PRIMARY KEY,
    incarnation       UUID        NOT NULL REFERENCES wal_writers (incarnation),
    node_id           INTEGER     NOT NULL,
    size_bytes        BIGINT      NOT NULL,
    committed_at      TIMESTAMPTZ NOT NULL,
    deleting          BOOLEAN     NOT NULL,
    unresolved_ranges INTEGER     NOT NULL
);
CREATE INDEX wal_objects_by_incarnation ON wal_objects (incarnation);

-- Committed WAL ranges: offsets base_offset (inclusive) to end_offset (exclusive) of a partition, appended at
-- leader_epoch, stored at bytes position .. position + length of object_key; batches: WalBatchCodec's layout.
-- Released (deleted) once an uploaded segment covers them; gone with their partition.
CREATE TABLE wal_ranges (
    topic_id        UUID    NOT NULL,
    partition_index INTEGER NOT NULL,
    base_offset     BIGINT  NOT NULL,
    end_offset      BIGINT  NOT NULL,
    leader_epoch    INTEGER NOT NULL,
    object_key      TEXT    NOT NULL REFERENCES wal_objects (object_key),
    position        BIGINT  NOT NULL,
    length          INTEGER NOT NULL,
    batches         BYTEA   NOT NULL,
    PRIMARY KEY (topic_id, partition_index, base_offset),
    FOREIGN KEY (topic_id, partition_index) REFERENCES partitions (topic_id, partition_index) ON DELETE CASCADE
);
CREATE INDEX wal_ranges_by_object ON wal_ranges (object_key);
