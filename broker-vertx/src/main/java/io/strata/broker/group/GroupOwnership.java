package io.strata.broker.group;

import io.strata.broker.cluster.Cluster;
import io.strata.broker.cluster.ClusterNode;
import io.strata.broker.cluster.ClusterOfOne;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The one place the group coordinator asks whether this broker coordinates a group now, and at which epoch of the
 * group's coordinator slot: this broker coordinates a group when {@link Cluster#groupCoordinator} names it, at the
 * epoch of its {@link SlotLease} on the group's slot. A group asked about while this broker does not coordinate it
 * is answered NOT_COORDINATOR (clients then look the coordinator up again); a group kept in memory under another
 * epoch than the current one is dropped, since the slot moved away in between (it is loaded again from its stored
 * generation, which another coordinator may have moved on meanwhile).
 * Thread-safe when the {@link Cluster} and {@link SlotLeases} are.
 */
public final class GroupOwnership {

    private final Function<String, OptionalInt> epochOf;

    private GroupOwnership(Function<String, OptionalInt> epochOf) {
        this.epochOf = epochOf;
    }

    /** Cluster mode: the slot epoch is that of this broker's lease on the group's slot. */
    public static GroupOwnership of(Cluster cluster, SlotLeases leases) {
        return new GroupOwnership(group -> coordinatesHere(cluster, group)
                ? leases.leaseFor(group).filter(lease -> lease.nodeId() == cluster.localNodeId())
                        .map(lease -> OptionalInt.of(lease.epoch())).orElse(OptionalInt.empty())
                : OptionalInt.empty());
    }

    /** Single-broker mode ({@link ClusterOfOne}): the groups the cluster gives this broker (all), at epoch 0. */
    public static GroupOwnership singleBroker(Cluster cluster) {
        return new GroupOwnership(group -> coordinatesHere(cluster, group)
                ? OptionalInt.of(ClusterOfOne.LEADER_EPOCH) : OptionalInt.empty());
    }

    /**
     * Every group at epoch 0, without asking a {@link Cluster}: for coordinator unit tests, and for the deprecated
     * single-broker wiring until the broker hands the coordinator its {@link Cluster} ({@link #singleBroker}).
     */
    static GroupOwnership everyGroup() {
        return new GroupOwnership(group -> OptionalInt.of(ClusterOfOne.LEADER_EPOCH));
    }

    private static boolean coordinatesHere(Cluster cluster, String groupId) {
        Optional<ClusterNode> coordinator = cluster.groupCoordinator(groupId);
        return coordinator.isPresent() && coordinator.get().nodeId() == cluster.localNodeId();
    }

    /**
     * The epoch of the group's coordinator slot at which this broker coordinates {@code groupId} now; empty when it
     * does not coordinate it (another broker does, or nobody does at the moment).
     */
    public OptionalInt coordinatorEpoch(String groupId) {
        return epochOf.apply(groupId);
    }
}
