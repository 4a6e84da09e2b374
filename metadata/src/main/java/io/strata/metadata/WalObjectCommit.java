package io.strata.metadata;

import java.util.List;
import java.util.Objects;
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
    }
}
