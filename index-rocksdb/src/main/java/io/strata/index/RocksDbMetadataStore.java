package io.strata.index;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.strata.metadata.BrokerRegistration;
import io.strata.metadata.BrokerState;
import io.strata.metadata.CommittedOffset;
import io.strata.metadata.ControllerState;
import io.strata.metadata.EpochStart;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.NodeIdInUseException;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.rocksdb.ColumnFamilyHandle;

/**
 * The embedded {@link MetadataStore} of single-broker mode (a cluster of one): the same contract as the
 * PostgreSQL adapter, kept in the broker's own RocksDB (column family {@code cluster}), with this process as
 * the only writer (every method is synchronized; multi-key changes are one synced write batch) and this
 * machine's clock as "the database's clock".
 *
 * <p>Keys (ASCII) and values (JSON objects, fields as named):
 * <ul>
 *   <li>{@code b/<node id, 10 digits>} → broker: {@code incarnation, endpoints, rack, heartbeats, renewedAtMs}</li>
 *   <li>{@code c} → controller lease: {@code epoch, nodeId, incarnation, heartbeats}</li>
 *   <li>{@code t/<topic id>} → topic: {@code name, partitions, configs}</li>
 *   <li>{@code p/<topic id>/<partition, 10 digits>} → partition: {@code leader, leaderEpoch, committedEnd}</li>
 *   <li>{@code e/<topic id>/<partition, 10 digits>/<epoch, 10 digits>} → epoch start: {@code startOffset, leader}</li>
 *   <li>{@code n/producer_id} → the next producer id no one was given: {@code value}</li>
 *   <li>{@code o/<group, URL-encoded (UTF-8)>/<topic id>/<partition, 10 digits>} → committed offset:
 *       {@code offset, leaderEpoch, metadata, commitTimeMs}</li>
 * </ul>
 * {@link #close()} does nothing: the {@link RocksDbIndexStore} it lives in closes it.
 */
