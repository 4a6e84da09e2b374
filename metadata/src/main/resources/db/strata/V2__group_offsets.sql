-- Committed offsets of consumer groups (PostgresMetadataStore documents the table). A group belongs to one
-- coordinator slot (a partition of the internal topic __consumer_offsets); a commit is conditional on the
-- committing broker leading that slot at its epoch, checked in the same transaction.
CREATE TABLE group_offsets (
    group_id         TEXT    NOT NULL,
    topic_id         UUID    NOT NULL,
    partition_index  INTEGER NOT NULL,
    committed_offset BIGINT  NOT NULL,
    leader_epoch     INTEGER NOT NULL,
    metadata         TEXT    NOT NULL,
    commit_time_ms   BIGINT  NOT NULL,
    PRIMARY KEY (group_id, topic_id, partition_index)
);
