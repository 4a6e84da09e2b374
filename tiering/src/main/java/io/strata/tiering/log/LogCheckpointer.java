package io.strata.tiering.log;

import io.strata.index.IndexBatch;
import io.strata.index.IndexStoreException;
import io.strata.index.PartitionKey;
import io.strata.index.PartitionState;
import io.strata.index.ProducerStateEntry;
import io.strata.index.RocksDbIndexStore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's durability bookkeeping: fsyncs of sealed or flushed segments, run one after the other
 * on a background pool, each followed by a synced RocksDB checkpoint of the recovery point (everything
 * below it is on disk) and of the producer state at that point. The partition's {@link PartitionState}
 * row is written only here, so its log start offset and recovery point never overwrite each other.
 *
 * <p>Two rules keep a checkpoint honest. A failed fsync is final: it is reported (the log directory
 * goes offline), never retried, and no later checkpoint is written, so the recovery point never
 * passes data that may not be on disk. And the log start offset it writes never goes below one it
 * already made durable, so a checkpoint racing a DeleteRecords cannot undo it.
 * Thread-safe.
 */
final class LogCheckpointer {
    private static final Logger LOGGER = LoggerFactory.getLogger(LogCheckpointer.class);

    private final TopicPartition topicPartition;
    private final PartitionKey key;
    private final RocksDbIndexStore store;
    private final Executor background;
    /** The partition's current log start offset, written with every checkpoint. */
    private final LongSupplier logStartOffset;
    /** Told about a failed fsync or RocksDB write; nothing is checkpointed while the directory is offline. */
    private final LogDirHealth health;
    private final Object lock = new Object();
    private long recoveryPoint;
    /** The greatest log start offset made durable so far. */
    private long persistedLogStart;
    private volatile boolean failed;
    private volatile CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);

    LogCheckpointer(TopicPartition topicPartition, PartitionKey key, RocksDbIndexStore store, Executor background,
                    LongSupplier logStartOffset, long recoveryPoint, LogDirHealth health) {
        this.topicPartition = topicPartition;
        this.key = key;
        this.store = store;
        this.background = background;
        this.logStartOffset = logStartOffset;
        this.recoveryPoint = recoveryPoint;
        this.persistedLogStart = logStartOffset.getAsLong();
        this.health = health;
    }

    /** Queues an fsync of {@code toFlush} followed by a checkpoint at {@code newRecoveryPoint} with {@code producers}. */
    void schedule(List<LogSegment> toFlush, long newRecoveryPoint, List<ProducerStateEntry> producers) {
        pending = pending.thenRunAsync(() -> flushAndCheckpoint(toFlush, newRecoveryPoint, producers), background)
                .exceptionally(e -> {
                    LOGGER.error("Background flush of {} failed: {}", topicPartition, e.toString());
                    return null;
                });
    }

    /** Waits for every queued fsync and checkpoint. */
    void awaitPending() {
        pending.join();
    }

    /** The recovery point last made durable: everything below it is fsynced. */
    long recoveryPoint() {
        synchronized (lock) {
            return recoveryPoint;
        }
    }

    /** True once an fsync or a checkpoint failed; nothing is checkpointed after that. */
    boolean failed() {
        return failed;
    }

    /** Adds the partition's state row with {@code newLogStartOffset} to {@code writes} and commits it synced. */
    void commitLogStart(IndexBatch writes, long newLogStartOffset) {
        synchronized (lock) {
            long logStart = Math.max(persistedLogStart, newLogStartOffset);
            store.partitionStates().put(writes, key, new PartitionState(logStart, recoveryPoint));
            writes.commit(true);
            persistedLogStart = logStart;
        }
    }

    private void flushAndCheckpoint(List<LogSegment> toFlush, long newRecoveryPoint, List<ProducerStateEntry> producers) {
        if (failed || !health.online()) {
            return;
        }
        try {
            for (LogSegment segment : toFlush) {
                segment.flush();
            }
        } catch (IOException e) {
            fail("flush", e);
            return;
        }
        synchronized (lock) {
            if (newRecoveryPoint < recoveryPoint || failed || !health.online()) {
                return;
            }
            long logStart = Math.max(persistedLogStart, logStartOffset.getAsLong());
            try (IndexBatch writes = store.newBatch()) {
                store.partitionStates().put(writes, key, new PartitionState(logStart, newRecoveryPoint));
                store.producerStates().replaceAll(writes, key, producers);
                writes.commit(true);
            } catch (IndexStoreException e) {
                fail("checkpoint", e);
                return;
            }
            persistedLogStart = logStart;
            recoveryPoint = newRecoveryPoint;
        }
    }

    private void fail(String action, Exception e) {
        failed = true;
        health.failed(topicPartition, action, e);
    }
}
