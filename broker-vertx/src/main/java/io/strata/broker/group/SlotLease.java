package io.strata.broker.group;

import io.strata.metadata.TopicPartitionId;
import java.util.Objects;

/**
 * This broker's hold on a group's coordinator slot: the slot (a partition of {@code __consumer_offsets}, see
 * {@code CoordinatorSlots}), this broker's node id, and the leader epoch at which the metadata database says this
 * broker leads the slot. Every offset write of the group carries it, so the database refuses the write once the
 * slot has moved (CLUSTER.md invariant 1).
 */
public record SlotLease(TopicPartitionId slot, int nodeId, int epoch) {
    public SlotLease {
        Objects.requireNonNull(slot, "slot");
    }
}
