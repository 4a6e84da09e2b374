package io.strata.metadata;

import java.util.Objects;

/**
 * A consumer group's committed offset for one partition, as OffsetCommit sets it: the offset, the leader epoch the
 * consumer saw there (-1 for none), the client's metadata string, and when it was committed (the coordinator's
 * clock, for {@code offsets.retention.minutes}).
 */
public record CommittedOffset(String group, TopicPartitionId partition, long offset, int leaderEpoch,
                              String metadata, long commitTimeMs) {
    public CommittedOffset {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(metadata, "metadata");
    }
}
