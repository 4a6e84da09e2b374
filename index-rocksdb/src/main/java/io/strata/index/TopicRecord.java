package io.strata.index;

import java.util.Map;
import java.util.UUID;

/**
 * A topic as the broker stores it.
 *
 * @param name              topic name
 * @param topicId           the topic's id, fixed at creation
 * @param partitions        number of partitions
 * @param replicationFactor the replication factor the client asked for (see the README for how it is reported)
 * @param configs           topic-level config overrides (Kafka names), without broker defaults
 * @param createdMs         creation time
 */
public record TopicRecord(String name, UUID topicId, int partitions, short replicationFactor,
                          Map<String, String> configs, long createdMs) {

    public TopicRecord {
        configs = Map.copyOf(configs);
    }

    public TopicRecord withConfigs(Map<String, String> newConfigs) {
        return new TopicRecord(name, topicId, partitions, replicationFactor, newConfigs, createdMs);
    }

    public TopicRecord withPartitions(int newPartitions) {
        return new TopicRecord(name, topicId, newPartitions, replicationFactor, configs, createdMs);
    }
}
