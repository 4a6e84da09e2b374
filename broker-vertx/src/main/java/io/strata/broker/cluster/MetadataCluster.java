package io.strata.broker.cluster;

import io.strata.broker.StartupFailure;
import io.strata.broker.config.ClusterSettings;
import io.strata.broker.config.Endpoint;
import io.strata.broker.group.SlotLease;
import io.strata.broker.group.SlotLeases;
import io.strata.broker.group.TopicIds;
import io.strata.metadata.BrokerRegistration;
import io.strata.metadata.CoordinatorSlots;
import io.strata.metadata.EpochStart;
import io.strata.metadata.MetadataException;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.NodeIdInUseException;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.controller.Controller;
import io.strata.metadata.membership.BrokerMembership;
import io.strata.metadata.postgres.PostgresMetadataStore;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import io.strata.tiering.remote.UploadFence;
import io.strata.tiering.wal.WalGarbageCollector;
import io.strata.tiering.wal.WalGcMetrics;
import io.strata.tiering.wal.WalLogSink;
import io.strata.tiering.wal.WalMetrics;
import io.strata.tiering.wal.WalReader;
import io.strata.tiering.wal.WalSettings;
import io.strata.tiering.wal.WalWriter;
import io.strata.objectstore.ObjectStore;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.NotControllerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster mode: the {@link Cluster} of a broker whose metadata lives in PostgreSQL (CLUSTER.md). It
 * <ul>
 *   <li>registers the broker ({@link BrokerMembership}: node id, advertised endpoint, rack, a new incarnation id)
 *       and renews it every heartbeat interval; a broker that could not renew for a session timeout minus one
 *       interval stops serving every partition (rule 8);</li>
 *   <li>runs the {@link Controller} role every heartbeat interval (at most one broker holds the lease and
 *       places leaders);</li>
 *   <li>follows the database with {@link MetadataSync} and acts on it with {@link LocalLeadership} (open what it
 *       now leads, hand over what is moving);</li>
 *   <li>answers routing questions from the last {@link ClusterSnapshot}; gates uploads and retention to the
 *       partitions led here and fences each upload by the leader epoch in the database.</li>
 * </ul>
 * Topics are created in the database and opened locally by every broker as it sees them. Group coordinators are
 * the leaders of the coordinator-slot topic's partitions ({@link CoordinatorSlots}); producer ids come in blocks
 * from the database ({@link ProducerIdBlocks}).
 */
