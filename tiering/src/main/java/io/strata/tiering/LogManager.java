package io.strata.tiering;

import io.strata.index.RocksDbIndexStore;
import io.strata.tiering.config.TopicConfigDef;
import io.strata.tiering.log.Fsync;
import io.strata.tiering.log.LogDirHealth;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.remote.RemoteLogManager;
import io.strata.tiering.remote.RemoteStorage;
import io.strata.tiering.remote.UploadFence;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the data directory: the RocksDB store, every topic and every {@link PartitionLog}, and the background tasks
 * that roll, flush and apply retention. The broker's entry point to the storage; the work is done by its parts:
 * <ul>
 *   <li>{@link DataDirectoryOpening}: the start (cluster id, restore, reconcile, recovery, producer ids,
 *       deletions);</li>
 *   <li>{@link LogRegistry}: the topics and partition logs served, and the {@link LogListener}s;</li>
 *   <li>{@link TopicCatalog}: topic administration (create, adopt, alter, add partitions, delete, forget, limits),
 *       with the deletion intents in {@link TopicDeletions};</li>
 *   <li>{@link PartitionDirectories}: opening partition logs over their directories, removing directories;</li>
 *   <li>{@link LogThreads}: the thread pools and the periodic retention, flush and roll checks;</li>
 *   <li>{@link PartitionHandOff} and {@link PartitionReopen}: moving a partition's leadership through the bucket;</li>
 *   <li>{@link ProducerIds}: the producer ids handed out.</li>
 * </ul>
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
 * <p>Thread-safe. Topic changes are serialized by the {@link TopicCatalog}; everything else is concurrent.
 */
