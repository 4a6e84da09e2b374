package io.strata.broker.handler;

/**
 * Defaults for topics created without explicit settings, by CreateTopics ({@code -1} values) or by
 * Metadata's auto-creation.
 *
 * @param autoCreateEnabled {@code auto.create.topics.enable}
 * @param partitions        {@code num.partitions}
 * @param replicationFactor {@code default.replication.factor}
 */
public record TopicDefaults(boolean autoCreateEnabled, int partitions, short replicationFactor) {
}
