package io.strata.broker.cluster;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/**
 * How Metadata and DescribeTopicPartitions describe a partition's replicas. Durability comes from the bucket, not
 * from copies, so a partition has one replica, its leader, which is also the whole ISR (CLUSTER.md). A partition
 * with no leader now is described as Kafka describes an offline partition of replication factor 1:
 * LEADER_NOT_AVAILABLE (retriable), leader -1, no replicas.
 */
public record PartitionReplicas(Errors error, int leader, int leaderEpoch, List<Integer> replicas) {

    public static PartitionReplicas of(PartitionRoute route) {
        if (!route.hasLeader()) {
            return new PartitionReplicas(Errors.LEADER_NOT_AVAILABLE, PartitionRoute.NO_LEADER, route.leaderEpoch(),
                    List.of());
        }
        return new PartitionReplicas(Errors.NONE, route.leader(), route.leaderEpoch(), List.of(route.leader()));
    }
}
