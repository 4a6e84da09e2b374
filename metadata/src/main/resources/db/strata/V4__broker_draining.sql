-- Draining brokers (PostgresMetadataStore documents each column). Expand only: a new nullable column, so brokers
-- of version 3 keep working against this schema during a rolling upgrade.

-- draining_incarnation: the incarnation of this node id that began a planned shutdown (NULL: none). The broker is
-- draining while it equals the row's incarnation, so a new incarnation (registered by any version) starts not
-- draining without anyone clearing the column.
ALTER TABLE brokers ADD COLUMN draining_incarnation UUID;
