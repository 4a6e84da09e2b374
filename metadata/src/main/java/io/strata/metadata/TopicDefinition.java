package io.strata.metadata;

import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** A topic as created: id, name, partition count and the configs set on it (name to value). */
public record TopicDefinition(UUID topicId, String name, int partitions, Map<String, String> configs) {
    public TopicDefinition {
        Objects.requireNonNull(topicId, "topicId");
        Objects.requireNonNull(name, "name");
        if (partitions < 1) {
            throw new IllegalArgumentException("a topic has at least one partition, not " + partitions);
        }
        configs = Map.copyOf(configs);
    }
}
