package io.strata.tiering.log;

import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Records;

/**
 * What a fetch read from one partition.
 *
 * @param records        whole record batches starting at or before the fetch offset (the last one may be
 *                       cut short by the byte limit, as Kafka does; clients drop the partial batch): bytes in
 *                       memory, or (for the zero-copy fetch path) a slice of a segment file that the response
 *                       sends straight from the page cache
 * @param highWatermark  the offset after the last acknowledged record
 * @param logStartOffset the first readable offset
 */
public record FetchResult(Records records, long highWatermark, long logStartOffset) {

    /** The records when they are in memory ({@link PartitionLog#read} always returns them so). */
    public MemoryRecords memoryRecords() {
        if (records instanceof MemoryRecords memory) {
            return memory;
        }
        throw new IllegalStateException("the records are a file slice, not in memory: " + records);
    }
}
