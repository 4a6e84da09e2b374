package io.strata.tiering.log;

import io.strata.index.IndexBatch;
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
import org.apache.kafka.common.errors.KafkaStorageException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's durability bookkeeping: fsyncs of sealed or flushed segments, run one after the other
 * on a background pool, each followed by a synced RocksDB checkpoint of the recovery point (everything
 * below it is on disk) and of the producer state at that point. The partition's {@link PartitionState}
 * row is written only here, so its log start offset and recovery point never overwrite each other.
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
    private final Object lock = new Object();
    private long recoveryPoint;
    private volatile CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);

    LogCheckpointer(TopicPartition topicPartition, PartitionKey key, RocksDbIndexStore store, Executor background,
                    LongSupplier logStartOffset, long recoveryPoint) {
        this.topicPartition = topicPartition;
        this.key = key;
        this.store = store;
        this.background = background;
        this.logStartOffset = logStartOffset;
        this.recoveryPoint = recoveryPoint;
    }

    /** Queues an fsync of {@code toFlush} followed by a checkpoint at {@code newRecoveryPoint} with {@code producers}. */
    void schedule(List<LogSegment> toFlush, long newRecoveryPoint, List<ProducerStateEntry> producers) {
        pending = pending.thenRunAsync(() -> flushAndCheckpoint(toFlush, newRecoveryPoint, producers), background)
                .exceptionally(e -> {
                    LOGGER.error("Background flush of {} failed: {}", topicPartition, e.getMessage());
                    return null;
                });
    }

    /** Waits for every queued fsync and checkpoint. */
    void awaitPending() {
        pending.join();
    }

    /** Adds the partition's state row with {@code newLogStartOffset} to {@code writes} and commits it synced. */
    void commitLogStart(IndexBatch writes, long newLogStartOffset) {
        synchronized (lock) {
            store.partitionStates().put(writes, key, new PartitionState(newLogStartOffset, recoveryPoint));
            writes.commit(true);
        }
    }

    private void flushAndCheckpoint(List<LogSegment> toFlush, long newRecoveryPoint, List<ProducerStateEntry> producers) {
        try {
            for (LogSegment segment : toFlush) {
                segment.flush();
            }
        } catch (IOException e) {
            throw new KafkaStorageException("Could not flush " + topicPartition + ": " + e.getMessage(), e);
        }
        synchronized (lock) {
            if (newRecoveryPoint < recoveryPoint) {
                return;
            }
            try (IndexBatch writes = store.newBatch()) {
                store.partitionStates().put(writes, key, new PartitionState(logStartOffset.getAsLong(), newRecoveryPoint));
                store.producerStates().replaceAll(writes, key, producers);
                writes.commit(true);
            }
            recoveryPoint = newRecoveryPoint;
        }
    }
}
