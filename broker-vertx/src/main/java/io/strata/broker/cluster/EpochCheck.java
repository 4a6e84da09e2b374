package io.strata.broker.cluster;

import java.util.Optional;
import org.apache.kafka.common.protocol.Errors;

/**
 * Kafka's rule for the {@code current_leader_epoch} a client sends with Fetch, ListOffsets and
 * OffsetForLeaderEpoch (as {@code Partition.getLocalLog} applies it): none given (empty or -1) passes; older than
 * the leader's epoch is FENCED_LEADER_EPOCH (the client's metadata is stale); newer is UNKNOWN_LEADER_EPOCH (this
 * broker's is).
 */
final class EpochCheck {

    private static final int NO_EPOCH = -1;

    private EpochCheck() {
    }

    static Errors against(int leaderEpoch, Optional<Integer> currentLeaderEpoch) {
        if (currentLeaderEpoch.isEmpty() || currentLeaderEpoch.get() == NO_EPOCH) {
            return Errors.NONE;
        }
        int theirs = currentLeaderEpoch.get();
        if (theirs < leaderEpoch) {
            return Errors.FENCED_LEADER_EPOCH;
        }
        return theirs > leaderEpoch ? Errors.UNKNOWN_LEADER_EPOCH : Errors.NONE;
    }
}
