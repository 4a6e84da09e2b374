-- Generations and members of consumer groups (CLUSTER.md rule 10; PostgresGroups documents both tables). A group's
-- coordinator writes them when a generation completes and deletes them when the group empties, in a transaction
-- conditional on leading the group's coordinator slot at its epoch; a coordinator that takes the slot over reads
-- them and continues the generation. Expand only: new tables, so brokers of version 5 keep working meanwhile.
CREATE TABLE group_generations (
    group_id       TEXT    PRIMARY KEY,
    slot_topic_id  UUID    NOT NULL,
    slot_partition INTEGER NOT NULL,
    generation     INTEGER NOT NULL,
    protocol_type  TEXT    NOT NULL,
    protocol_name  TEXT    NOT NULL,
    leader_id      TEXT    NOT NULL,
    FOREIGN KEY (slot_topic_id, slot_partition) REFERENCES partitions (topic_id, partition_index) ON DELETE CASCADE
);
CREATE INDEX group_generations_by_slot ON group_generations (slot_topic_id, slot_partition);

CREATE TABLE group_members (
    group_id             TEXT    NOT NULL REFERENCES group_generations (group_id) ON DELETE CASCADE,
    member_index         INTEGER NOT NULL,
    member_id            TEXT    NOT NULL,
    group_instance_id    TEXT,
    client_id            TEXT    NOT NULL,
    client_host          TEXT    NOT NULL,
    session_timeout_ms   INTEGER NOT NULL,
    rebalance_timeout_ms INTEGER NOT NULL,
    subscription         BYTEA   NOT NULL,
    assignment           BYTEA   NOT NULL,
    PRIMARY KEY (group_id, member_index),
    UNIQUE (group_id, member_id)
);
