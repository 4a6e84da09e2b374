package io.strata.tiering.log;

import org.apache.kafka.common.record.MemoryRecords;

/**
 * What a fetch read from one partition.
 *
 * @param records        whole record batches starting at or before the fetch offset (the last one may be
 *                       cut short by the byte limit, as Kafka does; clients drop the partial batch)
 * @param highWatermark  the offset after the last acknowledged record
 * @param logStartOffset the first readable offset
 */
public record FetchResult(MemoryRecords records, long highWatermark, long logStartOffset) {
}
