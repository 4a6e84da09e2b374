package io.strata.broker.cluster;

import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicPartitionId;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CLUSTER.md rule 5, "the database never goes back in time", as this broker checks it: a partition whose leader
 * epoch in the metadata database is lower than one this broker saw before, or whose committed end is below offsets
 * this broker saw committed, is halted. A database restored from an old backup, or failed over to a replica that
 * missed committed transactions, would otherwise let a second leader write offsets that were already acknowledged.
 * A halted partition is not opened or served again by this broker until it restarts (clients get
 * NOT_LEADER_OR_FOLLOWER); one ERROR line says why. Partitions that leave the database (their topic deleted) are
 * forgotten. Thread-safe.
 */
final class RegressionGuard {

    private static final Logger LOGGER = LoggerFactory.getLogger(RegressionGuard.class);

    private final Map<TopicPartitionId, Integer> epochs = new ConcurrentHashMap<>();
    private final Map<TopicPartitionId, Long> committedEnds = new ConcurrentHashMap<>();
    private final Set<TopicPartitionId> halted = ConcurrentHashMap.newKeySet();

    /** Checks and records the leader epochs of a new read of the database; forgets partitions no longer in it. */
    void observe(Map<TopicPartitionId, PartitionLeadership> leadership) {
        epochs.keySet().removeIf(id -> !leadership.containsKey(id));
        committedEnds.keySet().removeIf(id -> !leadership.containsKey(id));
        halted.removeIf(id -> !leadership.containsKey(id));
        for (PartitionLeadership partition : leadership.values()) {
            TopicPartitionId id = partition.partition();
            Integer seen = epochs.merge(id, partition.leaderEpoch(), Math::max);
            if (seen > partition.leaderEpoch()) {
                halt(id, "leader epoch " + partition.leaderEpoch() + " after " + seen);
            }
        }
    }

    /**
     * Checks the committed end the database gives for {@code id} now against what this broker saw committed; false
     * (and the partition halted) when it went back.
     */
    boolean checkCommittedEnd(TopicPartitionId id, long committedEnd) {
        Long seen = committedEnds.merge(id, committedEnd, Math::max);
        if (seen > committedEnd) {
            halt(id, "committed end " + committedEnd + " after " + seen);
            return false;
        }
        return !halted.contains(id);
    }

    /** This broker saw every offset of {@code id} below {@code end} committed. */
    void committed(TopicPartitionId id, long end) {
        committedEnds.merge(id, end, Math::max);
    }

    boolean halted(TopicPartitionId id) {
        return halted.contains(id);
    }

    private void halt(TopicPartitionId id, String what) {
        if (halted.add(id)) {
            LOGGER.error("The metadata database went back in time for partition {} of topic {}: {}. Halting the"
                    + " partition on this broker until it restarts: the database must never lose a committed"
                    + " transaction (CLUSTER.md rule 5; see the README on the database's setup)", id.partition(),
                    id.topicId(), what);
        }
    }
}
