package io.strata.broker.cluster;

import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;

/**
 * One consistent read of the metadata database, replaced as a whole by {@link MetadataSync}: the topics by name,
 * every partition's leadership, the live brokers and the controller. Handlers read it lock-free.
 *
 * @param topics     the topics by name, the coordinator-slot topic included
 * @param leadership every partition's leadership
 * @param brokers    the live brokers, by node id
 * @param controller the controller-lease holder, -1 when none
 * @param draining   the live brokers that are shutting down (they hand their partitions over; none goes to them)
 * @param readAt     when the read began, on this JVM's monotonic clock ({@link System#nanoTime()})
 */
record ClusterSnapshot(Map<String, TopicDefinition> topics, Map<TopicPartitionId, PartitionLeadership> leadership,
                       List<ClusterNode> brokers, int controller, java.util.Set<Integer> draining, long readAt) {

    static final ClusterSnapshot EMPTY = new ClusterSnapshot(Map.of(), Map.of(), List.of(), -1, java.util.Set.of(),
            System.nanoTime());

    /** The partition's id in the database, when its topic is known by that name. */
    Optional<TopicPartitionId> id(TopicPartition partition) {
        TopicDefinition topic = topics.get(partition.topic());
        if (topic == null || partition.partition() < 0 || partition.partition() >= topic.partitions()) {
            return Optional.empty();
        }
        return Optional.of(new TopicPartitionId(topic.topicId(), partition.partition()));
    }

    Optional<PartitionLeadership> leadership(TopicPartition partition) {
        return id(partition).map(leadership::get);
    }

    Optional<ClusterNode> broker(int nodeId) {
        return brokers.stream().filter(node -> node.nodeId() == nodeId).findFirst();
    }

    /**
     * How many partitions each live broker that is not draining leads, of {@code topicId} when given (else of all
     * topics); 0 for those that lead none.
     */
    Map<Integer, Long> leaderCounts(java.util.Optional<java.util.UUID> topicId) {
        Map<Integer, Long> counts = new java.util.HashMap<>();
        brokers.stream().filter(node -> !draining.contains(node.nodeId())).forEach(node -> counts.put(node.nodeId(), 0L));
        leadership.values().stream().filter(l -> topicId.map(l.partition().topicId()::equals).orElse(true))
                .forEach(l -> counts.computeIfPresent(l.leader(), (node, count) -> count + 1));
        return counts;
    }
}
