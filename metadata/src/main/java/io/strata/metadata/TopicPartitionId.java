package io.strata.metadata;

import java.util.Objects;
import java.util.UUID;

/** A partition named by its topic's id (never its name: a re-created topic is another topic, rule 9). */
public record TopicPartitionId(UUID topicId, int partition) implements Comparable<TopicPartitionId> {
    public TopicPartitionId {
        Objects.requireNonNull(topicId, "topicId");
        if (partition < 0) {
            throw new IllegalArgumentException("partition must be 0 or more, not " + partition);
        }
    }

    /**
     * The order rows are locked in (topic id, then partition), so that transactions never deadlock: topic ids
     * compare as PostgreSQL compares uuids (their 16 bytes, unsigned), the order of its {@code ORDER BY topic_id},
     * not as {@link UUID#compareTo} does (signed halves).
     */
    @Override
    public int compareTo(TopicPartitionId other) {
        int byTopic = Long.compareUnsigned(topicId.getMostSignificantBits(), other.topicId.getMostSignificantBits());
        if (byTopic == 0) {
            byTopic = Long.compareUnsigned(topicId.getLeastSignificantBits(), other.topicId.getLeastSignificantBits());
        }
        return byTopic != 0 ? byTopic : Integer.compare(partition, other.partition);
    }
}
