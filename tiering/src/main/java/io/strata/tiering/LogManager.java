package io.strata.tiering;

import io.strata.index.IndexBatch;
import io.strata.index.PartitionKey;
import io.strata.index.RocksDbIndexStore;
import io.strata.index.TopicRecord;
import io.strata.tiering.config.LogConfig;
import io.strata.tiering.config.TopicConfigDef;
import io.strata.tiering.log.Fsync;
import io.strata.tiering.log.LogDirHealth;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.remote.ClusterManifest;
import io.strata.tiering.remote.RemoteLogManager;
import io.strata.tiering.remote.RemoteStorage;
import io.strata.tiering.remote.UploadFence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the data directory: the RocksDB store, every topic and every {@link PartitionLog} (served through its
 * {@link LogRegistry}), and the background tasks that roll, flush and apply retention.
 *
 * <p>Directory layout under {@code log.dirs}:
 * <pre>
 *   data/
 *     rocksdb/                    the RocksDB index store (catalog, indexes, topics, producer state)
 *     meta.properties             the cluster id and the producer id high-water mark ({@link DataDirectoryMeta})
 *     orders-0/                   one directory per partition, named topic-partition as in Kafka
 *       partition.metadata        topic id and configs, to rebuild a lost catalog ({@link PartitionMetadata})
 *       00000000000000000000.log  segments named by their 20-digit base offset
 *       00000000000000052345.log
 *     .strata-clean-shutdown      present only while the broker is stopped after a clean shutdown
 * </pre>
 *
 * <p>Nothing is deleted because an index is missing: at start the data directory and the catalog are
 * reconciled by {@link DataDirectoryReconciler}; a lost or empty catalog is restored from the bucket (when
 * tiering) and rebuilt from the partition directories; a topic deletion is a durable intent in RocksDB
 * ({@code topic_deletions}) from the moment it is committed until its directories and bucket objects are gone,
 * and resumes after a restart.
 *
 * <p>Cluster mode: a topic the cluster created is adopted with its id ({@link #adoptTopic}) and dropped locally
 * only ({@link #forgetTopic}); the background tasks write to the bucket and apply retention only for the
 * partitions the write gate lets this broker write ({@link #setWriteGate}); uploads are confirmed by an
 * {@link UploadFence}; a partition moves by a hand-over on the old leader ({@link #handOff},
 * {@link PartitionHandOff}) and a reopen from the bucket on the new one ({@link #reopenFromBucket},
 * {@link PartitionReopen}). Without those calls everything behaves as in single-broker mode.
 *
 * <p>Thread-safe. Topic creation and deletion are serialized; everything else is concurrent.
 */
public final class LogManager implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(LogManager.class);
    static final String CLEAN_SHUTDOWN_FILE = ".strata-clean-shutdown";
    static final String INDEX_DIRECTORY = "rocksdb";

    private final Path dataDir;
    private final Map<String, String> topicDefaults;
    private final Clock clock;
    private final RocksDbIndexStore store;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService background;
    private final ExecutorService io;
    private final LogRegistry topics = new LogRegistry();
    private final Object adminLock = new Object();
    private volatile String clusterId;
    private volatile ProducerIds producerIds;
    /** Guards the removal of deletion intents against the store closing. */
    private final Object deletionLock = new Object();
    private boolean closing;
    private final Optional<RemoteLogManager> remote;
    private final LogDirHealth health;
    /** The most partitions this broker holds, all topics together ({@link #limitPartitions}). */
    private volatile int maxPartitions = Integer.MAX_VALUE;
    /** Which partitions the background tasks may write to the bucket and apply retention to. */
    private volatile Predicate<TopicPartition> writeGate = tp -> true;
    private final Optional<PartitionHandOff> handOffs;
    private final Optional<PartitionReopen> reopens;

    private LogManager(Path dataDir, Map<String, String> topicDefaults, Clock clock, RocksDbIndexStore store,
                       int ioThreads, Optional<RemoteStorage> remoteStorage) {
        this.dataDir = dataDir;
        this.topicDefaults = Map.copyOf(topicDefaults);
        this.clock = clock;
        this.store = store;
        this.health = new LogDirHealth(dataDir);
        this.scheduler = Executors.newSingleThreadScheduledExecutor(namedThreads("log-scheduler"));
        this.background = Executors.newFixedThreadPool(2, namedThreads("log-flush"));
        this.io = Executors.newFixedThreadPool(ioThreads, namedThreads("segment-io"));
        this.remote = remoteStorage.map(r -> new RemoteLogManager(r.store(), store, r.config(), clock, r.lease()));
        this.handOffs = remote.map(PartitionHandOff::new);
        this.reopens = remote.map(r -> new PartitionReopen(store, r, health));
    }

    /**
     * Opens the data directory, recovering every partition log, and starts the background tasks.
     *
     * @param topicDefaults topic-config defaults from the broker ({@link TopicConfigDef#defaultsFromBroker})
     */
    public static LogManager open(Path dataDir, Map<String, String> topicDefaults, Clock clock,
                                  LogManagerSchedule schedule) {
        return open(dataDir, topicDefaults, clock, schedule, 4);
    }

    /** As {@link #open(Path, Map, Clock, LogManagerSchedule)} with {@code ioThreads} threads in the segment-io pool. */
    public static LogManager open(Path dataDir, Map<String, String> topicDefaults, Clock clock,
                                  LogManagerSchedule schedule, int ioThreads) {
        return open(dataDir, topicDefaults, clock, schedule, ioThreads, Optional.empty());
    }

    /**
     * As {@link #open(Path, Map, Clock, LogManagerSchedule, int)}, tiering to {@code remoteStorage}
     * when present. With an empty RocksDB store (a new or wiped data directory, or a lost catalog), the topics
     * and catalogs found in the bucket are restored first, then partition directories the catalog still lacks
     * are rebuilt from their segment files ({@link DataDirectoryReconciler}).
     *
     * @throws IllegalStateException with a message that says what to do when the data directory holds data
     *                               that cannot be explained, or when the bucket holds objects that fail checks
     */
    public static LogManager open(Path dataDir, Map<String, String> topicDefaults, Clock clock,
                                  LogManagerSchedule schedule, int ioThreads, Optional<RemoteStorage> remoteStorage) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDir, e);
        }
        Path marker = dataDir.resolve(CLEAN_SHUTDOWN_FILE);
        boolean clean = Files.exists(marker);
        boolean fresh = !Files.exists(dataDir.resolve(INDEX_DIRECTORY));
        Optional<DataDirectoryMeta> fileMeta = DataDirectoryMeta.read(dataDir);
        RocksDbIndexStore store = RocksDbIndexStore.open(dataDir.resolve(INDEX_DIRECTORY));
        LogManager manager = new LogManager(dataDir, topicDefaults, clock, store, ioThreads, remoteStorage);
        try {
            Fsync.delete(marker); // durably: a marker back after a power loss would skip recovery
            boolean catalogEmpty = store.topics().list().isEmpty();
            // A lost or new catalog: the bucket's identity is checked before anything is restored from it
            Optional<ClusterManifest> bucketIdentity = manager.remote.isPresent() && catalogEmpty
                    ? manager.remote.get().readClusterManifest() : Optional.empty();
            manager.identify(fileMeta, bucketIdentity);
            if (manager.remote.isPresent() && catalogEmpty) {
                manager.remote.get().restoreFromBucket();
            }
            Map<String, TopicRecord> catalog = new HashMap<>();
            store.topics().list().forEach(topic -> catalog.put(topic.name(), topic));
            DataDirectoryReconciler.Plan plan = new DataDirectoryReconciler(dataDir, clock.millis())
                    .plan(catalog, store.topicDeletions().list(), catalogEmpty);
            manager.apply(plan);
            manager.loadTopics(plan.rebuilt().isEmpty() && (clean || fresh), fresh);
            if (catalogEmpty) {
                manager.continueProducerIds(bucketIdentity);
            }
            manager.producerIds.publish();
            manager.resumeDeletions();
        } catch (IOException | RuntimeException e) {
            manager.shutdown(false);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        manager.schedule(schedule);
        manager.remote.ifPresent(r -> r.start(manager::topics));
        return manager;
    }

    private void loadTopics(boolean clean, boolean fresh) throws IOException {
        List<TopicRecord> records = store.topics().list();
        long started = clock.millis();
        int total = records.stream().mapToInt(TopicRecord::partitions).sum();
        LOGGER.info("Opening {} topic(s), {} partition(s) in {} {}", records.size(), total, dataDir,
                fresh ? "(a new data directory)" : clean ? "after a clean shutdown" : "after an unclean shutdown");
        for (TopicRecord record : records) {
            TopicLogs topic = openTopic(record, clean);
            remote.ifPresent(r -> r.attach(topic));
            topics.put(topic);
        }
        LOGGER.info("Opened {} partition(s) in {} ms", total, clock.millis() - started);
    }

    /**
     * Settles the cluster id: RocksDB's, else {@code meta.properties}', else the bucket's (a restore), else a new
     * one; refuses to start when two of them disagree.
     */
    private void identify(Optional<DataDirectoryMeta> fileMeta, Optional<ClusterManifest> bucket) {
        Optional<String> indexed = store.meta().getString("cluster.id");
        Optional<String> local = indexed.or(() -> fileMeta.map(DataDirectoryMeta::clusterId));
        if (indexed.isPresent() && fileMeta.isPresent() && !indexed.get().equals(fileMeta.get().clusterId())) {
            throw new StartRefusedException("Refusing to start: " + dataDir.resolve(INDEX_DIRECTORY) + " belongs to"
                    + " cluster " + indexed.get() + " but " + dataDir.resolve(DataDirectoryMeta.FILE) + " to cluster "
                    + fileMeta.get().clusterId() + "; put back the catalog of this data directory, or move "
                    + DataDirectoryMeta.FILE + " away to keep the catalog's cluster id");
        }
        if (local.isPresent() && bucket.isPresent() && !local.get().equals(bucket.get().clusterId())) {
            throw new StartRefusedException("Refusing to start: the data directory " + dataDir + " belongs to cluster "
                    + local.get() + " but the bucket to cluster " + bucket.get().clusterId() + "; point the broker"
                    + " at this cluster's bucket and prefix, or at an empty data directory to restore the bucket's");
        }
        String id = local.or(() -> bucket.map(ClusterManifest::clusterId)).orElseGet(LogManager::newClusterId);
        if (indexed.isEmpty()) {
            store.meta().putString("cluster.id", id);
            LOGGER.info("Cluster id {} ({})", id, local.isPresent() ? DataDirectoryMeta.FILE
                    : bucket.isPresent() ? "restored from the bucket" : "a new cluster");
        }
        long blockEnd = Math.max(fileMeta.map(DataDirectoryMeta::producerIdBlockEnd).orElse(0L),
                bucket.map(ClusterManifest::producerIdBlockEnd).orElse(0L));
        this.clusterId = id;
        this.producerIds = new ProducerIds(store, dataDir, new DataDirectoryMeta(id, blockEnd), remote);
    }

    /** Writes the topics rebuilt from partition directories and removes the directories of deleted topics. */
    private void apply(DataDirectoryReconciler.Plan plan) {
        for (TopicRecord topic : plan.rebuilt()) {
            storeTopic(topic);
            LOGGER.warn("Rebuilt the catalog of topic {} (id {}) with {} partition(s) from its partition directories"
                    + " in {}; offsets come from its segment files{}", topic.name(), toKafka(topic.topicId()),
                    topic.partitions(), dataDir, topic.configs().isEmpty() ? "" : ", configs " + topic.configs());
        }
        plan.remove().forEach((directory, reason) -> {
            LOGGER.info("Removing {}: {}", directory, reason);
            deleteRecursively(directory);
        });
    }

    /** After a lost catalog: producer ids continue above every id the logs, the data directory or the bucket know. */
    private void continueProducerIds(Optional<ClusterManifest> bucket) {
        long maxInLogs = -1;
        for (TopicLogs topic : topics.all()) {
            for (PartitionLog log : topic.partitions()) {
                for (var producer : log.producerStates()) {
                    maxInLogs = Math.max(maxInLogs, producer.producerId());
                }
            }
        }
        producerIds.startAtLeast(Math.max(maxInLogs + 1, bucket.map(ClusterManifest::producerIdBlockEnd).orElse(0L)),
                "above the ids in the logs, " + DataDirectoryMeta.FILE + " and the bucket");
    }

    /** Finishes the deletions that were under way when the broker stopped. */
    private void resumeDeletions() {
        for (TopicRecord topic : store.topicDeletions().list()) {
            LOGGER.info("Resuming the deletion of topic {} ({})", topic.name(), toKafka(topic.topicId()));
            finishDeletion(topic, true);
        }
    }

    /** Deletes the topic's bucket objects (retried until done) and then forgets the deletion intent. */
    private void finishDeletion(TopicRecord topic, boolean localGone) {
        java.util.concurrent.CompletableFuture<Void> remoteGone = remote.map(r -> r.deleteTopic(topic))
                .orElse(java.util.concurrent.CompletableFuture.completedFuture(null));
        remoteGone.thenRun(() -> {
            synchronized (deletionLock) {
                if (!closing && localGone) {
                    store.topicDeletions().remove(topic.topicId());
                }
            }
        });
    }

    private TopicLogs openTopic(TopicRecord record, boolean clean) {
        LogConfig config = LogConfig.of(topicDefaults, record.configs());
        List<PartitionLog> logs = new ArrayList<>(record.partitions());
        for (int p = 0; p < record.partitions(); p++) {
            logs.add(openPartition(record, p, config, clean));
        }
        return new TopicLogs(record, toKafka(record.topicId()), config, List.copyOf(logs));
    }

    private PartitionLog openPartition(TopicRecord record, int partition, LogConfig config, boolean clean) {
        TopicPartition tp = new TopicPartition(record.name(), partition);
        PartitionLog log = PartitionLog.open(tp, new PartitionKey(record.topicId(), partition), partitionDir(tp), store,
                config, clock, background, clean, health);
        PartitionMetadata.of(record).write(log.directory());
        return log;
    }

    private Path partitionDir(TopicPartition tp) {
        return dataDir.resolve(tp.topic() + "-" + tp.partition());
    }

    private void schedule(LogManagerSchedule schedule) {
        scheduler.scheduleWithFixedDelay(() -> forEachLog("retention", log -> {
                    if (writeGate.test(log.topicPartition())) {
                        log.deleteExpiredSegments();
                    }
                }),
                schedule.retentionCheckMs(), schedule.retentionCheckMs(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> forEachLog("flush", PartitionLog::maybeFlush),
                schedule.flushCheckMs(), schedule.flushCheckMs(), TimeUnit.MILLISECONDS);
        scheduler.scheduleWithFixedDelay(() -> forEachLog("roll", PartitionLog::maybeRollByTime),
                schedule.rollCheckMs(), schedule.rollCheckMs(), TimeUnit.MILLISECONDS);
    }

    private void forEachLog(String task, java.util.function.Consumer<PartitionLog> action) {
        for (TopicLogs topic : topics.all()) {
            for (PartitionLog log : topic.partitions()) {
                try {
                    action.accept(log);
                } catch (RuntimeException e) {
                    LOGGER.error("Background {} of {} failed: {}", task, log.topicPartition(), e.toString());
                }
            }
        }
    }

    /** The segment-io pool: Produce appends, blocking reads and offset lookups run here. */
    public java.util.concurrent.Executor ioExecutor() {
        return io;
    }

    /** The remote tier, when the broker tiers to a bucket. */
    public Optional<RemoteLogManager> remote() {
        return remote;
    }

    public String clusterId() {
        return clusterId;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Whether the data directory and each partition are online after storage failures. */
    public LogDirHealth health() {
        return health;
    }

    public RocksDbIndexStore indexStore() {
        return store;
    }

    public Map<String, String> topicDefaults() {
        return topicDefaults;
    }

    public Collection<TopicLogs> topics() {
        return topics.all();
    }

    public Optional<TopicLogs> topic(String name) {
        return Optional.ofNullable(topics.get(name));
    }

    public Optional<TopicLogs> topic(Uuid topicId) {
        return topics.topic(topicId);
    }

    public Optional<PartitionLog> log(TopicPartition tp) {
        return topics.log(tp);
    }

    /**
     * Registers {@code listener} and replays {@link LogListener#partitionOpened} for every open
     * partition, so that it misses none whether the partition was opened before or after this call.
     */
    public void addListener(LogListener listener) {
        synchronized (adminLock) {
            topics.addListener(listener);
        }
    }

    /** A producer id never handed out before by this broker, nor by the broker it was rebuilt or restored from. */
    public long allocateProducerId() {
        return producerIds.allocate();
    }

    /**
     * Checks a CreateTopics request without creating anything.
     *
     * @throws org.apache.kafka.common.errors.ApiException with the Kafka error for the first problem found
     */
    public void validateNewTopic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        org.apache.kafka.common.internals.Topic.validate(name);
        if (topics.contains(name)) {
            throw new TopicExistsException("TopicLogs '" + name + "' already exists.");
        }
        if (partitions < 1) {
            throw new InvalidPartitionsException("Number of partitions must be at least 1, got " + partitions);
        }
        checkPartitionLimit(partitions);
        if (replicationFactor < 1) {
            throw new InvalidReplicationFactorException("Replication factor must be at least 1, got "
                    + replicationFactor);
        }
        validateConfigs(configs);
        leftoverData(name, 0, partitions).ifPresent(directory -> {
            throw new TopicExistsException("Topic '" + name + "' is marked for deletion: " + directory
                    + " still holds the data of a deleted incarnation (it is removed at the next start)");
        });
        if (org.apache.kafka.common.internals.Topic.hasCollisionChars(name)) {
            for (String existing : topics.names()) {
                if (org.apache.kafka.common.internals.Topic.hasCollision(name, existing)) {
                    throw new org.apache.kafka.common.errors.InvalidTopicException("TopicLogs '" + name
                            + "' collides with existing topic '" + existing + "' ('.' and '_' are interchangeable"
                            + " in metric names)");
                }
            }
        }
    }

    /**
     * Sets the most partitions this broker holds, all topics together ({@code strata.max.partitions}):
     * CreateTopics, CreatePartitions and auto-creation beyond it get INVALID_PARTITIONS. Topics already
     * there are kept whatever their number.
     */
    public void limitPartitions(int max) {
        if (max < 1) {
            throw new IllegalArgumentException("max partitions must be >= 1: " + max);
        }
        this.maxPartitions = max;
    }

    private void checkPartitionLimit(int adding) {
        long held = topics.partitionCount();
        if (held + adding > maxPartitions) {
            throw new InvalidPartitionsException("Adding " + adding + " partition(s) to the " + held
                    + " this broker holds would exceed its limit of " + maxPartitions
                    + " partitions (strata.max.partitions)");
        }
    }

    /**
     * Creates a topic and opens its partition logs: the partitions are opened first and the topic is stored
     * only once all of them are, so a creation that fails (no file descriptors left, a full disk) leaves
     * neither the topic nor any of its partition directories or index entries behind.
     */
    public TopicLogs createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        synchronized (adminLock) {
            validateNewTopic(name, partitions, replicationFactor, configs);
            TopicLogs topic = openAndStore(new TopicRecord(name, UUID.randomUUID(), partitions, replicationFactor,
                    new HashMap<>(configs), clock.millis()));
            LOGGER.info("Created topic {} ({}) with {} partition(s){}", name, topic.topicId(), partitions,
                    configs.isEmpty() ? "" : " and configs " + configs);
            return topic;
        }
    }

    /**
     * Opens the partitions of a new topic, stores it and serves it; a failure leaves nothing behind. Under the
     * admin lock.
     */
    private TopicLogs openAndStore(TopicRecord record) {
        LogConfig config = LogConfig.of(topicDefaults, record.configs());
        List<PartitionLog> logs = openNewPartitions(record, 0, config);
        try {
            storeTopic(record);
        } catch (RuntimeException e) {
            discardNewPartitions(record, 0, logs, e);
            throw e;
        }
        TopicLogs topic = new TopicLogs(record, toKafka(record.topicId()), config, List.copyOf(logs));
        remote.ifPresent(r -> r.attach(topic));
        topics.put(topic);
        topics.opened(topic.partitions());
        return topic;
    }

    /**
     * Creates locally a topic that the cluster created, with the cluster's topic id, writing nothing to the bucket
     * (the remote tier writes its manifest once this broker may write one of its partitions, see
     * {@link #setWriteGate}). Idempotent: when the topic exists here with that id it is returned, its partition count
     * raised first when {@code partitions} is larger (a smaller count changes nothing). The broker's partition limit
     * ({@link #limitPartitions}) does not apply: the cluster decided. The replication factor stored is 1.
     *
     * @throws TopicExistsException when the name exists here with another id (forget it first), or a deleted
     *                              incarnation's directory still holds data
     * @throws org.apache.kafka.common.errors.ApiException for an invalid name, partition count or config
     */
    public TopicLogs adoptTopic(String name, Uuid topicId, int partitions, Map<String, String> configs) {
        synchronized (adminLock) {
            TopicLogs existing = topics.get(name);
            if (existing != null) {
                if (!existing.topicId().equals(topicId)) {
                    throw new TopicExistsException("Topic '" + name + "' exists on this broker with id "
                            + existing.topicId() + ", not " + topicId + "; forget it first");
                }
                return partitions > existing.partitions().size() ? growPartitions(existing, partitions) : existing;
            }
            org.apache.kafka.common.internals.Topic.validate(name);
            if (partitions < 1) {
                throw new InvalidPartitionsException("Number of partitions must be at least 1, got " + partitions);
            }
            validateConfigs(configs);
            leftoverData(name, 0, partitions).ifPresent(directory -> {
                throw new TopicExistsException("Cannot adopt topic '" + name + "' yet: " + directory
                        + " still holds the data of a deleted incarnation (it is removed at the next start)");
            });
            TopicLogs topic = openAndStore(new TopicRecord(name, new UUID(topicId.getMostSignificantBits(),
                    topicId.getLeastSignificantBits()), partitions, (short) 1, new HashMap<>(configs), clock.millis()));
            LOGGER.info("Adopted topic {} ({}) with {} partition(s){}", name, topicId, partitions,
                    configs.isEmpty() ? "" : " and configs " + configs);
            return topic;
        }
    }

    /**
     * Drops a topic from this broker only: its partition logs are closed, their local files and every RocksDB entry
     * of the topic (catalog, indexes, producer state, committed group offsets) removed; nothing in the bucket is
     * touched and no deletion is recorded (in cluster mode one broker deletes the bucket side).
     *
     * @throws UnknownTopicOrPartitionException when this broker does not have the topic
     */
    public void forgetTopic(String name) {
        synchronized (adminLock) {
            TopicLogs topic = topics.get(name);
            if (topic == null) {
                throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
            }
            topics.remove(topic);
            remote.ifPresent(r -> awaitQuietly(r.forgetTopic(topic.record()), "the remote tier's work on " + name));
            boolean allRenamed = dropLocally(topic, false).allRenamed();
            if (!allRenamed) {
                for (PartitionLog log : topic.partitions()) {
                    if (Files.exists(log.directory())) {
                        deleteRecursively(log.directory());
                    }
                }
            }
            topics.deleted(topic);
            LOGGER.info("Forgot topic {} ({}) locally; the bucket is untouched", name, topic.topicId());
        }
    }

    private static void awaitQuietly(java.util.concurrent.CompletableFuture<Void> future, String what) {
        try {
            future.get(PartitionReopen.CLAIM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOGGER.warn("Not waiting any longer for {}: {}", what, e.toString());
        }
    }

    /**
     * Sets which partitions this broker may write: the background tasks (uploads of sealed segments, manifest
     * writes, remote and local retention, deletion of expired remote objects) act on a partition only while
     * {@code mayWrite} answers true. Group-offset uploads are not affected. Default: every partition.
     */
    public void setWriteGate(Predicate<TopicPartition> mayWrite) {
        this.writeGate = java.util.Objects.requireNonNull(mayWrite, "mayWrite");
        remote.ifPresent(r -> r.setWriteGate(mayWrite));
    }

    /**
     * Sets the fence that confirms each upload before it is cataloged ({@link UploadFence}); default: every upload
     * is confirmed. Without a bucket there are no uploads and the fence is never asked.
     */
    public void setUploadFence(UploadFence fence) {
        java.util.Objects.requireNonNull(fence, "fence");
        remote.ifPresent(r -> r.setUploadFence(fence));
    }

    /**
     * Hands partition {@code tp} over to the bucket, for a planned move of its leadership ({@link PartitionHandOff}):
     * the caller has stopped accepting appends for it. Completes with the log end offset once every offset below it
     * is in the bucket and the partition's producer state is stored next to its manifest; fails after
     * {@link PartitionHandOff#DEFAULT_TIMEOUT} (60 s) rather than hang.
     */
    public java.util.concurrent.CompletableFuture<Long> handOff(TopicPartition tp) {
        return handOff(tp, PartitionHandOff.DEFAULT_TIMEOUT);
    }

    /** As {@link #handOff(TopicPartition)}, failing after {@code timeout}. */
    public java.util.concurrent.CompletableFuture<Long> handOff(TopicPartition tp, java.time.Duration timeout) {
        if (handOffs.isEmpty()) {
            return java.util.concurrent.CompletableFuture.failedFuture(new IllegalStateException(
                    "cannot hand " + tp + " over: this broker tiers to no bucket"));
        }
        TopicLogs topic = topics.get(tp.topic());
        Optional<PartitionLog> log = log(tp);
        if (topic == null || log.isEmpty()) {
            return java.util.concurrent.CompletableFuture.failedFuture(new UnknownTopicOrPartitionException(
                    "Partition " + tp + " does not exist on this broker."));
        }
        return handOffs.get().start(topic, log.get(), timeout);
    }

    /**
     * Opens partition {@code tp} from the bucket, for its new leader ({@link PartitionReopen}): its local data
     * (segments, indexes, producer state, catalog entries) is discarded, its catalog rebuilt from its manifest and
     * sidecars, its producer state restored, and a new log opened whose log end offset is the end of the bucket's
     * segments; appends continue from there and every record in the bucket is readable. Blocking.
     *
     * <p>{@link #log(TopicPartition)} answers a new {@link PartitionLog} afterwards (the old one is closed: whoever
     * keeps a reference must look it up again; the {@link LogListener}s are told). The new log keeps the old one's
     * leader epoch: set the new epoch on it afterwards. Local data above the bucket's end is discarded too: call this
     * only once the previous leader handed the partition over (or is known to have nothing more).
     *
     * @throws UnknownTopicOrPartitionException when this broker does not have the partition (adopt the topic first)
     * @throws IllegalStateException            without a bucket, while another reopen of {@code tp} is under way,
     *                                          or when the bucket's objects for the partition fail their checks
     */
    public void reopenFromBucket(TopicPartition tp) {
        PartitionReopen reopen = reopens.orElseThrow(() -> new IllegalStateException(
                "cannot reopen " + tp + " from the bucket: this broker tiers to no bucket"));
        TopicLogs topic = topics.get(tp.topic());
        PartitionLog old = log(tp).orElseThrow(() -> new UnknownTopicOrPartitionException(
                "Partition " + tp + " does not exist on this broker."));
        PartitionLog fresh = reopen.reopen(topic, old, (t, p) -> openPartition(t.record(), p, t.config(), false));
        try {
            synchronized (adminLock) {
                TopicLogs current = topics.get(tp.topic());
                if (current == null || !current.topicId().equals(topic.topicId())
                        || current.partitions().get(tp.partition()) != old) {
                    fresh.closeForDeletion();
                    throw new IllegalStateException("topic " + tp.topic() + " changed while " + tp + " was reopened");
                }
                List<PartitionLog> logs = new ArrayList<>(current.partitions());
                logs.set(tp.partition(), fresh);
                fresh.updateConfig(current.config());
                replaceTopic(new TopicLogs(current.record(), current.topicId(), current.config(), logs));
                topics.opened(List.of(fresh));
            }
        } finally {
            reopen.done(old);
        }
    }

    /**
     * Checks topic config overrides.
     *
     * @throws InvalidConfigurationException naming the unknown config or the invalid value
     */
    public static void validateConfigs(Map<String, String> configs) {
        try {
            TopicConfigDef.validate(configs);
        } catch (ConfigException e) {
            throw new InvalidConfigurationException(e.getMessage());
        }
    }

    /**
     * Replaces a topic's config overrides: validated, stored durably, applied to its open partition
     * logs, and the topic manifest in the bucket is rewritten by the remote tier's next pass.
     *
     * @param configs the topic's complete new overrides (not a delta)
     */
    public TopicLogs alterTopicConfigs(String name, Map<String, String> configs) {
        synchronized (adminLock) {
            TopicLogs topic = existingTopic(name);
            validateConfigs(configs);
            TopicRecord record = topic.record().withConfigs(configs);
            LogConfig config = LogConfig.of(topicDefaults, record.configs());
            storeTopic(record);
            for (PartitionLog log : topic.partitions()) {
                log.updateConfig(config);
                PartitionMetadata.of(record).write(log.directory());
            }
            TopicLogs updated = new TopicLogs(record, topic.topicId(), config, topic.partitions());
            replaceTopic(updated);
            LOGGER.info("Altered the configs of topic {}: {}", name, configs);
            return updated;
        }
    }

    /**
     * Checks a CreatePartitions request without changing anything.
     *
     * @throws org.apache.kafka.common.errors.ApiException with the Kafka error for the problem found
     */
    public void validatePartitionIncrease(String name, int newCount) {
        int current = existingTopic(name).partitions().size();
        if (newCount < current) {
            throw new InvalidPartitionsException("Topic currently has " + current
                    + " partitions, which is higher than the requested " + newCount + ".");
        }
        if (newCount == current) {
            throw new InvalidPartitionsException("Topic already has " + current + " partitions.");
        }
        checkPartitionLimit(newCount - current);
        leftoverData(name, current, newCount).ifPresent(directory -> {
            throw new InvalidPartitionsException("Cannot add partitions to '" + name + "' yet: " + directory
                    + " still holds the data of a deleted incarnation of the topic (it is removed at the next start)");
        });
    }

    /**
     * The first directory of partitions {@code from} to {@code to - 1} of {@code name} that still holds data (a
     * deleted incarnation whose directory could not be renamed away): a new partition must never adopt it.
     */
    private Optional<Path> leftoverData(String name, int from, int to) {
        for (int p = from; p < to; p++) {
            Path directory = partitionDir(new TopicPartition(name, p));
            if (Files.isDirectory(directory) && DataDirectoryReconciler.holdsData(directory)) {
                return Optional.of(directory);
            }
        }
        return Optional.empty();
    }

    /**
     * Opens partitions {@code from} to {@code record.partitions() - 1} of a new topic or count; if one fails,
     * those already opened are discarded and the failure is rethrown.
     */
    private List<PartitionLog> openNewPartitions(TopicRecord record, int from, LogConfig config) {
        List<PartitionLog> opened = new ArrayList<>(record.partitions() - from);
        try {
            for (int p = from; p < record.partitions(); p++) {
                opened.add(openPartition(record, p, config, true));
            }
            return opened;
        } catch (RuntimeException e) {
            discardNewPartitions(record, from, opened, e);
            throw e;
        }
    }

    /**
     * Undoes the opening of {@code opened}, partitions {@code from} onwards (and of the directory of the one
     * after them, whose opening failed): closes their files, removes their index entries and directories, at once.
     */
    private void discardNewPartitions(TopicRecord record, int from, List<PartitionLog> opened, Throwable cause) {
        LOGGER.warn("Could not add partitions to topic {} ({}); removing the {} partition(s) already opened",
                record.name(), cause.toString(), opened.size());
        for (PartitionLog log : opened) {
            log.closeForDeletion();
        }
        try (IndexBatch writes = store.newBatch()) {
            for (PartitionLog log : opened) {
                store.deletePartition(writes, log.key());
            }
            writes.commit(true);
        } catch (RuntimeException e) {
            LOGGER.warn("Could not remove the index entries of the new partitions of {}: {}", record.name(), e.toString());
        }
        for (int p = from; p <= from + opened.size() && p < record.partitions(); p++) {
            Path directory = partitionDir(new TopicPartition(record.name(), p));
            if (Files.isDirectory(directory)) {
                deleteRecursively(directory);
            }
        }
    }

    /**
     * Raises a topic's partition count: stored durably, the new partition logs opened (and attached
     * to the remote tier), the topic manifest rewritten. Existing partitions are untouched.
     */
    public TopicLogs addPartitions(String name, int newCount) {
        synchronized (adminLock) {
            validatePartitionIncrease(name, newCount);
            return growPartitions(existingTopic(name), newCount);
        }
    }

    /** Raises the partition count of {@code topic} to {@code newCount}; under the admin lock. */
    private TopicLogs growPartitions(TopicLogs topic, int newCount) {
        String name = topic.name();
        TopicRecord record = topic.record().withPartitions(newCount);
        List<PartitionLog> added = openNewPartitions(record, topic.partitions().size(), topic.config());
        try {
            storeTopic(record);
        } catch (RuntimeException e) {
            discardNewPartitions(record, topic.partitions().size(), added, e);
            throw e;
        }
        List<PartitionLog> logs = new ArrayList<>(topic.partitions());
        for (PartitionLog log : added) {
            remote.ifPresent(r -> r.attach(log));
            logs.add(log);
        }
        TopicLogs updated = new TopicLogs(record, topic.topicId(), topic.config(), logs);
        replaceTopic(updated);
        topics.opened(logs.subList(topic.partitions().size(), newCount));
        LOGGER.info("Increased the partitions of topic {} from {} to {}", name, topic.partitions().size(),
                newCount);
        return updated;
    }

    private TopicLogs existingTopic(String name) {
        TopicLogs topic = topics.get(name);
        if (topic == null) {
            throw new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
        }
        return topic;
    }

    private void storeTopic(TopicRecord record) {
        try (IndexBatch writes = store.newBatch()) {
            store.topics().put(writes, record);
            writes.commit(true);
        }
    }

    /**
     * Serves {@code updated} in place of the topic's previous version; the remote tier's next pass sees
     * the changed definition and rewrites the topic manifest.
     */
    private void replaceTopic(TopicLogs updated) {
        topics.put(updated);
    }

    /** Deletes a topic: its RocksDB entries (committed group offsets included) at once, its files in the background. */
    public void deleteTopic(String name) {
        synchronized (adminLock) {
            TopicLogs topic = topics.get(name);
            if (topic == null) {
                throw new UnknownTopicOrPartitionException("TopicLogs '" + name + "' does not exist.");
            }
            topics.remove(topic);
            LocalDrop dropped = dropLocally(topic, true);
            finishDeletion(topic.record(), dropped.allRenamed());
            remote.ifPresent(r -> r.groupOffsets().markChanged(dropped.groups()));
            topics.deleted(topic);
            LOGGER.info("Deleted topic {} ({})", name, topic.topicId());
        }
    }

    /**
     * What {@link #dropLocally} did.
     *
     * @param allRenamed whether every partition directory was renamed for deletion (else some are still there)
     * @param groups     the groups whose committed offsets of the topic were removed
     */
    private record LocalDrop(boolean allRenamed, Set<String> groups) {
    }

    /**
     * Closes the topic's logs, removes its RocksDB entries (with a durable deletion intent when
     * {@code recordIntent}) and renames its directories for deletion in the background. Under the admin lock.
     */
    private LocalDrop dropLocally(TopicLogs topic, boolean recordIntent) {
        for (PartitionLog log : topic.partitions()) {
            log.closeForDeletion();
        }
        Set<String> groupsOfTopic;
        try (IndexBatch writes = store.newBatch()) {
            for (PartitionLog log : topic.partitions()) {
                store.deletePartition(writes, log.key());
            }
            store.topics().delete(writes, topic.name());
            if (recordIntent) {
                store.topicDeletions().put(writes, topic.record());
            }
            groupsOfTopic = store.groupOffsets().deleteTopic(writes, topic.name());
            writes.commit(true);
        }
        boolean allRenamed = true;
        for (PartitionLog log : topic.partitions()) {
            allRenamed &= deleteDirectoryLater(log.directory(), topic.topicId());
            health.forget(log.topicPartition());
        }
        return new LocalDrop(allRenamed, groupsOfTopic);
    }

    /**
     * Renames a deleted partition's directory out of the way and removes it in the background; false when
     * the rename failed (the deletion intent then stays, and the next start removes the directory).
     */
    private boolean deleteDirectoryLater(Path directory, Uuid topicId) {
        Path renamed = directory.resolveSibling(directory.getFileName() + "." + topicId
                + DataDirectoryReconciler.DELETED_DIRECTORY_SUFFIX);
        try {
            Files.move(directory, renamed);
        } catch (IOException e) {
            LOGGER.warn("Could not rename {} for deletion (the next start removes it): {}", directory, e.getMessage());
            return false;
        }
        try {
            Fsync.directory(dataDir);
        } catch (IOException e) {
            health.failed("sync " + dataDir + " after renaming " + directory.getFileName(), e);
        }
        background.execute(() -> deleteRecursively(renamed));
        return true;
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOGGER.warn("Could not delete {}: {}", root, e.getMessage());
        }
    }

    /** Flushes and closes every log, closes RocksDB and marks the shutdown clean. */
    @Override
    public void close() {
        shutdown(true);
    }

    /**
     * Closes everything; writes the clean-shutdown marker only when {@code markClean} and every log
     * closed cleanly. A failed open passes {@code false}: the logs it did not open were never
     * recovered, so the next open must not trust their catalog.
     */
    private void shutdown(boolean markClean) {
        scheduler.shutdownNow();
        handOffs.ifPresent(PartitionHandOff::close);
        remote.ifPresent(RemoteLogManager::close);
        synchronized (deletionLock) {
            closing = true;
        }
        boolean allClosed = true;
        for (TopicLogs topic : topics.all()) {
            for (PartitionLog log : topic.partitions()) {
                try {
                    log.close();
                } catch (RuntimeException e) {
                    allClosed = false;
                    if (health.online()) { // an offline directory is reported once, below
                        LOGGER.error("Could not close {} cleanly: {}", log.topicPartition(), e.toString());
                    }
                }
            }
        }
        io.shutdown();
        background.shutdown();
        try {
            io.awaitTermination(30, TimeUnit.SECONDS);
            background.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        store.close();
        if (!health.online()) {
            LOGGER.error("Not marking the shutdown clean: {}; the next start re-validates every partition",
                    health.directoryFailure().orElse("the log directory is offline"));
        }
        if (markClean && allClosed && health.online()) {
            try {
                Files.createFile(dataDir.resolve(CLEAN_SHUTDOWN_FILE));
                Fsync.directory(dataDir);
            } catch (IOException e) {
                LOGGER.warn("Could not write the clean shutdown marker: {}", e.getMessage());
            }
        }
        LOGGER.info("Closed the logs in {}", dataDir);
    }

    static Uuid toKafka(UUID id) {
        return new Uuid(id.getMostSignificantBits(), id.getLeastSignificantBits());
    }

    private static String newClusterId() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    private static java.util.concurrent.ThreadFactory namedThreads(String prefix) {
        java.util.concurrent.atomic.AtomicInteger counter = new java.util.concurrent.atomic.AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
