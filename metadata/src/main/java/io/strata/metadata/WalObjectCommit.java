package io.strata.metadata;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * What one WAL object, already in the bucket under {@code objectKey} ({@code sizeBytes} long), holds: written by
 * broker {@code nodeId} in its incarnation {@code incarnation}, one {@link WalRange} per partition (at most one per
 * partition, in (topic id, partition) order).
 */
public record WalObjectCommit(String objectKey, int nodeId, UUID incarnation, long sizeBytes,
                              List<WalRange> ranges) {
    public WalObjectCommit {
        Objects.requireNonNull(objectKey, "objectKey");
        Objects.requireNonNull(incarnation, "incarnation");
        ranges = List.copyOf(ranges);
        Set<TopicPartitionId> partitions = new HashSet<>();
        for (WalRange range : ranges) {
            if (!range.objectKey().equals(objectKey)) {
                throw new IllegalArgumentException("a range of " + range.partition() + " in " + range.objectKey()
                        + " is not in object " + objectKey);
            }
            if (!partitions.add(range.partition())) {
                throw new IllegalArgumentException("a WAL object holds one range per partition; " + range.partition()
                        + " has two in " + objectKey);
            }
        }
    }

    /** The ranges in (topic id, partition) order: the order in which a commit locks their partitions (rule 7). */
    public List<WalRange> rangesInLockOrder() {
        return ranges.stream().sorted(Comparator.comparing(WalRange::partition)).toList();
    }
}
