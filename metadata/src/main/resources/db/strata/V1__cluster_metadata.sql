-- Strata's cluster metadata, version 1 (PostgresMetadataStore documents each table). Plain SQL for
-- PostgreSQL 15+ and PostgreSQL-compatible distributed engines: no extensions, no advisory locks.

-- Registered brokers. heartbeats moves on every renewal (and on a takeover of the node id): the controller
-- judges liveness by whether it moves, on its own clock. renewed_at (the database's clock) only decides
-- whether a starting broker may take a node id over from another incarnation.
CREATE TABLE brokers (
    node_id       INTEGER     PRIMARY KEY,
    incarnation   UUID        NOT NULL,
    endpoints     TEXT        NOT NULL,
    rack          TEXT,
    heartbeats    BIGINT      NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL,
    renewed_at    TIMESTAMPTZ NOT NULL
);

-- The controller lease: one row (id = 1) once any broker held it.
CREATE TABLE controller_lease (
    id          SMALLINT PRIMARY KEY CHECK (id = 1),
    epoch       BIGINT   NOT NULL,
    node_id     INTEGER  NOT NULL,
    incarnation UUID     NOT NULL,
    heartbeats  BIGINT   NOT NULL
);

-- Topics by id; configs is a JSON object of the configs set on the topic (name to string value).
CREATE TABLE topics (
    topic_id   UUID        PRIMARY KEY,
    name       TEXT        NOT NULL,
    partitions INTEGER     NOT NULL,
    configs    TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX topics_by_name ON topics (name);

-- Each partition's leader (-1: none yet), leader epoch, and committed end (every offset below it is durable
-- without the leader's disk).
CREATE TABLE partitions (
    topic_id        UUID    NOT NULL REFERENCES topics (topic_id) ON DELETE CASCADE,
    partition_index INTEGER NOT NULL,
    leader          INTEGER NOT NULL,
    leader_epoch    INTEGER NOT NULL,
    committed_end   BIGINT  NOT NULL,
    PRIMARY KEY (topic_id, partition_index)
);

-- Leader-epoch history: epoch leader_epoch of the partition began at start_offset, led by leader.
CREATE TABLE partition_epochs (
    topic_id        UUID    NOT NULL,
    partition_index INTEGER NOT NULL,
    leader_epoch    INTEGER NOT NULL,
    start_offset    BIGINT  NOT NULL,
    leader          INTEGER NOT NULL,
    PRIMARY KEY (topic_id, partition_index, leader_epoch),
    FOREIGN KEY (topic_id, partition_index) REFERENCES partitions (topic_id, partition_index) ON DELETE CASCADE
);

-- Counters handed out in blocks; producer_id: the next producer id no broker has been given.
CREATE TABLE counters (
    name  TEXT   PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO counters (name, value) VALUES ('producer_id', 0);