public final class LogManager implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(LogManager.class);
    static final String CLEAN_SHUTDOWN_FILE = ".strata-clean-shutdown";
    static final String INDEX_DIRECTORY = "rocksdb";

    private final Path dataDir;
    private final Map<String, String> topicDefaults;
    private final RocksDbIndexStore store;
    private final LogThreads threads;
    private final LogRegistry topics = new LogRegistry();
    private final PartitionDirectories directories;
    private final TopicDeletions deletions;
    private final TopicCatalog catalog;
    private volatile String clusterId;
    private volatile ProducerIds producerIds;
    private final Optional<RemoteLogManager> remote;
    private final LogDirHealth health;
    private final Optional<PartitionHandOff> handOffs;
    private final Optional<PartitionReopen> reopens;

    private LogManager(Path dataDir, Map<String, String> topicDefaults, Clock clock, RocksDbIndexStore store,
                       int ioThreads, Optional<RemoteStorage> remoteStorage) {
        this.dataDir = dataDir;
        this.topicDefaults = Map.copyOf(topicDefaults);
        this.store = store;
        this.health = new LogDirHealth(dataDir);
        this.threads = new LogThreads(ioThreads);
        this.remote = remoteStorage.map(r -> new RemoteLogManager(r.store(), store, r.config(), clock, r.lease()));
        this.handOffs = remote.map(PartitionHandOff::new);
        this.reopens = remote.map(r -> new PartitionReopen(store, r, health));
        this.directories = new PartitionDirectories(dataDir, store, this.topicDefaults, clock, threads.background(),
                health);
        this.deletions = new TopicDeletions(store, remote);
        this.catalog = new TopicCatalog(topics, store, directories, deletions, remote, health, clock);
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
     * are rebuilt from their segment files ({@link DataDirectoryReconciler}). The steps are those of
     * {@link DataDirectoryOpening}.
     *
     * @throws IllegalStateException with a message that says what to do when the data directory holds data
     *                               that cannot be explained, or when the bucket holds objects that fail checks
     */
    public static LogManager open(Path dataDir, Map<String, String> topicDefaults, Clock clock,
                                  LogManagerSchedule schedule, int ioThreads, Optional<RemoteStorage> remoteStorage) {
        return open(dataDir, topicDefaults, clock, schedule, ioThreads, remoteStorage, true);
    }

    /**
     * As {@link #open(Path, Map, Clock, LogManagerSchedule, int, Optional)}; with {@code restoreFromBucket} false an
     * empty catalog is not restored from the bucket at start (a broker of a cluster whose tails are in the write-ahead
     * log: it opens each partition from the bucket when it comes to lead it, {@link #reopenFromBucket}, and need not
     * read every partition's catalog first).
     */
    public static LogManager open(Path dataDir, Map<String, String> topicDefaults, Clock clock,
                                  LogManagerSchedule schedule, int ioThreads, Optional<RemoteStorage> remoteStorage,
                                  boolean restoreFromBucket) {
        DataDirectoryOpening.Found found = DataDirectoryOpening.inspect(dataDir);
        RocksDbIndexStore store = RocksDbIndexStore.open(dataDir.resolve(INDEX_DIRECTORY));
        LogManager manager = new LogManager(dataDir, topicDefaults, clock, store, ioThreads, remoteStorage);
        try {
            DataDirectoryOpening.Opened opened = new DataDirectoryOpening(dataDir, clock, store, manager.remote,
                    manager.topics, manager.directories, manager.catalog, manager.deletions).open(found,
                    restoreFromBucket);
            manager.clusterId = opened.clusterId();
            manager.producerIds = opened.producerIds();
        } catch (IOException | RuntimeException e) {
            manager.shutdown(false);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
        manager.threads.schedule(schedule, manager.topics::all);
        manager.remote.ifPresent(r -> r.start(manager::topics));
        return manager;
    }

    /** The segment-io pool: Produce appends, blocking reads and offset lookups run here. */
    public Executor ioExecutor() {
        return threads.io();
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
        catalog.addListener(listener);
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
        catalog.validateNewTopic(name, partitions, replicationFactor, configs);
    }

    /**
     * Sets the most partitions this broker holds, all topics together ({@code strata.max.partitions}):
     * CreateTopics, CreatePartitions and auto-creation beyond it get INVALID_PARTITIONS. Topics already
     * there are kept whatever their number.
     */
    public void limitPartitions(int max) {
        catalog.limitPartitions(max);
    }

    /**
     * Creates a topic and opens its partition logs: the partitions are opened first and the topic is stored
     * only once all of them are, so a creation that fails (no file descriptors left, a full disk) leaves
     * neither the topic nor any of its partition directories or index entries behind.
     */
    public TopicLogs createTopic(String name, int partitions, short replicationFactor, Map<String, String> configs) {
        return catalog.createTopic(name, partitions, replicationFactor, configs);
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
        return catalog.adoptTopic(name, topicId, partitions, configs);
    }

    /**
     * Drops a topic from this broker only: its partition logs are closed, their local files and every RocksDB entry
     * of the topic (catalog, indexes, producer state, committed group offsets) removed; nothing in the bucket is
     * touched and no deletion is recorded (in cluster mode one broker deletes the bucket side).
     *
     * @throws UnknownTopicOrPartitionException when this broker does not have the topic
     */
    public void forgetTopic(String name) {
        catalog.forgetTopic(name);
    }

    /**
     * Sets which partitions this broker may write: the background tasks (uploads of sealed segments, manifest
     * writes, remote and local retention, deletion of expired remote objects) act on a partition only while
     * {@code mayWrite} answers true. Group-offset uploads are not affected. Default: every partition.
     */
    public void setWriteGate(Predicate<TopicPartition> mayWrite) {
        threads.setWriteGate(mayWrite);
        remote.ifPresent(r -> r.setWriteGate(mayWrite));
    }

    /**
     * Sets the fence that confirms each upload before it is cataloged ({@link UploadFence}); default: every upload
     * is confirmed. Without a bucket there are no uploads and the fence is never asked.
     */
    public void setUploadFence(UploadFence fence) {
        Objects.requireNonNull(fence, "fence");
        remote.ifPresent(r -> r.setUploadFence(fence));
    }

    /**
     * Hands partition {@code tp} over to the bucket, for a planned move of its leadership ({@link PartitionHandOff}):
     * the caller has stopped accepting appends for it. Completes with the log end offset once every offset below it
     * is in the bucket and the partition's producer state is stored next to its manifest; fails after
     * {@link PartitionHandOff#DEFAULT_TIMEOUT} (60 s) rather than hang.
     */
    public CompletableFuture<Long> handOff(TopicPartition tp) {
        return handOff(tp, PartitionHandOff.DEFAULT_TIMEOUT);
    }

    /** As {@link #handOff(TopicPartition)}, failing after {@code timeout}. */
    public CompletableFuture<Long> handOff(TopicPartition tp, Duration timeout) {
        if (handOffs.isEmpty()) {
            return CompletableFuture.failedFuture(new IllegalStateException(
                    "cannot hand " + tp + " over: this broker tiers to no bucket"));
        }
        TopicLogs topic = topics.get(tp.topic());
        Optional<PartitionLog> log = log(tp);
        if (topic == null || log.isEmpty()) {
            return CompletableFuture.failedFuture(new UnknownTopicOrPartitionException(
                    "Partition " + tp + " does not exist on this broker."));
        }
        return handOffs.get().start(topic, log.get(), timeout);
    }

    /** Sets where a reopen from the bucket finds the committed write-ahead-log tail ({@link PartitionReopen}). */
    public void setWalTail(WalTail tail) {
        reopens.ifPresent(reopen -> reopen.setWalTail(tail));
    }

    /**
     * Opens partition {@code tp} from the bucket, for its new leader ({@link PartitionReopen}): its local data
     * (segments, indexes, producer state, catalog entries) is discarded, its catalog rebuilt from its manifest and
     * sidecars, its producer state restored, and a new log opened whose log end offset is the end of the bucket's
     * segments, to which the committed write-ahead-log tail ({@link #setWalTail}) is appended; appends continue from
     * there and every committed record is readable. Blocking.
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
        PartitionLog fresh = reopen.reopen(topic, old,
                (t, p) -> directories.openPartition(t.record(), p, t.config(), false));
        try {
            catalog.installReopened(topic, old, fresh);
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
        TopicCatalog.validateConfigs(configs);
    }

    /**
     * Replaces a topic's config overrides: validated, stored durably, applied to its open partition
     * logs, and the topic manifest in the bucket is rewritten by the remote tier's next pass.
     *
     * @param configs the topic's complete new overrides (not a delta)
     */
    public TopicLogs alterTopicConfigs(String name, Map<String, String> configs) {
        return catalog.alterTopicConfigs(name, configs);
    }

    /**
     * Checks a CreatePartitions request without changing anything.
     *
     * @throws org.apache.kafka.common.errors.ApiException with the Kafka error for the problem found
     */
    public void validatePartitionIncrease(String name, int newCount) {
        catalog.validatePartitionIncrease(name, newCount);
    }

    /**
     * Raises a topic's partition count: stored durably, the new partition logs opened (and attached
     * to the remote tier), the topic manifest rewritten. Existing partitions are untouched.
     */
    public TopicLogs addPartitions(String name, int newCount) {
        return catalog.addPartitions(name, newCount);
    }

    /** Deletes a topic: its RocksDB entries (committed group offsets included) at once, its files in the background. */
    public void deleteTopic(String name) {
        catalog.deleteTopic(name);
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
        threads.stopSchedule();
        handOffs.ifPresent(PartitionHandOff::close);
        remote.ifPresent(RemoteLogManager::close);
        deletions.close();
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
        threads.shutdownAndAwait();
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
}
