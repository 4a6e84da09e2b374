package io.strata.tiering;

import io.strata.index.IndexBatch;
import io.strata.index.ProducerStateEntry;
import io.strata.index.RocksDbIndexStore;
import io.strata.tiering.log.Fsync;
import io.strata.tiering.log.LogDirHealth;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.remote.BucketRestore;
import io.strata.tiering.remote.RemoteLogManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a partition from the bucket on its new leader ({@link LogManager#reopenFromBucket}), discarding whatever
 * this broker holds locally for it (a stale copy from an earlier leadership, or nothing):
 * <ol>
 *   <li>the remote tier's passes are kept off the old log ({@link RemoteLogManager#claim}), which is closed;</li>
 *   <li>the partition directory is emptied (segments, and with the catalog entries below everything else local);</li>
 *   <li>the partition's catalog is rebuilt from its manifest and sidecars ({@link BucketRestore#restorePartition}):
 *       remote segments, log start offset, offset and time index entries; every other entry of it is dropped;</li>
 *   <li>the idempotent producers' state as of the end of the bucket's segments is restored from the newest
 *       producer-state object and the segments above it;</li>
 *   <li>a new log is opened: empty locally, its log end offset the end of the bucket's segments; reads below it go
 *       to the bucket. It keeps the old log's leader epoch.</li>
 *   <li>the committed write-ahead-log tail above the segments ({@link WalTail}) is appended to it (producer state
 *       follows), so its log end is the partition's committed end; appends continue from there.</li>
 * </ol>
 * Blocking. One reopen per partition at a time (a second one meanwhile is refused).
 */
final class PartitionReopen {

    private static final Logger LOGGER = LoggerFactory.getLogger(PartitionReopen.class);
    /** How long a reopen waits for a pass of the remote tier that is still working on the old log. */
    static final Duration CLAIM_TIMEOUT = Duration.ofSeconds(60);

    /** Opens a partition log over the partition's (now empty) directory and catalog entries. */
    @FunctionalInterface
    interface Opener {
        PartitionLog open(TopicLogs topic, int partition);
    }

    private final RocksDbIndexStore store;
    private final RemoteLogManager remote;
    private final LogDirHealth health;
    private final Set<TopicPartition> underway = ConcurrentHashMap.newKeySet();
    private volatile WalTail walTail = WalTail.NONE;

    PartitionReopen(RocksDbIndexStore store, RemoteLogManager remote, LogDirHealth health) {
        this.store = store;
        this.remote = remote;
        this.health = health;
    }

    /** Sets where the committed write-ahead-log tail comes from (none by default). */
    void setWalTail(WalTail tail) {
        this.walTail = java.util.Objects.requireNonNull(tail, "tail");
    }

    /**
     * Replaces {@code old}, partition {@code old.topicPartition()} of {@code topic}, by a log opened from the bucket;
     * returns it, attached to the remote tier. The caller swaps it into its topic, then calls {@link #done}.
     */
    PartitionLog reopen(TopicLogs topic, PartitionLog old, Opener opener) {
        TopicPartition tp = old.topicPartition();
        if (!underway.add(tp)) {
            throw new IllegalStateException("a reopen of " + tp + " is already under way");
        }
        long started = System.nanoTime();
        try {
            remote.claim(old, System.nanoTime() + CLAIM_TIMEOUT.toNanos());
        } catch (InterruptedException e) {
            underway.remove(tp);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reopening " + tp, e);
        } catch (TimeoutException e) {
            underway.remove(tp);
            throw new IllegalStateException("cannot reopen " + tp + ": " + e.getMessage(), e);
        }
        PartitionLog log = null;
        try {
            int epoch = old.leaderEpoch();
            old.closeForDeletion();
            emptyDirectory(old.directory());
            health.forget(tp);
            BucketRestore.RestoredPartition restored = remote.restorePartition(topic.record(), tp.partition());
            List<ProducerStateEntry> producers = remote.restoreProducerState(tp, old.key(), restored.endOffset(),
                    old.directory());
            try (IndexBatch writes = store.newBatch()) {
                store.producerStates().replaceAll(writes, old.key(), producers);
                writes.commit(true);
            }
            log = opener.open(topic, tp.partition());
            log.setLeaderEpoch(epoch);
            remote.attach(log);
            List<MemoryRecords> tail = walTail.read(old.key(), log.logEndOffset());
            long tailBytes = 0;
            for (MemoryRecords records : tail) {
                log.appendReplayed(records);
                tailBytes += records.sizeInBytes();
            }
            LOGGER.info("Reopened {} from the bucket in {} ms: log start offset {}, segments up to {}, {} WAL range(s)"
                    + " ({} bytes) up to log end offset {}, {} producer(s)", tp,
                    (System.nanoTime() - started) / 1_000_000, log.logStartOffset(), restored.endOffset(), tail.size(),
                    tailBytes, log.logEndOffset(), log.producerStates().size());
            return log;
        } catch (RuntimeException e) {
            if (log != null) { // opened, but its tail could not be replayed: the next attempt opens another
                log.closeForDeletion();
            }
            remote.release(old, true);
            underway.remove(tp);
            throw e;
        }
    }

    /** Ends the reopen of {@code old}'s partition once its new log is in place. */
    void done(PartitionLog old) {
        remote.release(old, true);
        underway.remove(old.topicPartition());
    }

    /** Deletes every file in the partition directory (it holds no subdirectories) and syncs it. */
    private static void emptyDirectory(Path directory) {
        if (!Files.isDirectory(directory)) {
            return;
        }
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Fsync.directory(directory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot empty " + directory + " to reopen its partition from the bucket", e);
        }
    }
}
