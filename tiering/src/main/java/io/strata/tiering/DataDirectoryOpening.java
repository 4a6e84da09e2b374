package io.strata.tiering;

import io.strata.index.RocksDbIndexStore;
import io.strata.index.TopicRecord;
import io.strata.tiering.log.Fsync;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.remote.ClusterManifest;
import io.strata.tiering.remote.RemoteLogManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a data directory at the broker's start, in this order:
 * <ol>
 *   <li>{@link #inspect}, before RocksDB opens (and creates) its store: whether the last shutdown was clean (the
 *       {@link LogManager#CLEAN_SHUTDOWN_FILE} marker, deleted durably at once so that a crash from here on counts as
 *       unclean), whether the directory is new, and what {@code meta.properties} says;</li>
 *   <li>the cluster id is settled (RocksDB's, else {@code meta.properties}', else the bucket's, else a new one) and
 *       start is refused when two of them disagree; producer ids continue from the highest block end known;</li>
 *   <li>a lost or empty catalog is restored from the bucket, when tiering (unless the caller opens partitions from
 * the bucket itself when it comes to lead them: a broker of a cluster with the write-ahead log);</li>
 *   <li>the data directory and the catalog are reconciled ({@link DataDirectoryReconciler}): topics rebuilt from
 *       partition directories are cataloged, directories of deleted topics removed;</li>
 *   <li>every cataloged topic's partitions are opened (recovered unless the shutdown was clean) and served;</li>
 *   <li>after a lost catalog, producer ids continue above every id in the logs; the block end is published;</li>
 *   <li>the topic deletions under way when the broker stopped are resumed ({@link TopicDeletions#resume}).</li>
 * </ol>
 * One instance opens one data directory once, on the starting thread; not thread-safe (nothing is served yet).
 */
final class DataDirectoryOpening {

    private static final Logger LOGGER = LoggerFactory.getLogger(DataDirectoryOpening.class);

    /**
     * What the data directory held before its RocksDB store was opened.
     *
     * @param clean    whether the last shutdown was clean (the marker was there)
     * @param fresh    whether there was no RocksDB store yet
     * @param fileMeta what {@code meta.properties} held, when present
     */
    record Found(Path marker, boolean clean, boolean fresh, Optional<DataDirectoryMeta> fileMeta) {
    }

    /**
     * The settled identity of the opened data directory.
     *
     * @param clusterId   the cluster id
     * @param producerIds hands out producer ids from here on, its block end already published
     */
    record Opened(String clusterId, ProducerIds producerIds) {
    }

    private final Path dataDir;
    private final Clock clock;
    private final RocksDbIndexStore store;
    private final Optional<RemoteLogManager> remote;
    private final LogRegistry topics;
    private final PartitionDirectories directories;
    private final TopicCatalog catalog;
    private final TopicDeletions deletions;

    DataDirectoryOpening(Path dataDir, Clock clock, RocksDbIndexStore store, Optional<RemoteLogManager> remote,
                         LogRegistry topics, PartitionDirectories directories, TopicCatalog catalog,
                         TopicDeletions deletions) {
        this.dataDir = dataDir;
        this.clock = clock;
        this.store = store;
        this.remote = remote;
        this.topics = topics;
        this.directories = directories;
        this.catalog = catalog;
        this.deletions = deletions;
    }

    /** Creates the data directory when missing and notes what it holds; call before opening its RocksDB store. */
    static Found inspect(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dataDir, e);
        }
        Path marker = dataDir.resolve(LogManager.CLEAN_SHUTDOWN_FILE);
        return new Found(marker, Files.exists(marker), !Files.exists(dataDir.resolve(LogManager.INDEX_DIRECTORY)),
                DataDirectoryMeta.read(dataDir));
    }

    /**
     * Runs every step after {@link #inspect}; the caller closes everything when it throws.
     *
     * @throws StartRefusedException when the data directory, its catalog and the bucket belong to different clusters
     * @throws IllegalStateException when the data directory holds data that cannot be explained, or the bucket
     *                               objects that fail checks
     */
    Opened open(Found found, boolean restoreFromBucket) throws IOException {
        Fsync.delete(found.marker()); // durably: a marker back after a power loss would skip recovery
        boolean catalogEmpty = store.topics().list().isEmpty();
        // A lost or new catalog: the bucket's identity is checked before anything is restored from it
        Optional<ClusterManifest> bucketIdentity = remote.isPresent() && catalogEmpty
                ? remote.get().readClusterManifest() : Optional.empty();
        Opened opened = identify(found.fileMeta(), bucketIdentity);
        if (remote.isPresent() && catalogEmpty && restoreFromBucket) {
            remote.get().restoreFromBucket();
        }
        Map<String, TopicRecord> cataloged = new HashMap<>();
        store.topics().list().forEach(topic -> cataloged.put(topic.name(), topic));
        DataDirectoryReconciler.Plan plan = new DataDirectoryReconciler(dataDir, clock.millis())
                .plan(cataloged, store.topicDeletions().list(), catalogEmpty);
        apply(plan);
        loadTopics(plan.rebuilt().isEmpty() && (found.clean() || found.fresh()), found.fresh());
        if (catalogEmpty) {
            continueProducerIds(opened.producerIds(), bucketIdentity);
        }
        opened.producerIds().publish();
        deletions.resume();
        return opened;
    }

    /**
     * Settles the cluster id: RocksDB's, else {@code meta.properties}', else the bucket's (a restore), else a new
     * one; refuses to start when two of them disagree.
     */
    private Opened identify(Optional<DataDirectoryMeta> fileMeta, Optional<ClusterManifest> bucket) {
        Optional<String> indexed = store.meta().getString("cluster.id");
        Optional<String> local = indexed.or(() -> fileMeta.map(DataDirectoryMeta::clusterId));
        if (indexed.isPresent() && fileMeta.isPresent() && !indexed.get().equals(fileMeta.get().clusterId())) {
            throw new StartRefusedException("Refusing to start: " + dataDir.resolve(LogManager.INDEX_DIRECTORY)
                    + " belongs to cluster " + indexed.get() + " but " + dataDir.resolve(DataDirectoryMeta.FILE)
                    + " to cluster " + fileMeta.get().clusterId() + "; put back the catalog of this data directory,"
                    + " or move " + DataDirectoryMeta.FILE + " away to keep the catalog's cluster id");
        }
        if (local.isPresent() && bucket.isPresent() && !local.get().equals(bucket.get().clusterId())) {
            throw new StartRefusedException("Refusing to start: the data directory " + dataDir + " belongs to cluster "
                    + local.get() + " but the bucket to cluster " + bucket.get().clusterId() + "; point the broker"
                    + " at this cluster's bucket and prefix, or at an empty data directory to restore the bucket's");
        }
        String id = local.or(() -> bucket.map(ClusterManifest::clusterId))
                .orElseGet(DataDirectoryOpening::newClusterId);
        if (indexed.isEmpty()) {
            store.meta().putString("cluster.id", id);
            LOGGER.info("Cluster id {} ({})", id, local.isPresent() ? DataDirectoryMeta.FILE
                    : bucket.isPresent() ? "restored from the bucket" : "a new cluster");
        }
        long blockEnd = Math.max(fileMeta.map(DataDirectoryMeta::producerIdBlockEnd).orElse(0L),
                bucket.map(ClusterManifest::producerIdBlockEnd).orElse(0L));
        return new Opened(id, new ProducerIds(store, dataDir, new DataDirectoryMeta(id, blockEnd), remote));
    }

    /** Writes the topics rebuilt from partition directories and removes the directories of deleted topics. */
    private void apply(DataDirectoryReconciler.Plan plan) {
        for (TopicRecord topic : plan.rebuilt()) {
            catalog.storeTopic(topic);
            LOGGER.warn("Rebuilt the catalog of topic {} (id {}) with {} partition(s) from its partition directories"
                    + " in {}; offsets come from its segment files{}", topic.name(),
                    LogManager.toKafka(topic.topicId()), topic.partitions(), dataDir,
                    topic.configs().isEmpty() ? "" : ", configs " + topic.configs());
        }
        plan.remove().forEach((directory, reason) -> {
            LOGGER.info("Removing {}: {}", directory, reason);
            PartitionDirectories.deleteRecursively(directory);
        });
    }

    private void loadTopics(boolean clean, boolean fresh) throws IOException {
        List<TopicRecord> records = store.topics().list();
        long started = clock.millis();
        int total = records.stream().mapToInt(TopicRecord::partitions).sum();
        LOGGER.info("Opening {} topic(s), {} partition(s) in {} {}", records.size(), total, dataDir,
                fresh ? "(a new data directory)" : clean ? "after a clean shutdown" : "after an unclean shutdown");
        for (TopicRecord record : records) {
            TopicLogs topic = directories.openTopic(record, clean);
            remote.ifPresent(r -> r.attach(topic));
            topics.put(topic);
        }
        LOGGER.info("Opened {} partition(s) in {} ms", total, clock.millis() - started);
    }

    /** After a lost catalog: producer ids continue above every id the logs, the data directory or the bucket know. */
    private void continueProducerIds(ProducerIds producerIds, Optional<ClusterManifest> bucket) {
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

    private static String newClusterId() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }
}
