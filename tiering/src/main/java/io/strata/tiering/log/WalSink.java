package io.strata.tiering.log;

import java.nio.ByteBuffer;
import java.util.List;
import org.apache.kafka.common.record.RecordBatch;

/**
 * Where a partition log hands what it appended when a write-ahead log is on ({@link PartitionLog#attachWal}): the
 * broker's WAL writer. Called under the log's append lock, so one partition's appends arrive in offset order.
 */
public interface WalSink {

    /**
     * Refuses an append before it is written locally, with a retriable Kafka error, when the write-ahead log cannot
     * take more now.
     */
    void checkAdmits(PartitionLog log);

    /**
     * {@code batches} ({@code bytes}, valid only during the call) were appended to {@code log} at offsets
     * {@code baseOffset} to {@code endOffset} (exclusive) at {@code leaderEpoch}; the sink reports their commit to
     * {@link PartitionLog#onCommitted} or their failure to {@link PartitionLog#onCommitFailed}.
     */
    void appended(PartitionLog log, int leaderEpoch, long baseOffset, long endOffset, ByteBuffer bytes,
                  List<? extends RecordBatch> batches);

    /**
     * The most bytes a partition's active segment may hold while its records are in the write-ahead log only: a
     * fuller one rolls (then it is uploaded, which releases its WAL ranges), so a new leader never reads more than
     * this from the WAL, and WAL objects are not kept for a partition that writes slowly (CLUSTER.md rule 11).
     */
    default long tailMaxBytes() {
        return Long.MAX_VALUE;
    }

    /** As {@link #tailMaxBytes}, for the age of the active segment in milliseconds. */
    default long tailMaxMs() {
        return Long.MAX_VALUE;
    }
}
