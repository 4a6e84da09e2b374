package io.strata.broker.cluster;

import io.strata.metadata.EpochStart;
import io.strata.tiering.TopicLogs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The one place a handler asks "which brokers are there, who leads this partition at which epoch, who coordinates
 * this group", and through which topics are created. Two implementations, one code path in the handlers:
 * {@link ClusterOfOne} (single-broker mode: this broker leads every partition at epoch 0 and coordinates every
 * group) and {@link MetadataCluster} (cluster mode: what the metadata database says, refreshed when it changes).
 *
 * <p>What this says only routes requests. Every durable write is fenced again where it is made (CLUSTER.md
 * invariant 1), so a stale answer costs a client a retriable error, never a wrong write. Thread-safe.
 */
public interface Cluster {

    /** This broker's {@code node.id}. */
    int localNodeId();

    String clusterId();

    /** The brokers clients may talk to (the live ones), this one included, by node id. */
    List<ClusterNode> brokers();

    /** The node id of the controller (the controller-lease holder; -1 when none is known). */
    int controllerId();

    /** The partition's leader and epoch; {@link PartitionRoute#NO_LEADER} when it has none or is unknown. */
    PartitionRoute route(TopicPartition partition);

    /**
     * Whether this broker may serve a request for {@code partition} now: {@link Errors#NONE} when it leads it (and
     * still holds its lease), else the error Kafka answers: NOT_LEADER_OR_FOLLOWER when another broker (or none)
     * leads it or this one is handing it over; with a {@code currentLeaderEpoch} from the client (Fetch,
     * ListOffsets, OffsetForLeaderEpoch; -1 or empty means none given), FENCED_LEADER_EPOCH when the client's epoch
     * is older than the leader's and UNKNOWN_LEADER_EPOCH when newer. Does not check that the topic exists.
     */
    Errors checkLeader(TopicPartition partition, Optional<Integer> currentLeaderEpoch);

    /** The broker that coordinates {@code groupId}; empty when its coordinator slot has no live leader now. */
    Optional<ClusterNode> groupCoordinator(String groupId);

    /**
     * Creates a topic for the whole cluster and opens it here. Blocking: call it off the event loop.
     *
     * @throws org.apache.kafka.common.errors.ApiException as {@code LogManager.createTopic} does (exists, invalid)
     */
    TopicLogs createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs);

    /** Deletes a topic for the whole cluster (here with its bucket objects). Blocking. */
    void deleteTopic(String name);

    /** Grows a topic's partition count for the whole cluster; validated first. Blocking. */
    TopicLogs addPartitions(String name, int newCount);

    /** Replaces a topic's config overrides for the whole cluster; validated first. Blocking. */
    TopicLogs alterTopicConfigs(String name, Map<String, String> configs);

    /**
     * A producer id never handed out before by any broker of the cluster. Blocking: call it off the event loop.
     *
     * @throws RuntimeException when none can be reserved now (clients retry)
     */
    long allocateProducerId();

    /**
     * The partition's leader-epoch history, oldest first (OffsetForLeaderEpoch answers from it). Blocking in
     * cluster mode (one read of the database): call it off the event loop.
     */
    List<EpochStart> epochHistory(TopicPartition partition);

    /**
     * Moves the partition's leadership to the one broker {@code replicas} names ({@code kafka-reassign-partitions}),
     * by a planned hand-over; empty cancels a move not yet done. Only on the controller.
     *
     * @throws org.apache.kafka.common.errors.ApiException with Kafka's error: INVALID_REPLICA_ASSIGNMENT (not exactly
     *     one live broker), NO_REASSIGNMENT_IN_PROGRESS (nothing to cancel), NOT_CONTROLLER
     */
    void reassign(TopicPartition partition, Optional<List<Integer>> replicas);

    /** The moves asked for and not yet done: partition to the broker that is to lead it. */
    Map<TopicPartition, Integer> reassignments();
}
