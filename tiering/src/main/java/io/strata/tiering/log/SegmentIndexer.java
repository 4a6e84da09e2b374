package io.strata.tiering.log;

import io.strata.index.IndexBatch;
import io.strata.index.PartitionKey;
import io.strata.index.RocksDbIndexStore;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Decides which appended batches get offset and time index entries (one per
 * {@code index.interval.bytes}, plus the first batch of every segment). The same logic serves appends and
 * recovery, so a rebuilt index equals the original.
 *
 * <p>Recovery adds the entries straight to its write batch ({@link #onBatch(IndexBatch, long, int, RecordBatch)}).
 * An append only keeps them in memory ({@link #onBatch(long, int, RecordBatch)}, {@link #pending}): the log
 * writes them to RocksDB in one batch with its next checkpoint, roll or close, before it deletes index ranges,
 * and once {@link #MAX_PENDING_ENTRIES} are waiting. A crash loses none that matter: the checkpoint that
 * moves the recovery point past an entry writes it first, and recovery re-indexes everything above the
 * recovery point.
 *
 * <p>Not thread-safe: used under the partition's append lock or by recovery before the log opens (the
 * pending entries themselves may be read concurrently).
 */
final class SegmentIndexer {

    /**
     * The most entries kept in memory per partition before they are written (about 56 bytes each; with the
     * default {@code index.interval.bytes} of 4096, one per 4 KiB or larger batch appended).
     */
    static final int MAX_PENDING_ENTRIES = 2048;

    private final RocksDbIndexStore store;
    private final PartitionKey partition;
    private final PendingIndexEntries pending = new PendingIndexEntries();
    private int indexIntervalBytes;
    private long segmentBaseOffset = -1;
    private long bytesSinceLastEntry;
    private long runningMaxTimestamp = RecordBatch.NO_TIMESTAMP;

    SegmentIndexer(RocksDbIndexStore store, PartitionKey partition, int indexIntervalBytes) {
        this.store = store;
        this.partition = partition;
        this.indexIntervalBytes = indexIntervalBytes;
    }

    void setIndexIntervalBytes(int indexIntervalBytes) {
        this.indexIntervalBytes = indexIntervalBytes;
    }

    /** Sets the running maximum timestamp of everything below the next batch (recovery, open). */
    void resetRunningMaxTimestamp(long maxTimestamp) {
        this.runningMaxTimestamp = maxTimestamp;
    }

    long runningMaxTimestamp() {
        return runningMaxTimestamp;
    }

    /** The entries of appends not written to RocksDB yet; lookups merge them with RocksDB's. */
    PendingIndexEntries pending() {
        return pending;
    }

    /**
     * Where the indexer stands before the batch at {@code nextOffset}, to return to with {@link #rollBackTo}
     * when an append is undone.
     */
    Mark mark(long nextOffset) {
        return new Mark(segmentBaseOffset, bytesSinceLastEntry, runningMaxTimestamp, nextOffset);
    }

    /** Returns to {@code mark}, dropping the pending entries of the batches undone. */
    void rollBackTo(Mark mark) {
        segmentBaseOffset = mark.segmentBaseOffset();
        bytesSinceLastEntry = mark.bytesSinceLastEntry();
        runningMaxTimestamp = mark.runningMaxTimestamp();
        pending.dropFrom(mark.nextOffset());
    }

    /** A point to roll the indexer back to. */
    record Mark(long segmentBaseOffset, long bytesSinceLastEntry, long runningMaxTimestamp, long nextOffset) {
    }

    /** Accounts for one appended batch at {@code position} of segment {@code segmentBase}; its entries, if due, wait in memory. */
    void onBatch(long segmentBase, int position, RecordBatch batch) {
        if (due(segmentBase, batch)) {
            pending.add(new PendingIndexEntries.Entry(batch.baseOffset(), segmentBase, position, runningMaxTimestamp,
                    batch.lastOffset()));
        }
    }

    /** Accounts for one batch re-read by recovery, adding its entries, if due, to {@code writes}. */
    void onBatch(IndexBatch writes, long segmentBase, int position, RecordBatch batch) {
        if (due(segmentBase, batch)) {
            store.offsetIndex().put(writes, partition, batch.baseOffset(), segmentBase, position);
            store.timeIndex().put(writes, partition, runningMaxTimestamp, batch.lastOffset());
        }
    }

    /** Whether {@code batch} gets index entries; moves the running maximum and the interval count on. */
    private boolean due(long segmentBase, RecordBatch batch) {
        runningMaxTimestamp = Math.max(runningMaxTimestamp, batch.maxTimestamp());
        boolean due = segmentBase != segmentBaseOffset || bytesSinceLastEntry >= indexIntervalBytes;
        if (due) {
            segmentBaseOffset = segmentBase;
            bytesSinceLastEntry = 0;
        }
        bytesSinceLastEntry += batch.sizeInBytes();
        return due;
    }

    /** Whether as many entries wait as may: the append that added them writes them. */
    boolean pendingFull() {
        return pending.size() >= MAX_PENDING_ENTRIES;
    }

    /**
     * Adds the pending entries to {@code writes}; call {@link PendingWrite#committed} once the caller committed
     * {@code writes}, so that they leave memory (if the commit fails they stay, and are written again later).
     */
    PendingWrite addPendingTo(IndexBatch writes) {
        int count = pending.addTo(writes, store, partition);
        return () -> pending.written(count);
    }

    /** The pending entries, added to a write batch whose commit is the caller's. */
    @FunctionalInterface
    interface PendingWrite {
        void committed();
    }

    /** Writes the pending entries to RocksDB now (not synced: the next synced write makes them durable). */
    void writePending() {
        if (pending.size() == 0) {
            return;
        }
        try (IndexBatch writes = store.newBatch()) {
            PendingWrite write = addPendingTo(writes);
            writes.commit(false);
            write.committed();
        }
    }
}
