package io.strata.tiering.wal;

import io.strata.index.PartitionKey;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.WalRange;
import io.strata.objectstore.ObjectStore;
import io.strata.tiering.WalTail;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * Reads a partition's committed write-ahead-log tail: the ranges its {@link Ranges} list (the metadata database's
 * {@link MetadataStore#walRanges} in a cluster, the bucket's own {@link WalChain} in single-broker mode), each with
 * one ranged GET of its object, all GETs at once, returned in offset order. A range shorter in the bucket than
 * recorded is an error (the object was damaged or deleted early).
 */
public final class WalReader implements WalTail {

    /** Where a partition's committed ranges are recorded. */
    @FunctionalInterface
    public interface Ranges {
        /** The committed ranges of {@code partition} that end above {@code fromOffset}, in offset order. Blocking. */
        List<WalRange> walRanges(TopicPartitionId partition, long fromOffset);
    }

    private final Ranges ranges;
    private final ObjectStore store;

    public WalReader(Ranges ranges, ObjectStore store) {
        this.ranges = ranges;
        this.store = store;
    }

    @Override
    public List<MemoryRecords> read(PartitionKey partition, long fromOffset) {
        List<WalRange> ranges = this.ranges.walRanges(
                new TopicPartitionId(partition.topicId(), partition.partition()), fromOffset);
        List<CompletableFuture<ByteBuffer>> reads = new ArrayList<>(ranges.size());
        for (WalRange range : ranges) {
            reads.add(store.getRange(range.objectKey(), range.position(), range.length()));
        }
        List<MemoryRecords> tail = new ArrayList<>(ranges.size());
        for (int i = 0; i < ranges.size(); i++) {
            ByteBuffer bytes = reads.get(i).join();
            WalRange range = ranges.get(i);
            if (bytes.remaining() != range.length()) {
                throw new IllegalStateException("WAL object " + range.objectKey() + " holds " + bytes.remaining()
                        + " bytes at " + range.position() + " where offsets " + range.baseOffset() + " to "
                        + (range.endOffset() - 1) + " of " + range.partition() + " should be (" + range.length()
                        + " bytes)");
            }
            tail.add(MemoryRecords.readableRecords(bytes));
        }
        return tail;
    }
}
