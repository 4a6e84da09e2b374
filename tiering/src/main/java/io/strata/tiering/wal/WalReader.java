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
 * Reads a partition's committed write-ahead-log tail: the ranges the metadata database lists for it
 * ({@link MetadataStore#walRanges}), each with one ranged GET of its object, all GETs at once, returned in offset
 * order. A range shorter in the bucket than recorded is an error (the object was damaged or deleted early).
 */
public final class WalReader implements WalTail {

    private final MetadataStore metadata;
    private final ObjectStore store;

    public WalReader(MetadataStore metadata, ObjectStore store) {
        this.metadata = metadata;
        this.store = store;
    }

    @Override
    public List<MemoryRecords> read(PartitionKey partition, long fromOffset) {
        List<WalRange> ranges = metadata.walRanges(new TopicPartitionId(partition.topicId(), partition.partition()),
                fromOffset);
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
