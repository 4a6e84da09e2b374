package io.strata.tiering;

import io.strata.index.PartitionKey;
import java.util.List;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * The committed tail of a partition that is in the write-ahead log and not yet in an uploaded segment: what a new
 * leader replays after it restored the partition's segments from the bucket ({@link PartitionReopen}).
 */
@FunctionalInterface
public interface WalTail {

    /** Without a write-ahead log there is no tail beyond the segments. */
    WalTail NONE = (partition, fromOffset) -> List.of();

    /** The committed batches of {@code partition} from {@code fromOffset} on, in offset order. Blocking. */
    List<MemoryRecords> read(PartitionKey partition, long fromOffset);
}
