package io.strata.index;

import com.fasterxml.jackson.annotation.JsonInclude;
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
import io.strata.metadata.RestoredMetadata;
import io.strata.metadata.StoredGroup;
import io.strata.metadata.StoredMember;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalCatalog;
import io.strata.metadata.WalBatchCodec;
import io.strata.metadata.WalCommitOutcome;
import io.strata.metadata.WalObjectCommit;
import io.strata.metadata.WalRange;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.rocksdb.ColumnFamilyHandle;

/**
 * The embedded {@link MetadataStore} of single-broker mode (a cluster of one): the same contract as the
 * PostgreSQL adapter, kept in the broker's own RocksDB (column family {@code cluster}), with this process as
 * the only writer (every method is synchronized; multi-key changes are one synced write batch) and this
 * machine's clock as "the database's clock".
 *
 * <p>Keys (ASCII) and values (JSON objects, fields as named):
 * <ul>
 *   <li>{@code b/<node id, 10 digits>} → broker: {@code incarnation, endpoints, rack, heartbeats, renewedAtMs,
 *       draining} ({@code draining}: this incarnation began a planned shutdown; absent when not draining,
 *       as in values written before draining; a registration of another incarnation leaves it absent)</li>
 *   <li>{@code c} → controller lease: {@code epoch, nodeId, incarnation, heartbeats}</li>
 *   <li>{@code t/<topic id>} → topic: {@code name, partitions, configs}</li>
 *   <li>{@code p/<topic id>/<partition, 10 digits>} → partition: {@code leader, leaderEpoch, committedEnd,
 *       targetLeader, lastLeader} (the last two since planned moves; absent in older values, read as -1 and
 *       {@code leader}). {@code targetLeader}: the hand-over the controller requested (-1 none);
 *       {@code lastLeader}: the broker whose disk may hold acknowledged records not in the bucket (-1 none)</li>
 *   <li>{@code e/<topic id>/<partition, 10 digits>/<epoch, 10 digits>} → epoch start: {@code startOffset, leader}
 *       (leader -1 for an offline or released epoch)</li>
 *   <li>{@code n/producer_id} → the next producer id no one was given: {@code value}</li>
 *   <li>{@code v} → the change version: {@code value}, moved by one in the write batch of every change of
 *       topics, leadership (leader, epoch, target), registered brokers or the controller; absent means 0</li>
 *   <li>{@code o/<group, URL-encoded (UTF-8)>/<topic id>/<partition, 10 digits>} → committed offset:
 *       {@code offset, leaderEpoch, metadata, commitTimeMs}</li>
 *   <li>{@code g/<group, URL-encoded (UTF-8)>} → a group's stored generation (CLUSTER.md rule 10):
 *       {@code slotTopicId, slotPartition, generation, protocolType, protocolName, leaderId, members} ({@code members}:
 *       in join order, each {@code memberId, groupInstanceId} (null for a dynamic member){@code , clientId,
 *       clientHost, sessionTimeoutMs, rebalanceTimeoutMs, subscription, assignment} (the last two base64)); removed
 *       when the group empties or is deleted, and with its slot's topic</li>
 *   <li>{@code ww/<incarnation>} → a write-ahead-log writer: {@code nodeId} (null when revoked before it committed
 *       anything), {@code revoked} (no commit of it passes any more)</li>
 *   <li>{@code wo/<object key, UTF-8>} → a committed WAL object: {@code incarnation, nodeId, sizeBytes,
 *       committedAtMs, deleting} (GC chose it; no range may refer to it again), {@code unresolvedRanges} (ranges its
 *       last commit attempt answered OUT_OF_ORDER; while non-zero and its writer not revoked, it is not
 *       collectable)</li>
 *   <li>{@code wr/<topic id>/<partition, 10 digits>/<base offset, 20 digits>} → a committed WAL range:
 *       {@code leaderEpoch, baseOffset, endOffset, objectKey, position, length, batches} ({@code batches}:
 *       {@link WalBatchCodec}'s layout, base64); removed when released and with its topic</li>
 * </ul>
 * For example, partition 3 of topic {@code 7c1e...} led by broker 2 at epoch 5, committed up to offset 1200,
 * asked to move to broker 4: {@code p/7c1e.../0000000003} → {@code {"leader":2,"leaderEpoch":5,
 * "committedEnd":1200,"targetLeader":4,"lastLeader":2}}.
 * {@link #close()} does nothing: the {@link RocksDbIndexStore} it lives in closes it.
 */
