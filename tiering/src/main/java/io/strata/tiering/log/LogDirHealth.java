package io.strata.tiering.log;

import io.strata.index.IndexStoreException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether one log directory, and each partition in it, can still be served after storage failures,
 * as Kafka's log-directory failure handling decides it:
 * <ul>
 *   <li>a failed fsync (of a segment, of a directory, or of the RocksDB write-ahead log) or any
 *       failed RocksDB write takes the whole directory offline: the kernel may have dropped pages it
 *       could not write, and the index store is shared by every partition of the directory;</li>
 *   <li>any other I/O error on a partition's segment files (a failed write, read or truncation)
 *       takes that partition offline.</li>
 * </ul>
 * Offline is final until the broker restarts (and, the shutdown being unclean, re-validates the
 * logs): appends and reads of an offline partition fail with {@link StorageOfflineException}
 * ({@code KAFKA_STORAGE_ERROR}) while everything else is served. Each transition logs one ERROR
 * line. Thread-safe.
 */
public final class LogDirHealth {

    private static final Logger LOGGER = LoggerFactory.getLogger(LogDirHealth.class);

    private final Path directory;
    private final AtomicReference<String> directoryFailure = new AtomicReference<>();
    private final Map<TopicPartition, String> offlinePartitions = new ConcurrentHashMap<>();

    public LogDirHealth(Path directory) {
        this.directory = directory;
    }

    /**
     * Records that {@code action} on {@code tp} failed with {@code cause}, taking the partition or the
     * directory offline.
     *
     * @return the exception to answer the caller with
     */
    public StorageOfflineException failed(TopicPartition tp, String action, Throwable cause) {
        String what = "Could not " + action + " " + tp + ": " + cause.getMessage();
        if (Fsync.isSyncFailure(cause) || cause instanceof IndexStoreException) {
            if (directoryFailure.compareAndSet(null, what)) {
                LOGGER.error("Log directory {} is offline: {}. Every partition in it answers KAFKA_STORAGE_ERROR"
                        + " until the broker is restarted", directory, what);
            }
        } else if (offlinePartitions.putIfAbsent(tp, what) == null) {
            LOGGER.error("Partition {} is offline: {}. It answers KAFKA_STORAGE_ERROR until the broker is restarted",
                    tp, what);
        }
        return new StorageOfflineException(what, cause);
    }

    /** Takes the directory offline because of a failure that concerns no one partition. */
    public void failed(String action, Throwable cause) {
        String what = "Could not " + action + ": " + cause.getMessage();
        if (directoryFailure.compareAndSet(null, what)) {
            LOGGER.error("Log directory {} is offline: {}. Every partition in it answers KAFKA_STORAGE_ERROR"
                    + " until the broker is restarted", directory, what);
        }
    }

    /** @throws StorageOfflineException when {@code tp} or the directory is offline */
    public void check(TopicPartition tp) {
        String failure = directoryFailure.get();
        if (failure != null) {
            throw new StorageOfflineException("Log directory " + directory + " is offline (" + failure + ")");
        }
        failure = offlinePartitions.get(tp);
        if (failure != null) {
            throw new StorageOfflineException("Partition " + tp + " is offline (" + failure + ")");
        }
    }

    public boolean online() {
        return directoryFailure.get() == null;
    }

    public boolean online(TopicPartition tp) {
        return online() && !offlinePartitions.containsKey(tp);
    }

    /** Why the directory is offline, when it is. */
    public Optional<String> directoryFailure() {
        return Optional.ofNullable(directoryFailure.get());
    }

    /** 1 when the directory is offline, else 0 (Kafka's {@code OfflineLogDirectoryCount}). */
    public int offlineLogDirectoryCount() {
        return online() ? 0 : 1;
    }

    /** Partitions taken offline one by one (the whole directory being offline is counted apart). */
    public int offlinePartitionCount() {
        return offlinePartitions.size();
    }

    /** Forgets a deleted partition. */
    public void forget(TopicPartition tp) {
        offlinePartitions.remove(tp);
    }

    public Path directory() {
        return directory;
    }
}