public final class RocksDbMetadataStore extends ColumnFamilyStore implements MetadataStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTROLLER = "c";
    private static final String PRODUCER_ID = "n/producer_id";

    record BrokerValue(UUID incarnation, String endpoints, String rack, long heartbeats, long renewedAtMs) {
    }

    record ControllerValue(long epoch, int nodeId, UUID incarnation, long heartbeats) {
    }

    record TopicValue(String name, int partitions, Map<String, String> configs) {
    }

    record PartitionValue(int leader, int leaderEpoch, long committedEnd) {
    }

    record EpochValue(long startOffset, int leader) {
    }

    record CounterValue(long value) {
    }

    record OffsetValue(long offset, int leaderEpoch, String metadata, long commitTimeMs) {
    }

    private final LongSupplier clock;

    RocksDbMetadataStore(RocksDbIndexStore store, ColumnFamilyHandle family, LongSupplier clock) {
        super(store, family);
        this.clock = clock;
    }

    @Override
    protected String name() {
        return RocksDbIndexStore.CF_CLUSTER;
    }

    // ---- brokers -------------------------------------------------------------------------------------------

    @Override
    public synchronized void register(BrokerRegistration registration, Duration sessionTimeout) {
        String key = brokerKey(registration.nodeId());
        Optional<BrokerValue> current = read(key, BrokerValue.class);
        long now = clock.getAsLong();
        if (current.isPresent() && !current.get().incarnation().equals(registration.incarnation())
                && current.get().renewedAtMs() >= now - sessionTimeout.toMillis()) {
            throw new NodeIdInUseException("node id " + registration.nodeId() + " is held by a live broker at "
                    + current.get().endpoints() + " (incarnation " + current.get().incarnation()
                    + ", renewed within the last " + sessionTimeout.toMillis() + " ms): give this broker another"
                    + " node.id, or stop the other one");
        }
        long heartbeats = current.map(value -> value.heartbeats() + 1).orElse(0L);
        write(key, new BrokerValue(registration.incarnation(), registration.endpoints(),
                registration.rack().orElse(null), heartbeats, now));
    }

    @Override
    public synchronized boolean heartbeat(int nodeId, UUID incarnation) {
        String key = brokerKey(nodeId);
        Optional<BrokerValue> current = read(key, BrokerValue.class).filter(v -> v.incarnation().equals(incarnation));
        current.ifPresent(value -> write(key, new BrokerValue(value.incarnation(), value.endpoints(), value.rack(),
                value.heartbeats() + 1, clock.getAsLong())));
        return current.isPresent();
    }

    @Override
    public synchronized void unregister(int nodeId, UUID incarnation) {
        String key = brokerKey(nodeId);
        if (read(key, BrokerValue.class).filter(v -> v.incarnation().equals(incarnation)).isPresent()) {
            try (IndexBatch batch = store.newBatch()) {
                batch.delete(family, bytes(key));
                batch.commit(true);
            }
        }
    }

    @Override
    public synchronized List<BrokerState> brokers() {
        return scan(bytes("b/"), (key, value) -> {
            BrokerValue broker = decode(value, BrokerValue.class);
            int nodeId = Integer.parseInt(new String(key, StandardCharsets.US_ASCII).substring(2));
            return new BrokerState(new BrokerRegistration(nodeId, broker.incarnation(), broker.endpoints(),
                    Optional.ofNullable(broker.rack())), broker.heartbeats());
        });
    }

    // ---- controller lease ----------------------------------------------------------------------------------

    @Override
    public synchronized Optional<ControllerState> controller() {
        return read(CONTROLLER, ControllerValue.class)
                .map(v -> new ControllerState(v.epoch(), v.nodeId(), v.incarnation(), v.heartbeats()));
    }

    @Override
    public synchronized OptionalLong claimController(int nodeId, UUID incarnation, Optional<ControllerState> seen) {
        Optional<ControllerState> current = controller();
        boolean unchanged = seen.isEmpty() ? current.isEmpty()
                : current.filter(c -> c.epoch() == seen.get().epoch() && c.heartbeats() == seen.get().heartbeats())
                        .isPresent();
        if (!unchanged) {
            return OptionalLong.empty();
        }
        long epoch = current.map(c -> c.epoch() + 1).orElse(1L);
        write(CONTROLLER, new ControllerValue(epoch, nodeId, incarnation, 0));
        return OptionalLong.of(epoch);
    }

    @Override
    public synchronized boolean renewController(int nodeId, UUID incarnation, long epoch) {
        Optional<ControllerValue> current = read(CONTROLLER, ControllerValue.class)
                .filter(c -> c.epoch() == epoch && c.nodeId() == nodeId && c.incarnation().equals(incarnation));
        current.ifPresent(c -> write(CONTROLLER, new ControllerValue(c.epoch(), c.nodeId(), c.incarnation(),
                c.heartbeats() + 1)));
        return current.isPresent();
    }

    // ---- topics and leadership -----------------------------------------------------------------------------

    @Override
    public synchronized boolean createTopic(TopicDefinition topic) {
        if (read(topicKey(topic.topicId()), TopicValue.class).isPresent()
                || topics().stream().anyMatch(t -> t.name().equals(topic.name()))) {
            return false;
        }
        try (IndexBatch batch = store.newBatch()) {
            batch.put(family, bytes(topicKey(topic.topicId())),
                    encode(new TopicValue(topic.name(), topic.partitions(), topic.configs())));
            for (int partition = 0; partition < topic.partitions(); partition++) {
                batch.put(family, bytes(partitionKey(new TopicPartitionId(topic.topicId(), partition))),
                        encode(new PartitionValue(PartitionLeadership.NO_LEADER, 0, 0)));
            }
            batch.commit(true);
        }
        return true;
    }

    @Override
    public synchronized List<TopicDefinition> topics() {
        List<TopicDefinition> topics = new ArrayList<>(scan(bytes("t/"), (key, value) -> {
            TopicValue topic = decode(value, TopicValue.class);
            UUID id = UUID.fromString(new String(key, StandardCharsets.US_ASCII).substring(2));
            return new TopicDefinition(id, topic.name(), topic.partitions(), topic.configs());
        }));
        topics.sort(Comparator.comparing(TopicDefinition::name));
        return topics;
    }

    @Override
    public synchronized List<PartitionLeadership> leadership() {
        List<PartitionLeadership> leadership = new ArrayList<>(scan(bytes("p/"), (key, value) -> {
            PartitionValue partition = decode(value, PartitionValue.class);
            return new PartitionLeadership(partitionOf(new String(key, StandardCharsets.US_ASCII)),
                    partition.leader(), partition.leaderEpoch());
        }));
        leadership.sort(Comparator.comparing(PartitionLeadership::partition));
        return leadership;
    }

    @Override
    public synchronized Optional<PartitionLeadership> electLeader(long controllerEpoch, TopicPartitionId partition,
                                                                  int expectedEpoch, int newLeader) {
        if (controller().map(ControllerState::epoch).filter(epoch -> epoch == controllerEpoch).isEmpty()) {
            return Optional.empty();
        }
        String key = partitionKey(partition);
        Optional<PartitionValue> current = read(key, PartitionValue.class)
                .filter(value -> value.leaderEpoch() == expectedEpoch);
        if (current.isEmpty()) {
            return Optional.empty();
        }
        int newEpoch = expectedEpoch + 1;
        try (IndexBatch batch = store.newBatch()) {
            batch.put(family, bytes(key), encode(new PartitionValue(newLeader, newEpoch, current.get().committedEnd())));
            batch.put(family, bytes(epochKey(partition, newEpoch)), encode(new EpochValue(current.get().committedEnd(), newLeader)));
            batch.commit(true);
        }
        return Optional.of(new PartitionLeadership(partition, newLeader, newEpoch));
    }

    @Override
    public synchronized long committedEnd(TopicPartitionId partition) {
        return read(partitionKey(partition), PartitionValue.class)
                .orElseThrow(() -> new IllegalArgumentException("no partition " + partition)).committedEnd();
    }

    @Override
    public synchronized boolean advanceCommittedEnd(TopicPartitionId partition, int leader, int leaderEpoch,
                                                    long newEnd) {
        String key = partitionKey(partition);
        Optional<PartitionValue> current = read(key, PartitionValue.class).filter(value -> value.leader() == leader
                && value.leaderEpoch() == leaderEpoch && value.committedEnd() <= newEnd);
        current.ifPresent(value -> write(key, new PartitionValue(leader, leaderEpoch, newEnd)));
        return current.isPresent();
    }

    @Override
    public synchronized List<EpochStart> epochHistory(TopicPartitionId partition) {
        return scan(bytes("e/" + partition.topicId() + "/" + digits(partition.partition()) + "/"), (key, value) -> {
            String text = new String(key, StandardCharsets.US_ASCII);
            int epoch = Integer.parseInt(text.substring(text.lastIndexOf('/') + 1));
            return new EpochStart(epoch, decode(value, EpochValue.class).startOffset());
        });
    }

    // ---- committed offsets ---------------------------------------------------------------------------------

    @Override
    public synchronized boolean commitOffsets(TopicPartitionId slot, int coordinator, int slotEpoch,
                                              List<CommittedOffset> offsets) {
        if (!leads(slot, coordinator, slotEpoch)) {
            return false;
        }
        try (IndexBatch batch = store.newBatch()) {
            for (CommittedOffset offset : offsets) {
                batch.put(family, bytes(offsetKey(offset.group(), offset.partition())), encode(new OffsetValue(
                        offset.offset(), offset.leaderEpoch(), offset.metadata(), offset.commitTimeMs())));
            }
            batch.commit(true);
        }
        return true;
    }

    @Override
    public synchronized List<CommittedOffset> committedOffsets(String group) {
        List<CommittedOffset> offsets = new ArrayList<>(scan(bytes(groupPrefix(group)), (key, value) -> {
            String[] parts = new String(key, StandardCharsets.US_ASCII).split("/");
            OffsetValue offset = decode(value, OffsetValue.class);
            return new CommittedOffset(group, new TopicPartitionId(UUID.fromString(parts[2]),
                    Integer.parseInt(parts[3])), offset.offset(), offset.leaderEpoch(), offset.metadata(),
                    offset.commitTimeMs());
        }));
        offsets.sort(Comparator.comparing(CommittedOffset::partition));
        return offsets;
    }

    @Override
    public synchronized boolean deleteOffsets(TopicPartitionId slot, int coordinator, int slotEpoch, String group,
                                              List<TopicPartitionId> partitions) {
        if (!leads(slot, coordinator, slotEpoch)) {
            return false;
        }
        List<TopicPartitionId> doomed = partitions.isEmpty()
                ? committedOffsets(group).stream().map(CommittedOffset::partition).toList() : partitions;
        try (IndexBatch batch = store.newBatch()) {
            doomed.forEach(partition -> batch.delete(family, bytes(offsetKey(group, partition))));
            batch.commit(true);
        }
        return true;
    }

    private boolean leads(TopicPartitionId partition, int leader, int epoch) {
        return read(partitionKey(partition), PartitionValue.class)
                .filter(value -> value.leader() == leader && value.leaderEpoch() == epoch).isPresent();
    }

    private static String groupPrefix(String group) {
        return "o/" + java.net.URLEncoder.encode(group, StandardCharsets.UTF_8) + "/";
    }

    private static String offsetKey(String group, TopicPartitionId partition) {
        return groupPrefix(group) + partition.topicId() + "/" + digits(partition.partition());
    }

    // ---- producer ids --------------------------------------------------------------------------------------

    @Override
    public synchronized long allocateProducerIds(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("a block holds at least one producer id, not " + size);
        }
        long first = read(PRODUCER_ID, CounterValue.class).map(CounterValue::value).orElse(0L);
        write(PRODUCER_ID, new CounterValue(first + size));
        return first;
    }

    @Override
    public void close() {
        // the RocksDbIndexStore closes the database
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    private static String brokerKey(int nodeId) {
        return "b/" + digits(nodeId);
    }

    private static String topicKey(UUID topicId) {
        return "t/" + topicId;
    }

    private static String partitionKey(TopicPartitionId partition) {
        return "p/" + partition.topicId() + "/" + digits(partition.partition());
    }

    private static String epochKey(TopicPartitionId partition, int epoch) {
        return "e/" + partition.topicId() + "/" + digits(partition.partition()) + "/" + digits(epoch);
    }

    private static TopicPartitionId partitionOf(String partitionKey) {
        String[] parts = partitionKey.split("/");
        return new TopicPartitionId(UUID.fromString(parts[1]), Integer.parseInt(parts[2]));
    }

    private static String digits(int value) {
        return String.format("%010d", value);
    }

    private static byte[] bytes(String key) {
        return key.getBytes(StandardCharsets.US_ASCII);
    }

    private <T> Optional<T> read(String key, Class<T> type) {
        return get(bytes(key)).map(value -> decode(value, type));
    }

    private void write(String key, Object value) {
        putNow(bytes(key), encode(value), true);
    }

    private static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T decode(byte[] value, Class<T> type) {
        try {
            return JSON.readValue(value, type);
        } catch (java.io.IOException e) {
            throw new IndexStoreException("unreadable cluster metadata value: " + e.getMessage(), e);
        }
    }
}
