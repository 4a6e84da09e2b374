package io.strata.metadata;

import java.util.List;
import java.util.Objects;

/**
 * The bytes of one partition in one WAL object: offsets {@code baseOffset} (inclusive) to {@code endOffset}
 * (exclusive), appended at {@code leaderEpoch}, stored as Kafka record batches back to back at {@code position}
 * ({@code length} bytes) of object {@code objectKey}; {@code batches} describes each of them, in offset order.
 */
public record WalRange(TopicPartitionId partition, int leaderEpoch, long baseOffset, long endOffset,
                       String objectKey, long position, int length, List<WalBatch> batches) {
    public WalRange {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(objectKey, "objectKey");
        batches = List.copyOf(batches);
        if (endOffset <= baseOffset || position < 0 || length <= 0) {
            throw new IllegalArgumentException("empty or negative WAL range: offsets " + baseOffset + " to "
                    + endOffset + ", bytes " + position + "+" + length + " of " + objectKey);
        }
    }
}
