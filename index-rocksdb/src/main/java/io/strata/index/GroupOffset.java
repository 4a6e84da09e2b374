package io.strata.index;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One committed offset of a consumer group, as {@link GroupOffsetStore} keeps it.
 *
 * @param group             the group id
 * @param topic             the topic name
 * @param partition         the partition index
 * @param offset            the committed offset (the next record the group will read)
 * @param leaderEpoch       the leader epoch the client committed with, if it sent one
 * @param metadata          the client's metadata string, empty when it sent none
 * @param commitTimestampMs when the broker accepted the commit
 */
public record GroupOffset(String group, String topic, int partition, long offset, OptionalInt leaderEpoch,
                          Optional<String> metadata, long commitTimestampMs) {

    public GroupOffset {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(leaderEpoch, "leaderEpoch");
        Objects.requireNonNull(metadata, "metadata");
    }
}
