package io.strata.tiering.log;

import io.strata.index.IndexBatch;
import io.strata.index.PartitionKey;
import io.strata.index.RocksDbIndexStore;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Decides which appended batches get offset and time index entries (one per
 * {@code index.interval.bytes}, plus the first batch of every segment) and adds them to a write
 * batch. The same logic serves appends and recovery, so a rebuilt index equals the original.
 * Not thread-safe: used under the partition's append lock or by recovery before the log opens.
 */
final class SegmentIndexer {

    private final RocksDbIndexStore store;
    private final PartitionKey partition;
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

    /** Where the indexer stands now, to return to with {@link #rollBackTo} when an append is undone. */
    Mark mark() {
        return new Mark(segmentBaseOffset, bytesSinceLastEntry, runningMaxTimestamp);
    }

    void rollBackTo(Mark mark) {
        segmentBaseOffset = mark.segmentBaseOffset();
        bytesSinceLastEntry = mark.bytesSinceLastEntry();
        runningMaxTimestamp = mark.runningMaxTimestamp();
    }

    /** A point to roll the indexer back to. */
    record Mark(long segmentBaseOffset, long bytesSinceLastEntry, long runningMaxTimestamp) {
    }

    /** Accounts for one batch at {@code position} of segment {@code segmentBaseOffset}, indexing it if due. */
    void onBatch(IndexBatch writes, long segmentBase, int position, RecordBatch batch) {
        runningMaxTimestamp = Math.max(runningMaxTimestamp, batch.maxTimestamp());
        if (segmentBase != segmentBaseOffset || bytesSinceLastEntry >= indexIntervalBytes) {
            store.offsetIndex().put(writes, partition, batch.baseOffset(), segmentBase, position);
            store.timeIndex().put(writes, partition, runningMaxTimestamp, batch.lastOffset());
            segmentBaseOffset = segmentBase;
            bytesSinceLastEntry = 0;
        }
        bytesSinceLastEntry += batch.sizeInBytes();
    }
}
