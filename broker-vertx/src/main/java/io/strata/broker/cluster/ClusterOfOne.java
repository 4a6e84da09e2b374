package io.strata.broker.cluster;

import io.strata.broker.BrokerIdentity;
import io.strata.metadata.EpochStart;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
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

    @Override
    public void deleteTopic(String name) {
        logs.deleteTopic(name);
    }

    @Override
    public TopicLogs addPartitions(String name, int newCount) {
        return logs.addPartitions(name, newCount);
    }

    @Override
    public TopicLogs alterTopicConfigs(String name, Map<String, String> configs) {
        return logs.alterTopicConfigs(name, configs);
    }

    @Override
    public long allocateProducerId() {
        return logs.allocateProducerId();
    }

    /** One epoch, 0, since the first offset. */
    @Override
    public List<EpochStart> epochHistory(TopicPartition partition) {
        return List.of(new EpochStart(LEADER_EPOCH, 0, localNodeId()));
    }

    /** Nothing moves in a cluster of one: a move to this broker is done already, any other is refused. */
    @Override
    public void reassign(TopicPartition partition, Optional<List<Integer>> replicas) {
        if (replicas.isEmpty()) {
            throw new NoReassignmentInProgressException("No reassignment of " + partition + " is in progress");
        }
        if (!replicas.get().equals(List.of(localNodeId()))) {
            throw new InvalidReplicaAssignmentException("This single broker (node " + localNodeId()
                    + ") is the only replica a partition can have; asked for " + replicas.get());
        }
    }

    @Override
    public Map<TopicPartition, Integer> reassignments() {
        return Map.of();
    }

    private ClusterNode self() {
        BrokerIdentity self = identity.get();
        return new ClusterNode(self.nodeId(), self.host(), self.port(), Optional.empty());
    }
}