public final class MetadataCluster implements Cluster, AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(MetadataCluster.class);
    private static final Duration HAND_OVER_TIMEOUT = Duration.ofSeconds(30);
    /** How often the controller collects WAL objects (each pass lists {@code wal/} once). */
    static final Duration WAL_GC_INTERVAL = Duration.ofSeconds(30);

    private final ClusterSettings settings;
    private final int nodeId;
    private final UUID incarnation = UUID.randomUUID();
    private final LogManager logs;
    private final MetadataStore store;
    private final CoordinatorSlots slots;
    private final LocalLeadership local;
    private final MetadataSync sync;
    private final ProducerIdBlocks producerIds;
    private final ClusterTopics topics;
    private final SharedPrefixLease bucketLease;
    private final ServingGate gate;
    private final ScheduledExecutorService syncThread = Executors.newSingleThreadScheduledExecutor(
            daemon("cluster-sync"));
    private final ScheduledExecutorService controllerThread = Executors.newSingleThreadScheduledExecutor(
            daemon("cluster-controller"));
    private volatile ClusterSnapshot snapshot = ClusterSnapshot.EMPTY;
    private volatile BrokerMembership membership;
    private volatile Controller controller;
    private volatile boolean closing;
    /** The write-ahead log's settings (empty: off) and the bucket it writes to. */
    private final Optional<WalSettings> walSettings;
    private final ObjectStore objects;
    private final WalMetrics walMetrics = new WalMetrics();
    private final WalGcMetrics walGcMetrics = new WalGcMetrics();
    private volatile WalWriter walWriter;
    private volatile WalGarbageCollector walGc;
    private long lastWalGc = System.nanoTime() - WAL_GC_INTERVAL.toNanos();

    private MetadataCluster(ClusterSettings settings, int nodeId, LogManager logs, MetadataStore store,
                            CoordinatorSlots slots, SharedPrefixLease bucketLease, Optional<WalSettings> walSettings,
                            ObjectStore objects) {
        this.walSettings = walSettings;
        this.objects = objects;
        this.bucketLease = bucketLease;
        this.settings = settings;
        this.nodeId = nodeId;
        this.logs = logs;
        this.store = store;
        this.slots = slots;
        this.local = new LocalLeadership(nodeId, logs, store, logs.ioExecutor(), CoordinatorSlots.TOPIC);
        this.sync = new MetadataSync(store, settings.sessionTimeout(), settings.heartbeatInterval(), this::apply);
        this.producerIds = new ProducerIdBlocks(store);
        this.topics = new ClusterTopics(store, logs, () -> snapshot, () -> syncThread.execute(sync));
        this.gate = new ServingGate(() -> {
            BrokerMembership current = membership;
            return current != null && current.serving();
        }, () -> snapshot,
                settings.sessionTimeout(), settings.heartbeatInterval(), System::nanoTime);
    }

    /**
     * Connects to the metadata database (migrating its schema), makes sure the coordinator slots exist, and
     * opens locally every topic the cluster has. Serves nothing until {@link #join}.
     *
     * @throws StartupFailure when the database cannot be reached
     */
    public static MetadataCluster open(ClusterSettings settings, int nodeId, LogManager logs,
                                       SharedPrefixLease bucketLease, Optional<WalSettings> wal, ObjectStore objects) {
        MetadataStore store;
        try {
            store = PostgresMetadataStore.open(settings.store().orElseThrow(), "strata-broker-" + nodeId);
        } catch (MetadataException e) {
            throw new StartupFailure("Could not use the metadata database " + settings.store().get() + " ("
                    + e.getMessage() + "): check " + ClusterSettings.METADATA_STORE + " (STRATA_METADATA_STORE), its"
                    + " user and password, and that PostgreSQL is running.");
        }
        try {
            CoordinatorSlots slots = coordinatorSlots(store, settings.coordinatorSlots());
            MetadataCluster cluster = new MetadataCluster(settings, nodeId, logs, store, slots, bucketLease, wal,
                    objects);
            cluster.apply(cluster.sync.read());
            return cluster;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    private static CoordinatorSlots coordinatorSlots(MetadataStore store, int count) {
        for (int attempt = 0; attempt < 3; attempt++) {
            Optional<TopicDefinition> existing = store.topics().stream()
                    .filter(topic -> topic.name().equals(CoordinatorSlots.TOPIC)).findFirst();
            if (existing.isPresent()) {
                if (existing.get().partitions() != count) {
                    LOGGER.warn("The cluster has {} coordinator slots; {}={} is ignored", existing.get().partitions(),
                            ClusterSettings.OFFSETS_TOPIC_NUM_PARTITIONS, count);
                }
                return new CoordinatorSlots(existing.get().topicId(), existing.get().partitions());
            }
            store.createTopic(new TopicDefinition(UUID.randomUUID(), CoordinatorSlots.TOPIC, count, Map.of()));
        }
        throw new IllegalStateException("Could not create or read the coordinator slots");
    }

    /**
     * Registers this broker under its advertised endpoint (known once the listener is bound) and starts following
     * the cluster and contending for the controller lease.
     *
     * @throws StartupFailure when a live broker already has this node id
     */
    public void join(Endpoint advertised) {
        BrokerRegistration registration = new BrokerRegistration(nodeId, incarnation,
                advertised.listenerName() + "://" + hostForUri(advertised.host()) + ":" + advertised.port(),
                settings.rack());
        try {
            membership = BrokerMembership.join(store, registration, settings.sessionTimeout(),
                    settings.heartbeatInterval(), System::nanoTime, true);
        } catch (NodeIdInUseException e) {
            throw new StartupFailure("Refusing to start: " + e.getMessage() + "; give this broker another node.id,"
                    + " or stop the other one (a crashed broker's node id is free after broker.session.timeout.ms,"
                    + " " + settings.sessionTimeout().toMillis() + " ms).");
        }
        bucketLease.writableWhile(this::serving);
        logs.setWriteGate(tp -> serving() && snapshot.id(tp).map(local::writable).orElse(false));
        logs.setUploadFence(new UploadFence() {
            @Override
            public CompletableFuture<Boolean> confirm(TopicPartition tp, long uploadedEnd) {
                return confirmUpload(tp, uploadedEnd);
            }

            @Override
            public void manifested(TopicPartition tp, long end) {
                releaseWal(tp, end);
            }
        });
        controller = new Controller(store, nodeId, incarnation, settings.sessionTimeout(),
                settings.heartbeatInterval(), System::nanoTime);
        walSettings.ifPresent(wal -> {
            walWriter = new WalWriter(objects, store::commitWal, nodeId, incarnation, wal, walMetrics);
            logs.setWalTail(new WalReader(store::walRanges, objects));
            local.useWal(new WalLogSink(walWriter, wal));
            controller.setTailsInBucket(true);
            // An incarnation is revoked as a WAL writer only once no broker row names it (replaced by a newer start
            // of its node id, or unregistered at a clean shutdown): a broker that is merely slow keeps committing
            walGc = new WalGarbageCollector(store, objects, this::registeredIncarnations, walGcMetrics, 1000,
                    Duration.ofSeconds(60));
            LOGGER.info("Write-ahead log on: acks=all is answered once the batches are in the bucket and committed"
                    + " (linger {} ms, objects up to {} bytes)", wal.linger().toMillis(), wal.batchBytes());
        });
        long heartbeat = settings.heartbeatInterval().toMillis();
        controllerThread.scheduleWithFixedDelay(this::runController, 0, heartbeat, TimeUnit.MILLISECONDS);
        syncThread.scheduleWithFixedDelay(sync, 0, MetadataSync.POLL_MS, TimeUnit.MILLISECONDS);
    }

    private static String hostForUri(String host) {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    private void runController() {
        if (closing) {
            return;
        }
        try {
            controller.runOnce();
            collectWal();
        } catch (MetadataException e) {
            LOGGER.debug("Controller pass skipped: {}", e.getMessage());
        } catch (RuntimeException e) {
            LOGGER.error("Controller pass failed", e);
        }
    }

    /** Every upload is confirmed by moving the committed end forward, fenced by the leader epoch (invariant 1). */
    private CompletableFuture<Boolean> confirmUpload(TopicPartition tp, long uploadedEnd) {
        Optional<TopicPartitionId> id = snapshot.id(tp);
        Optional<Integer> epoch = id.flatMap(local::epoch);
        if (id.isEmpty() || epoch.isEmpty() || !serving()) {
            return CompletableFuture.completedFuture(false);
        }
        return CompletableFuture.supplyAsync(() -> store.advanceCommittedEnd(id.get(), nodeId, epoch.get(),
                uploadedEnd), logs.ioExecutor());
    }

    /** While this broker is the controller, a WAL garbage-collection pass every {@link #WAL_GC_INTERVAL}. */
    private void collectWal() {
        WalGarbageCollector gc = walGc;
        java.util.OptionalLong epoch = controller.epoch();
        if (gc == null || epoch.isEmpty() || System.nanoTime() - lastWalGc < WAL_GC_INTERVAL.toNanos()) {
            return;
        }
        lastWalGc = System.nanoTime();
        WalGarbageCollector.Pass pass = gc.collect(epoch.getAsLong());
        if (pass.objectsCollected() > 0 || pass.orphansCollected() > 0) {
            LOGGER.info("WAL garbage collection: {} object(s) no longer needed and {} orphan(s) deleted ({})",
                    pass.objectsCollected(), pass.orphansCollected(), pass.outcome());
        }
    }

    private java.util.Set<UUID> registeredIncarnations() {
        return store.brokers().stream().map(broker -> broker.registration().incarnation())
                .collect(java.util.stream.Collectors.toSet());
    }

    /** The WAL garbage collector's counters (zero unless this broker was the controller with the WAL on). */
    public WalGcMetrics walGcMetrics() {
        return walGcMetrics;
    }

    /**
     * The manifest of {@code tp} lists segments up to {@code end}: its WAL ranges below are released, fenced by this
     * broker's epoch (best effort: what is not released now is released after the next upload).
     */
    private void releaseWal(TopicPartition tp, long end) {
        Optional<TopicPartitionId> id = snapshot.id(tp);
        Optional<Integer> epoch = id.flatMap(local::epoch);
        if (walWriter == null || id.isEmpty() || epoch.isEmpty()) {
            return;
        }
        CompletableFuture.runAsync(() -> store.releaseWal(id.get(), nodeId, epoch.get(), end), logs.ioExecutor())
                .exceptionally(error -> {
                    LOGGER.debug("Could not release the WAL ranges of {} below {}: {}", tp, end, error.toString());
                    return null;
                });
    }

    /** The write-ahead log's counters (zero while it is off). */
    public WalMetrics walMetrics() {
        return walMetrics;
    }

    private synchronized void apply(ClusterSnapshot next) {
        topics.follow(snapshot, next);
        snapshot = next;
        if (membership != null && !closing) {
            local.apply(next);
        }
    }

    /** Whether this broker may act as a leader now ({@link ServingGate}). */
    private boolean serving() {
        return gate.open();
    }

    // ---- Cluster ----------------------------------------------------------------------------------------------

    @Override
    public int localNodeId() {
        return nodeId;
    }

    /**
     * The cluster's id, the same on every broker: the id the metadata database gave the cluster when its first
     * broker started (that of its coordinator-slot topic), in Kafka's base64 form.
     */
    @Override
    public String clusterId() {
        return ClusterTopics.kafkaId(slots.topicId()).toString();
    }

    @Override
    public List<ClusterNode> brokers() {
        return snapshot.brokers();
    }

    @Override
    public int controllerId() {
        return snapshot.controller();
    }

    @Override
    public PartitionRoute route(TopicPartition partition) {
        return snapshot.leadership(partition)
                .map(l -> new PartitionRoute(l.leader(), l.leaderEpoch()))
                .orElse(new PartitionRoute(PartitionRoute.NO_LEADER, -1));
    }

    @Override
    public Errors checkLeader(TopicPartition partition, Optional<Integer> currentLeaderEpoch) {
        Optional<PartitionLeadership> leadership = snapshot.leadership(partition);
        if (leadership.isEmpty()) {
            return Errors.NOT_LEADER_OR_FOLLOWER;
        }
        Errors epoch = EpochCheck.against(leadership.get().leaderEpoch(), currentLeaderEpoch);
        if (epoch != Errors.NONE) {
            return epoch;
        }
        boolean leads = leadership.get().leader() == nodeId && serving() && !closing
                && local.serving(leadership.get().partition(), leadership.get().leaderEpoch());
        return leads ? Errors.NONE : Errors.NOT_LEADER_OR_FOLLOWER;
    }

    @Override
    public Optional<ClusterNode> groupCoordinator(String groupId) {
        ClusterSnapshot current = snapshot;
        PartitionLeadership slot = current.leadership().get(slots.slotOf(groupId));
        if (slot == null || !slot.hasLeader()) {
            return Optional.empty();
        }
        return current.broker(slot.leader());
    }

    @Override
    public TopicLogs createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        return topics.create(name, partitions, replicationFactor, configs);
    }

    @Override
    public void deleteTopic(String name) {
        topics.delete(name);
    }

    @Override
    public TopicLogs addPartitions(String name, int newCount) {
        return topics.addPartitions(name, newCount);
    }

    @Override
    public TopicLogs alterTopicConfigs(String name, Map<String, String> configs) {
        return topics.alterConfigs(name, configs);
    }

    @Override
    public long allocateProducerId() {
        return producerIds.next();
    }

    @Override
    public List<EpochStart> epochHistory(TopicPartition partition) {
        return snapshot.id(partition).map(store::epochHistory).orElse(List.of());
    }

    @Override
    public void reassign(TopicPartition partition, Optional<List<Integer>> replicas) {
        TopicPartitionId id = snapshot.id(partition).orElseThrow(() ->
                new UnknownTopicOrPartitionException("No partition " + partition));
        Controller current = controller;
        if (current == null || current.epoch().isEmpty()) {
            throw new NotControllerException("Broker " + nodeId + " is not the controller");
        }
        if (replicas.isEmpty()) {
            if (!current.cancelReassignment(id)) {
                throw new NoReassignmentInProgressException("No reassignment of " + partition + " is in progress");
            }
            return;
        }
        if (replicas.get().size() != 1) {
            throw new InvalidReplicaAssignmentException("Strata keeps one replica of each partition, its leader"
                    + " (durability comes from the bucket): name exactly one broker for " + partition + ", not "
                    + replicas.get());
        }
        int target = replicas.get().get(0);
        if (!current.reassign(id, target)) {
            throw new InvalidReplicaAssignmentException("Broker " + target + " is not a live broker of this cluster"
                    + " (or the controller lease just moved; retry)");
        }
    }

    @Override
    public Map<TopicPartition, Integer> reassignments() {
        Controller current = controller;
        if (current == null) {
            return Map.of();
        }
        ClusterSnapshot now = snapshot;
        Map<java.util.UUID, String> names = new java.util.HashMap<>();
        now.topics().values().forEach(topic -> names.put(topic.topicId(), topic.name()));
        Map<TopicPartition, Integer> moving = new java.util.HashMap<>();
        current.reassignments().forEach((id, target) -> {
            PartitionLeadership leadership = now.leadership().get(id);
            String name = names.get(id.topicId());
            if (name != null && leadership != null && leadership.leader() != target) {
                moving.put(new TopicPartition(name, id.partition()), target);
            }
        });
        return moving;
    }

    /** This broker's leases on coordinator slots: the slot of a group, when this broker serves it, at its epoch. */
    public SlotLeases slotLeases() {
        return group -> {
            TopicPartitionId slot = slots.slotOf(group);
            return servingEpoch(slot).map(epoch -> new SlotLease(slot, nodeId, epoch));
        };
    }

    /** Topic names and ids as the database has them (committed offsets are keyed by topic id). */
    public TopicIds topicIds() {
        return new TopicIds() {
            @Override
            public Optional<UUID> idOf(String name) {
                return Optional.ofNullable(snapshot.topics().get(name)).filter(t -> !t.name().equals(CoordinatorSlots.TOPIC))
                        .map(TopicDefinition::topicId);
            }

            @Override
            public Optional<String> nameOf(UUID id) {
                return snapshot.topics().values().stream().filter(t -> t.topicId().equals(id)).findFirst()
                        .map(TopicDefinition::name).filter(name -> !name.equals(CoordinatorSlots.TOPIC));
            }
        };
    }

    /** Whether the cluster has this partition (a group may commit offsets for any, led here or not). */
    public boolean partitionExists(TopicPartition partition) {
        return !partition.topic().equals(CoordinatorSlots.TOPIC) && snapshot.id(partition).isPresent();
    }

    /** The store, for the group coordinator's offsets. */
    public MetadataStore store() {
        return store;
    }

    /** The epoch this broker leads {@code partition} at, when it serves it. */
    public Optional<Integer> servingEpoch(TopicPartitionId partition) {
        return local.epoch(partition).filter(epoch -> local.serving(partition, epoch));
    }

    public CoordinatorSlots coordinatorSlots() {
        return slots;
    }

    /**
     * A planned shutdown (Kafka's controlled shutdown): stops serving, hands every partition led here over to the
     * other live brokers (each sealed and uploaded first), stops following the cluster and unregisters.
     */
    @Override
    public void close() {
        if (io.vertx.core.Context.isOnEventLoopThread()) {
            // It waits for hand-overs and the database: on an event loop it would stall every connection
            throw new IllegalStateException("MetadataCluster.close blocks; call it off the event loop");
        }
        if (closing) {
            return;
        }
        if (membership != null) {
            // Marked draining first, so that the controller sends nothing more here meanwhile
            try {
                membership.drain();
            } catch (MetadataException e) {
                LOGGER.warn("Could not mark broker {} draining ({}); handing its partitions over anyway", nodeId,
                        e.getMessage());
            }
            syncThread.execute(sync);
            local.drain(() -> snapshot, HAND_OVER_TIMEOUT);
        }
        closing = true;
        WalWriter wal = walWriter;
        if (wal != null) {
            wal.flushAndClose(HAND_OVER_TIMEOUT);
        }
        syncThread.shutdownNow();
        controllerThread.shutdownNow();
        try {
            syncThread.awaitTermination(5, TimeUnit.SECONDS);
            controllerThread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (membership != null) {
            membership.close();
        }
        store.close();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
