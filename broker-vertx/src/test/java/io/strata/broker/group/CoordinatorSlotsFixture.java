package io.strata.broker.group;

import io.strata.broker.cluster.Cluster;
import io.strata.broker.cluster.ClusterNode;
import io.strata.broker.cluster.PartitionRoute;
import io.strata.metadata.CoordinatorSlots;
import io.strata.metadata.LeadershipView;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import io.strata.tiering.TopicLogs;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Coordinator slots in a real {@link MetadataStore} for tests: the {@code __consumer_offsets} slots and user topics
 * created there, a controller lease to move slots with ({@link #moveSlotOf}), and per broker the views a broker
 * builds from the store ({@link Broker}: leadership view, {@link Cluster}, {@link SlotLeases}, {@link TopicIds},
 * {@link GroupOwnership}).
 */
public final class CoordinatorSlotsFixture {

    private final MetadataStore store;
    private final CoordinatorSlots slots;
    private final long controllerEpoch;

    public CoordinatorSlotsFixture(MetadataStore store, int slotCount) {
        this.store = store;
        this.slots = new CoordinatorSlots(UUID.randomUUID(), slotCount);
        store.createTopic(new TopicDefinition(slots.topicId(), CoordinatorSlots.TOPIC, slotCount, Map.of()));
        this.controllerEpoch = store.claimController(0, UUID.randomUUID(), Optional.empty()).orElseThrow();
    }

    public MetadataStore store() {
        return store;
    }

    public TopicPartitionId slotOf(String group) {
        return slots.slotOf(group);
    }

    public UUID createTopic(String name, int partitions) {
        UUID id = UUID.randomUUID();
        store.createTopic(new TopicDefinition(id, name, partitions, Map.of()));
        return id;
    }

    /** Makes {@code node} the leader of the group's slot at the next epoch; that epoch. */
    public int moveSlotOf(String group, int node) {
        TopicPartitionId slot = slots.slotOf(group);
        int epoch = store.leadership().stream().filter(l -> l.partition().equals(slot)).findFirst().orElseThrow()
                .leaderEpoch();
        return store.electLeader(controllerEpoch, slot, epoch, node).orElseThrow().leaderEpoch();
    }

    public Broker broker(int nodeId) {
        return new Broker(nodeId);
    }

    /** What one broker knows, from its own leadership view (refreshed by {@link #refresh}). */
    public final class Broker implements Cluster, TopicIds {
        private final int nodeId;
        private final LeadershipView view = new LeadershipView(store);
        public final SlotLeases leases;
        public final GroupOwnership ownership;

        private Broker(int nodeId) {
            this.nodeId = nodeId;
            this.leases = new LeadershipSlotLeases(view, slots, () -> nodeId);
            this.ownership = GroupOwnership.of(this, leases);
            view.refresh();
        }

        public void refresh() {
            view.refresh();
        }

        @Override
        public int localNodeId() {
            return nodeId;
        }

        @Override
        public String clusterId() {
            return "test-cluster";
        }

        @Override
        public List<ClusterNode> brokers() {
            return List.of(node(nodeId));
        }

        @Override
        public int controllerId() {
            return 0;
        }

        @Override
        public PartitionRoute route(TopicPartition partition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Errors checkLeader(TopicPartition partition, Optional<Integer> currentLeaderEpoch) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<ClusterNode> groupCoordinator(String groupId) {
            return view.leadership(slots.slotOf(groupId)).filter(PartitionLeadership::hasLeader)
                    .map(leadership -> node(leadership.leader()));
        }

        @Override
        public TopicLogs createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void deleteTopic(String name) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TopicLogs addPartitions(String name, int newCount) {
            throw new UnsupportedOperationException();
        }

        @Override
        public TopicLogs alterTopicConfigs(String name, Map<String, String> configs) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long allocateProducerId() {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<io.strata.metadata.EpochStart> epochHistory(TopicPartition partition) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void reassign(TopicPartition partition, Optional<List<Integer>> replicas) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<TopicPartition, Integer> reassignments() {
            throw new UnsupportedOperationException();
        }

        @Override
        public Optional<UUID> idOf(String name) {
            return store.topics().stream().filter(t -> t.name().equals(name)).map(TopicDefinition::topicId)
                    .findFirst();
        }

        @Override
        public Optional<String> nameOf(UUID id) {
            return store.topics().stream().filter(t -> t.topicId().equals(id)).map(TopicDefinition::name)
                    .findFirst();
        }
    }

    /** The address tests give broker {@code nodeId}. */
    public static ClusterNode node(int nodeId) {
        return new ClusterNode(nodeId, "broker-" + nodeId, 9090 + nodeId, Optional.empty());
    }
}
