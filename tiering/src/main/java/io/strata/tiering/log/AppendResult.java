package io.strata.tiering.log;

import org.apache.kafka.common.record.RecordBatch;

/**
 * The outcome of a successful append.
 *
 * @param firstOffset    offset of the first appended record ({@code -1} when nothing was appended)
 * @param lastOffset     offset of the last appended record
 * @param logAppendTimeMs the broker time stamped on the batches under LogAppendTime, else {@code -1}
 * @param logStartOffset the partition's log start offset after the append
 * @param duplicate      true when the batch was a retried duplicate answered with its original offsets
 */
public record AppendResult(long firstOffset, long lastOffset, long logAppendTimeMs, long logStartOffset,
                           boolean duplicate) {

    static AppendResult empty(long logStartOffset) {
        return new AppendResult(-1, -1, RecordBatch.NO_TIMESTAMP, logStartOffset, false);
    }
}