public final class RocksDbMetadataStore extends ColumnFamilyStore implements MetadataStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CONTROLLER = "c";
    private static final String PRODUCER_ID = "n/producer_id";
    private static final String CHANGE_VERSION = "v";
    private static final String GROUPS = "g/";
    private static final String WAL_WRITERS = "ww/";
    private static final String WAL_OBJECTS = "wo/";
    private static final String WAL_RANGES = "wr/";
    private static final int NO_LEADER = PartitionLeadership.NO_LEADER;

    /**
     * {@code draining} is true or absent (null): absent when not draining, and in values written before draining
     * brokers, so a value of a broker that is not draining reads the same to every version.
     */
    record BrokerValue(UUID incarnation, String endpoints, String rack, long heartbeats, long renewedAtMs,
                       @JsonInclude(JsonInclude.Include.NON_NULL) Boolean draining) {
        BrokerValue(UUID incarnation, String endpoints, String rack, long heartbeats, long renewedAtMs,
                    boolean draining) {
            this(incarnation, endpoints, rack, heartbeats, renewedAtMs, draining ? Boolean.TRUE : null);
        }

        boolean drains() {
            return Boolean.TRUE.equals(draining);
        }

        BrokerValue renewed(long heartbeats, long renewedAtMs) {
            return new BrokerValue(incarnation, endpoints, rack, heartbeats, renewedAtMs, draining);
        }
    }

    record ControllerValue(long epoch, int nodeId, UUID incarnation, long heartbeats) {
    }

    record TopicValue(String name, int partitions, Map<String, String> configs) {
    }

    /** {@code targetLeader} and {@code lastLeader} are null in values written before planned moves. */
    record PartitionValue(int leader, int leaderEpoch, long committedEnd, Integer targetLeader, Integer lastLeader) {
        static PartitionValue leaderless() {
            return new PartitionValue(NO_LEADER, 0, 0, NO_LEADER, NO_LEADER);
        }

        int target() {
            return targetLeader == null ? NO_LEADER : targetLeader;
        }

        int last() {
            return lastLeader == null ? leader : lastLeader;
        }

        PartitionLeadership leadership(TopicPartitionId partition) {
            return new PartitionLeadership(partition, leader, leaderEpoch, target(), last());
        }
    }

    record EpochValue(long startOffset, int leader) {
    }

    record CounterValue(long value) {
    }

    record OffsetValue(long offset, int leaderEpoch, String metadata, long commitTimeMs) {
    }

    record StoredGroupValue(UUID slotTopicId, int slotPartition, int generation, String protocolType,
                            String protocolName, String leaderId, List<StoredMemberValue> members) {
        static StoredGroupValue of(TopicPartitionId slot, StoredGroup group) {
            return new StoredGroupValue(slot.topicId(), slot.partition(), group.generation(), group.protocolType(),
                    group.protocolName(), group.leaderId(), group.members().stream().map(StoredMemberValue::of).toList());
        }

        StoredGroup toGroup(String groupId) {
            return new StoredGroup(groupId, generation, protocolType, protocolName, leaderId,
                    members.stream().map(StoredMemberValue::toMember).toList());
        }
    }

    /** {@code groupInstanceId} is null for a dynamic member. */
    record StoredMemberValue(String memberId, String groupInstanceId, String clientId, String clientHost,
                             int sessionTimeoutMs, int rebalanceTimeoutMs, byte[] subscription, byte[] assignment) {
        static StoredMemberValue of(StoredMember member) {
            return new StoredMemberValue(member.memberId(), member.groupInstanceId().orElse(null), member.clientId(),
                    member.clientHost(), member.sessionTimeoutMs(), member.rebalanceTimeoutMs(),
                    member.subscription(), member.assignment());
        }

        StoredMember toMember() {
            return new StoredMember(memberId, Optional.ofNullable(groupInstanceId), clientId, clientHost,
                    sessionTimeoutMs, rebalanceTimeoutMs, subscription, assignment);
        }
    }

    /** {@code nodeId} is null for an incarnation revoked before it committed anything. */
    record WalWriterValue(Integer nodeId, boolean revoked) {
    }

    record WalObjectValue(UUID incarnation, int nodeId, long sizeBytes, long committedAtMs, boolean deleting,
                          int unresolvedRanges) {
        WalObjectValue withUnresolvedRanges(int count) {
            return new WalObjectValue(incarnation, nodeId, sizeBytes, committedAtMs, deleting, count);
        }

        WalObjectValue markedDeleting() {
            return new WalObjectValue(incarnation, nodeId, sizeBytes, committedAtMs, true, unresolvedRanges);
        }
    }

    /** {@code batches}: {@link WalBatchCodec}'s layout (base64 in the JSON value). */
    record WalRangeValue(int leaderEpoch, long baseOffset, long endOffset, String objectKey, long position, int length,
                         byte[] batches) {
        static WalRangeValue of(WalRange range) {
            return new WalRangeValue(range.leaderEpoch(), range.baseOffset(), range.endOffset(), range.objectKey(),
                    range.position(), range.length(), WalBatchCodec.encode(range.batches()));
        }

        WalRange toRange(TopicPartitionId partition) {
            return new WalRange(partition, leaderEpoch, baseOffset, endOffset, objectKey, position, length,
                    WalBatchCodec.decode(batches));
        }
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
        boolean sameIncarnation = current.filter(v -> v.incarnation().equals(registration.incarnation())).isPresent();
        if (current.isPresent() && !sameIncarnation && current.get().renewedAtMs() >= now - sessionTimeout.toMillis()) {
            throw new NodeIdInUseException("node id " + registration.nodeId() + " is held by a live broker at "
                    + current.get().endpoints() + " (incarnation " + current.get().incarnation()
                    + ", renewed within the last " + sessionTimeout.toMillis() + " ms): give this broker another"
                    + " node.id, or stop the other one");
        }
        long heartbeats = current.map(value -> value.heartbeats() + 1).orElse(0L);
        try (IndexBatch batch = store.newBatch()) {
            put(batch, key, new BrokerValue(registration.incarnation(), registration.endpoints(),
                    registration.rack().orElse(null), heartbeats, now,
                    sameIncarnation && current.get().drains()));
            if (!sameIncarnation) {
                fencePreviousIncarnation(batch, registration.nodeId());
                bumpChangeVersion(batch);
            }
            batch.commit(true);
        }
    }

    /**
     * Every partition led by {@code nodeId} goes to the next epoch (same leader, an epoch-history row, no move
     * requested): a new incarnation took the node id, and nothing the previous one still tries may pass the fence.
     */
    private void fencePreviousIncarnation(IndexBatch batch, int nodeId) {
        for (PartitionLeadership led : leadership()) {
            if (led.leader() == nodeId) {
                PartitionValue value = read(partitionKey(led.partition()), PartitionValue.class).orElseThrow();
                nextEpoch(batch, led.partition(), value, nodeId, value.committedEnd(), nodeId);
            }
        }
    }

    @Override
    public synchronized boolean heartbeat(int nodeId, UUID incarnation) {
        String key = brokerKey(nodeId);
        Optional<BrokerValue> current = read(key, BrokerValue.class).filter(v -> v.incarnation().equals(incarnation));
        current.ifPresent(value -> write(key, value.renewed(value.heartbeats() + 1, clock.getAsLong())));
        return current.isPresent();
    }

    @Override
    public synchronized boolean drain(int nodeId, UUID incarnation) {
        String key = brokerKey(nodeId);
        Optional<BrokerValue> current = read(key, BrokerValue.class).filter(v -> v.incarnation().equals(incarnation));
        if (current.isPresent() && !current.get().drains()) {
            BrokerValue value = current.get();
            try (IndexBatch batch = store.newBatch()) {
                put(batch, key, new BrokerValue(value.incarnation(), value.endpoints(), value.rack(),
                        value.heartbeats(), value.renewedAtMs(), true));
                bumpChangeVersion(batch);
                batch.commit(true);
            }
        }
        return current.isPresent();
    }

    @Override
    public synchronized void unregister(int nodeId, UUID incarnation) {
        String key = brokerKey(nodeId);
        if (read(key, BrokerValue.class).filter(v -> v.incarnation().equals(incarnation)).isPresent()) {
            try (IndexBatch batch = store.newBatch()) {
                batch.delete(family, bytes(key));
                bumpChangeVersion(batch);
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
                    Optional.ofNullable(broker.rack())), broker.heartbeats(), broker.drains());
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
        try (IndexBatch batch = store.newBatch()) {
            put(batch, CONTROLLER, new ControllerValue(epoch, nodeId, incarnation, 0));
            bumpChangeVersion(batch);
            batch.commit(true);
        }
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

    private boolean controllerAt(long controllerEpoch) {
        return controller().filter(lease -> lease.epoch() == controllerEpoch).isPresent();
    }

    // ---- topics --------------------------------------------------------------------------------------------

    @Override
    public synchronized boolean createTopic(TopicDefinition topic) {
        if (read(topicKey(topic.topicId()), TopicValue.class).isPresent()
                || topics().stream().anyMatch(t -> t.name().equals(topic.name()))) {
            return false;
        }
        try (IndexBatch batch = store.newBatch()) {
            put(batch, topicKey(topic.topicId()), new TopicValue(topic.name(), topic.partitions(), topic.configs()));
            putLeaderless(batch, topic.topicId(), 0, topic.partitions());
            bumpChangeVersion(batch);
            batch.commit(true);
        }
        return true;
    }

    private void putLeaderless(IndexBatch batch, UUID topicId, int from, int to) {
        for (int partition = from; partition < to; partition++) {
            put(batch, partitionKey(new TopicPartitionId(topicId, partition)), PartitionValue.leaderless());
        }
    }

    @Override
    public synchronized boolean deleteTopic(UUID topicId) {
        if (read(topicKey(topicId), TopicValue.class).isEmpty()) {
            return false;
        }
        String partitions = "p/" + topicId + "/";
        String epochs = "e/" + topicId + "/";
        String walRanges = WAL_RANGES + topicId + "/";
        List<byte[]> offsets = scan(bytes("o/"), (key, value) -> key).stream()
                .filter(key -> new String(key, StandardCharsets.US_ASCII).split("/")[2].equals(topicId.toString()))
                .toList();
        try (IndexBatch batch = store.newBatch()) {
            batch.delete(family, bytes(topicKey(topicId)));
            batch.deleteRange(family, bytes(partitions), Keys.increment(bytes(partitions)));
            batch.deleteRange(family, bytes(epochs), Keys.increment(bytes(epochs)));
            batch.deleteRange(family, bytes(walRanges), Keys.increment(bytes(walRanges)));
            offsets.forEach(key -> batch.delete(family, key));
            groupsScan().stream().filter(group -> group.value().slotTopicId().equals(topicId))
                    .forEach(group -> batch.delete(family, bytes(group.key())));
            bumpChangeVersion(batch);
            batch.commit(true);
        }
        return true;
    }

    @Override
    public synchronized boolean addPartitions(UUID topicId, int newCount) {
        Optional<TopicValue> topic = read(topicKey(topicId), TopicValue.class);
        if (topic.isEmpty() || newCount <= topic.get().partitions()) {
            return false;
        }
        try (IndexBatch batch = store.newBatch()) {
            put(batch, topicKey(topicId), new TopicValue(topic.get().name(), newCount, topic.get().configs()));
            putLeaderless(batch, topicId, topic.get().partitions(), newCount);
            bumpChangeVersion(batch);
            batch.commit(true);
        }
        return true;
    }

    @Override
    public synchronized boolean alterTopicConfigs(UUID topicId, Map<String, String> configs) {
        Optional<TopicValue> topic = read(topicKey(topicId), TopicValue.class);
        if (topic.isEmpty()) {
            return false;
        }
        try (IndexBatch batch = store.newBatch()) {
            put(batch, topicKey(topicId), new TopicValue(topic.get().name(), topic.get().partitions(),
                    Map.copyOf(configs)));
            bumpChangeVersion(batch);
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
    public synchronized long changeVersion() {
        return read(CHANGE_VERSION, CounterValue.class).map(CounterValue::value).orElse(0L);
    }

    /** Adds the next change version to {@code batch}; callers hold this store's lock until it commits. */
    private void bumpChangeVersion(IndexBatch batch) {
        put(batch, CHANGE_VERSION, new CounterValue(changeVersion() + 1));
    }

    // ---- leadership ----------------------------------------------------------------------------------------

    @Override
    public synchronized List<PartitionLeadership> leadership() {
        List<PartitionLeadership> leadership = new ArrayList<>(scan(bytes("p/"), (key, value) ->
                decode(value, PartitionValue.class).leadership(partitionOf(new String(key, StandardCharsets.US_ASCII)))));
        leadership.sort(Comparator.comparing(PartitionLeadership::partition));
        return leadership;
    }

    @Override
    public synchronized Optional<PartitionLeadership> electLeader(long controllerEpoch, TopicPartitionId partition,
                                                                  int expectedEpoch, int newLeader) {
        if (!controllerAt(controllerEpoch)) {
            return Optional.empty();
        }
        return read(partitionKey(partition), PartitionValue.class)
                .filter(value -> value.leaderEpoch() == expectedEpoch)
                .map(value -> commitNextEpoch(partition, value, newLeader, value.committedEnd(), newLeader));
    }

    @Override
    public synchronized Optional<PartitionLeadership> takeOffline(long controllerEpoch, TopicPartitionId partition,
                                                                  int expectedEpoch) {
        if (!controllerAt(controllerEpoch)) {
            return Optional.empty();
        }
        return read(partitionKey(partition), PartitionValue.class)
                .filter(value -> value.leaderEpoch() == expectedEpoch && value.leader() != NO_LEADER)
                .map(value -> commitNextEpoch(partition, value, NO_LEADER, value.committedEnd(), value.last()));
    }

    @Override
    public synchronized boolean requestMove(long controllerEpoch, TopicPartitionId partition, int expectedEpoch,
                                            int target) {
        if (!controllerAt(controllerEpoch)) {
            return false;
        }
        String key = partitionKey(partition);
        Optional<PartitionValue> current = read(key, PartitionValue.class)
                .filter(value -> value.leaderEpoch() == expectedEpoch && value.leader() != NO_LEADER);
        current.ifPresent(value -> {
            try (IndexBatch batch = store.newBatch()) {
                put(batch, key, new PartitionValue(value.leader(), value.leaderEpoch(), value.committedEnd(),
                        target == value.leader() ? NO_LEADER : target, value.last()));
                bumpChangeVersion(batch);
                batch.commit(true);
            }
        });
        return current.isPresent();
    }

    @Override
    public synchronized Optional<PartitionLeadership> handOver(TopicPartitionId partition, int leader,
                                                               int leaderEpoch, long committedEnd, int target) {
        return read(partitionKey(partition), PartitionValue.class)
                .filter(value -> value.leader() == leader && value.leaderEpoch() == leaderEpoch)
                .map(value -> commitNextEpoch(partition, value, target, Math.max(value.committedEnd(), committedEnd),
                        target));
    }

    /** {@link #nextEpoch} in a batch of its own, with the change version. */
    private PartitionLeadership commitNextEpoch(TopicPartitionId partition, PartitionValue current, int newLeader,
                                                long committedEnd, int lastLeader) {
        try (IndexBatch batch = store.newBatch()) {
            PartitionLeadership next = nextEpoch(batch, partition, current, newLeader, committedEnd, lastLeader);
            bumpChangeVersion(batch);
            batch.commit(true);
            return next;
        }
    }

    /** Adds to {@code batch} the partition at its next epoch, no move requested, and that epoch's history row. */
    private PartitionLeadership nextEpoch(IndexBatch batch, TopicPartitionId partition, PartitionValue current,
                                          int newLeader, long committedEnd, int lastLeader) {
        int newEpoch = current.leaderEpoch() + 1;
        put(batch, partitionKey(partition), new PartitionValue(newLeader, newEpoch, committedEnd, NO_LEADER,
                lastLeader));
        put(batch, epochKey(partition, newEpoch), new EpochValue(committedEnd, newLeader));
        return new PartitionLeadership(partition, newLeader, newEpoch, NO_LEADER, lastLeader);
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
                && value.leaderEpoch() == leaderEpoch);
        current.filter(value -> value.committedEnd() < newEnd).ifPresent(value -> write(key,
                new PartitionValue(leader, leaderEpoch, newEnd, value.target(), value.last())));
        return current.isPresent();
    }

    @Override
    public synchronized List<EpochStart> epochHistory(TopicPartitionId partition) {
        return scan(bytes("e/" + partition.topicId() + "/" + digits(partition.partition()) + "/"), (key, value) -> {
            String text = new String(key, StandardCharsets.US_ASCII);
            int epoch = Integer.parseInt(text.substring(text.lastIndexOf('/') + 1));
            EpochValue start = decode(value, EpochValue.class);
            return new EpochStart(epoch, start.startOffset(), start.leader());
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

    // ---- generations of consumer groups ------------------------------------------------------------------------

    @Override
    public synchronized boolean storeGroup(TopicPartitionId slot, int coordinator, int slotEpoch, StoredGroup group) {
        if (!leads(slot, coordinator, slotEpoch)) {
            return false;
        }
        putNow(bytes(storedGroupKey(group.groupId())), encode(StoredGroupValue.of(slot, group)), true);
        return true;
    }

    @Override
    public synchronized Optional<StoredGroup> storedGroup(String groupId) {
        return read(storedGroupKey(groupId), StoredGroupValue.class).map(value -> value.toGroup(groupId));
    }

    @Override
    public synchronized List<StoredGroup> storedGroups(TopicPartitionId slot) {
        return groupsScan().stream().filter(group -> group.value().slotTopicId().equals(slot.topicId())
                        && group.value().slotPartition() == slot.partition())
                .map(group -> group.value().toGroup(group.groupId()))
                .sorted(Comparator.comparing(StoredGroup::groupId)).toList();
    }

    @Override
    public synchronized boolean deleteStoredGroup(TopicPartitionId slot, int coordinator, int slotEpoch,
                                                  String groupId) {
        if (!leads(slot, coordinator, slotEpoch)) {
            return false;
        }
        try (IndexBatch batch = store.newBatch()) {
            batch.delete(family, bytes(storedGroupKey(groupId)));
            batch.commit(true);
        }
        return true;
    }

    /** A stored group's key, its id and its value. */
    private record StoredGroupEntry(String key, String groupId, StoredGroupValue value) {
    }

    private List<StoredGroupEntry> groupsScan() {
        return scan(bytes(GROUPS), (key, value) -> {
            String text = new String(key, StandardCharsets.US_ASCII);
            return new StoredGroupEntry(text, java.net.URLDecoder.decode(text.substring(GROUPS.length()),
                    StandardCharsets.UTF_8), decode(value, StoredGroupValue.class));
        });
    }

    private static String storedGroupKey(String groupId) {
        return GROUPS + java.net.URLEncoder.encode(groupId, StandardCharsets.UTF_8);
    }

    // ---- write-ahead log ------------------------------------------------------------------------------------

    @Override
    public synchronized Map<TopicPartitionId, WalCommitOutcome> commitWal(WalObjectCommit commit) {
        List<WalRange> ranges = commit.rangesInLockOrder();
        Map<TopicPartitionId, WalCommitOutcome> outcomes = new LinkedHashMap<>();
        String writerKey = walWriterKey(commit.incarnation());
        Optional<WalWriterValue> writer = read(writerKey, WalWriterValue.class);
        if (writer.filter(WalWriterValue::revoked).isPresent()) {
            ranges.forEach(range -> outcomes.put(range.partition(), WalCommitOutcome.FENCED));
            return outcomes;
        }
        String objectKey = walObjectKey(commit.objectKey());
        Optional<WalObjectValue> existing = readUtf8(objectKey, WalObjectValue.class);
        WalObjectValue object = existing.orElseGet(() -> new WalObjectValue(commit.incarnation(), commit.nodeId(),
                commit.sizeBytes(), clock.getAsLong(), false, 0));
        try (IndexBatch batch = store.newBatch()) {
            if (writer.isEmpty()) {
                put(batch, writerKey, new WalWriterValue(commit.nodeId(), false));
            }
            for (WalRange range : ranges) {
                outcomes.put(range.partition(), commitRange(batch, commit.nodeId(), range, !object.deleting()));
            }
            int unresolved = (int) outcomes.values().stream().filter(WalCommitOutcome.OUT_OF_ORDER::equals).count();
            if (existing.isEmpty() || unresolved != object.unresolvedRanges()) {
                batch.put(family, utf8(objectKey), encode(object.withUnresolvedRanges(unresolved)));
            }
            batch.commit(true);
        }
        return outcomes;
    }

    /** The fence of one range (leader, epoch, committed end = its base), else why it did not pass. */
    private WalCommitOutcome commitRange(IndexBatch batch, int writer, WalRange range, boolean objectUsable) {
        String key = partitionKey(range.partition());
        Optional<PartitionValue> partition = read(key, PartitionValue.class);
        if (objectUsable && partition.filter(value -> value.leader() == writer
                && value.leaderEpoch() == range.leaderEpoch() && value.committedEnd() == range.baseOffset()).isPresent()) {
            PartitionValue value = partition.get();
            put(batch, key, new PartitionValue(value.leader(), value.leaderEpoch(), range.endOffset(), value.target(),
                    value.last()));
            put(batch, walRangeKey(range.partition(), range.baseOffset()), WalRangeValue.of(range));
            return WalCommitOutcome.COMMITTED;
        }
        boolean recordedBefore = read(walRangeKey(range.partition(), range.baseOffset()), WalRangeValue.class)
                .filter(recorded -> recorded.objectKey().equals(range.objectKey())).isPresent();
        if (recordedBefore) {
            return WalCommitOutcome.COMMITTED; // by an attempt whose reply was lost
        }
        return WalCommitOutcome.ofUnrecorded(range, writer, partition.map(value -> new WalCommitOutcome.PartitionState(
                value.leader(), value.leaderEpoch(), value.committedEnd())), objectUsable);
    }

    @Override
    public synchronized List<WalRange> walRanges(TopicPartitionId partition, long fromOffset) {
        return walRangeValues(partition).stream().filter(range -> range.endOffset() > fromOffset)
                .map(range -> range.toRange(partition)).toList();
    }

    private List<WalRangeValue> walRangeValues(TopicPartitionId partition) {
        return scan(bytes(walRangePrefix(partition)), (key, value) -> decode(value, WalRangeValue.class));
    }

    @Override
    public synchronized boolean releaseWal(TopicPartitionId partition, int leader, int leaderEpoch, long upTo) {
        if (read(partitionKey(partition), PartitionValue.class).filter(value -> value.leader() == leader
                && value.leaderEpoch() == leaderEpoch && value.committedEnd() >= upTo).isEmpty()) {
            return false;
        }
        try (IndexBatch batch = store.newBatch()) {
            walRangeValues(partition).stream().filter(range -> range.endOffset() <= upTo)
                    .forEach(range -> batch.delete(family, bytes(walRangeKey(partition, range.baseOffset()))));
            batch.commit(true);
        }
        return true;
    }

    @Override
    public synchronized List<String> collectableWalObjects(long controllerEpoch, int limit) {
        if (!controllerAt(controllerEpoch)) {
            return List.of();
        }
        Set<String> referenced = new HashSet<>(scan(bytes(WAL_RANGES),
                (key, value) -> decode(value, WalRangeValue.class).objectKey()));
        List<Map.Entry<String, WalObjectValue>> collectable = walObjectValues().stream()
                .filter(object -> collectable(object, referenced)).limit(limit).toList();
        try (IndexBatch batch = store.newBatch()) {
            collectable.stream().filter(object -> !object.getValue().deleting()).forEach(object -> batch.put(family,
                    utf8(walObjectKey(object.getKey())), encode(object.getValue().markedDeleting())));
            batch.commit(true);
        }
        return collectable.stream().map(Map.Entry::getKey).toList();
    }

    /** Every committed WAL object's key and value, in key order. */
    private List<Map.Entry<String, WalObjectValue>> walObjectValues() {
        return scan(utf8(WAL_OBJECTS), (key, value) -> Map.entry(
                new String(key, StandardCharsets.UTF_8).substring(WAL_OBJECTS.length()),
                decode(value, WalObjectValue.class)));
    }

    /**
     * GC's rule: marked deleting, or no range of it left ({@code referenced}: the keys of objects that hold a range)
     * and none waiting for its writer to retry unless that writer is revoked.
     */
    private boolean collectable(Map.Entry<String, WalObjectValue> object, Set<String> referenced) {
        return object.getValue().deleting() || !referenced.contains(object.getKey())
                && (object.getValue().unresolvedRanges() == 0 || revoked(object.getValue().incarnation()));
    }

    private boolean revoked(UUID incarnation) {
        return read(walWriterKey(incarnation), WalWriterValue.class).filter(WalWriterValue::revoked).isPresent();
    }

    @Override
    public synchronized void forgetWalObjects(List<String> objectKeys) {
        try (IndexBatch batch = store.newBatch()) {
            objectKeys.stream().map(RocksDbMetadataStore::walObjectKey)
                    .filter(key -> readUtf8(key, WalObjectValue.class).filter(WalObjectValue::deleting).isPresent())
                    .forEach(key -> batch.delete(family, utf8(key)));
            batch.commit(true);
        }
    }

    @Override
    public synchronized boolean revokeWalWriter(long controllerEpoch, UUID incarnation) {
        if (!controllerAt(controllerEpoch)) {
            return false;
        }
        String key = walWriterKey(incarnation);
        write(key, new WalWriterValue(read(key, WalWriterValue.class).map(WalWriterValue::nodeId).orElse(null), true));
        return true;
    }

    @Override
    public synchronized List<String> committedWalObjects(UUID incarnation) {
        return scan(utf8(WAL_OBJECTS), (key, value) -> decode(value, WalObjectValue.class).incarnation()
                .equals(incarnation) ? new String(key, StandardCharsets.UTF_8).substring(WAL_OBJECTS.length()) : null)
                .stream().filter(java.util.Objects::nonNull).toList();
    }

    @Override
    public synchronized WalCatalog walCatalog() {
        Map<String, List<WalCatalog.Extent>> ranges = scan(bytes(WAL_RANGES), (key, value) -> {
            WalRangeValue range = decode(value, WalRangeValue.class);
            return Map.entry(range.objectKey(), new WalCatalog.Extent(
                    partitionOf(new String(key, StandardCharsets.US_ASCII)), range.baseOffset(), range.endOffset(),
                    range.position(), range.length()));
        }).stream().collect(Collectors.groupingBy(Map.Entry::getKey,
                Collectors.mapping(Map.Entry::getValue, Collectors.toList())));
        List<WalCatalog.CommittedObject> objects = walObjectValues().stream()
                .map(object -> new WalCatalog.CommittedObject(object.getKey(), object.getValue().incarnation(),
                        object.getValue().sizeBytes(), collectable(object, ranges.keySet()),
                        ranges.getOrDefault(object.getKey(), List.of())))
                .toList();
        Set<UUID> revoked = scan(bytes(WAL_WRITERS), (key, value) -> Map.entry(
                UUID.fromString(new String(key, StandardCharsets.US_ASCII).substring(WAL_WRITERS.length())),
                decode(value, WalWriterValue.class))).stream().filter(writer -> writer.getValue().revoked())
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        Set<UUID> registered = brokers().stream().map(broker -> broker.registration().incarnation())
                .collect(Collectors.toSet());
        return new WalCatalog(registered, revoked, objects);
    }

    // ---- rebuilding from the bucket ------------------------------------------------------------------------------

    @Override
    public synchronized boolean restore(RestoredMetadata metadata) {
        if (!scan(bytes("t/"), (key, value) -> key).isEmpty()) {
            return false;
        }
        try (IndexBatch batch = store.newBatch()) {
            for (RestoredMetadata.RestoredTopic restored : metadata.topics()) {
                TopicDefinition topic = restored.topic();
                put(batch, topicKey(topic.topicId()), new TopicValue(topic.name(), topic.partitions(), topic.configs()));
                for (int p = 0; p < restored.partitions().size(); p++) {
                    RestoredMetadata.RestoredPartition partition = restored.partitions().get(p);
                    TopicPartitionId id = new TopicPartitionId(topic.topicId(), p);
                    put(batch, partitionKey(id), new PartitionValue(NO_LEADER, partition.leaderEpoch(),
                            partition.committedEnd(), NO_LEADER, NO_LEADER));
                    put(batch, epochKey(id, partition.leaderEpoch()), new EpochValue(partition.committedEnd(), NO_LEADER));
                }
            }
            for (CommittedOffset offset : metadata.offsets()) {
                put(batch, offsetKey(offset.group(), offset.partition()), new OffsetValue(offset.offset(),
                        offset.leaderEpoch(), offset.metadata(), offset.commitTimeMs()));
            }
            long next = read(PRODUCER_ID, CounterValue.class).map(CounterValue::value).orElse(0L);
            put(batch, PRODUCER_ID, new CounterValue(Math.max(next, metadata.producerIdFloor())));
            bumpChangeVersion(batch);
            batch.commit(true);
        }
        return true;
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

    private static String walWriterKey(UUID incarnation) {
        return WAL_WRITERS + incarnation;
    }

    /** UTF-8, unlike the other keys: an object key is the bucket's key, not ours to restrict to ASCII. */
    private static String walObjectKey(String objectKey) {
        return WAL_OBJECTS + objectKey;
    }

    private static String walRangePrefix(TopicPartitionId partition) {
        return WAL_RANGES + partition.topicId() + "/" + digits(partition.partition()) + "/";
    }

    private static String walRangeKey(TopicPartitionId partition, long baseOffset) {
        return walRangePrefix(partition) + String.format("%020d", baseOffset);
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

    private static byte[] utf8(String key) {
        return key.getBytes(StandardCharsets.UTF_8);
    }

    private <T> Optional<T> readUtf8(String key, Class<T> type) {
        return get(utf8(key)).map(value -> decode(value, type));
    }

    private <T> Optional<T> read(String key, Class<T> type) {
        return get(bytes(key)).map(value -> decode(value, type));
    }

    private void write(String key, Object value) {
        putNow(bytes(key), encode(value), true);
    }

    private void put(IndexBatch batch, String key, Object value) {
        batch.put(family, bytes(key), encode(value));
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
