package io.strata.broker.group;

import java.util.Optional;
import java.util.UUID;

/**
 * Topic names and ids, both ways: the Kafka requests of groups name topics, the metadata database keys committed
 * offsets by topic id (CLUSTER.md rule 9: a deleted and re-created topic never inherits stale offsets). In the
 * broker: the topics the metadata store knows. Thread-safe, non-blocking.
 */
public interface TopicIds {

    /** The id of the live topic named {@code name}; empty when there is none. */
    Optional<UUID> idOf(String name);

    /** The name of the live topic with id {@code id}; empty when there is none (deleted, or never known). */
    Optional<String> nameOf(UUID id);
}
