package io.strata.index;

/**
 * Durable per-partition positions.
 *
 * @param logStartOffset first offset a consumer may read; retention and DeleteRecords move it forward
 * @param recoveryPoint  every byte below this offset is fsynced, and the index entries and producer
 *                       snapshot below it are complete; recovery re-validates from here
 */
public record PartitionState(long logStartOffset, long recoveryPoint) {
}
