package io.strata.metadata;

import java.util.Objects;
import java.util.UUID;

/**
 * Which coordinator slot a consumer group belongs to: a partition of the internal topic {@value #TOPIC}
 * ({@code offsets.topic.num.partitions} of them, as in Kafka), so that group coordinators are spread over the
 * brokers and led, moved and fenced exactly like partitions. The mapping is Kafka's: the group id's
 * {@code String.hashCode()}, made non-negative, modulo the slot count; it must never change for a cluster.
 */
public record CoordinatorSlots(UUID topicId, int count) {

    /** The internal topic whose partitions are the slots. */
    public static final String TOPIC = "__consumer_offsets";
    /** Kafka's default {@code offsets.topic.num.partitions}. */
    public static final int DEFAULT_COUNT = 50;

    public CoordinatorSlots {
        Objects.requireNonNull(topicId, "topicId");
        if (count < 1) {
            throw new IllegalArgumentException("offsets.topic.num.partitions must be at least 1, not " + count);
        }
    }

    /** The slot (partition of {@value #TOPIC}) of {@code group}. */
    public TopicPartitionId slotOf(String group) {
        int hash = group.hashCode();
        int nonNegative = hash == Integer.MIN_VALUE ? 0 : Math.abs(hash);
        return new TopicPartitionId(topicId, nonNegative % count);
    }
}
