package io.strata.broker.cluster;

import io.strata.broker.BrokerIdentity;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Single-broker mode, a cluster of one: this broker is the controller, leads every partition it holds at leader
 * epoch 0 (the epoch stamped on every batch it writes) and coordinates every group. Topics are created in the local
 * {@link LogManager} only.
 */
public final class ClusterOfOne implements Cluster {

    /** The only leader epoch a single broker ever has. */
    public static final int LEADER_EPOCH = 0;

    private final LogManager logs;
    private final Supplier<BrokerIdentity> identity;

    public ClusterOfOne(LogManager logs, Supplier<BrokerIdentity> identity) {
        this.logs = logs;
        this.identity = identity;
    }

    @Override
    public int localNodeId() {
        return identity.get().nodeId();
    }

    @Override
    public String clusterId() {
        return identity.get().clusterId();
    }

    @Override
    public List<ClusterNode> brokers() {
        return List.of(self());
    }

    @Override
    public int controllerId() {
        return localNodeId();
    }

    @Override
    public PartitionRoute route(TopicPartition partition) {
        return new PartitionRoute(localNodeId(), LEADER_EPOCH);
    }

    @Override
    public Errors checkLeader(TopicPartition partition, Optional<Integer> currentLeaderEpoch) {
        return EpochCheck.against(LEADER_EPOCH, currentLeaderEpoch);
    }

    @Override
    public Optional<ClusterNode> groupCoordinator(String groupId) {
        return Optional.of(self());
    }

    @Override
    public TopicLogs createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        return logs.createTopic(name, partitions, replicationFactor, configs);
    }

    private ClusterNode self() {
        BrokerIdentity self = identity.get();
        return new ClusterNode(self.nodeId(), self.host(), self.port(), Optional.empty());
    }
}
