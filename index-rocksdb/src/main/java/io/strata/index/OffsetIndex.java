package io.strata.index;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;

/**
 * The sparse offset index of every partition: maps the base offset of some record batches to their
 * segment and byte position, one entry per {@code index.interval.bytes} of appended data (Kafka's
 * idea), so that a lookup is one RocksDB seek followed by a short forward scan of batch headers.
 *
 * <p>Key layout (28 bytes): {@link PartitionKey} prefix (20 bytes) + batch base offset (8 bytes,
 * big-endian; offsets are never negative so byte order is numeric order). Value (12 bytes): segment
 * base offset (8 bytes) + byte position in that segment (4 bytes). Example: topic id {@code t},
 * partition 0, batch at offset 4096 at byte 1048576 of segment 0 is
 * {@code [t][00000000][0000000000001000] -> [0000000000000000][00100000]}.
 *
 * <p>Thread-safe.
 */
public final class OffsetIndex extends ColumnFamilyStore {

    OffsetIndex(RocksDbIndexStore store, ColumnFamilyHandle family) {
        super(store, family);
    }

    private static byte[] key(PartitionKey partition, long offset) {
        ByteBuffer key = partition.keyWithSuffix(Long.BYTES);
        key.putLong(offset);
        return key.array();
    }

    private static OffsetPosition decode(byte[] key, byte[] value) {
        long offset = ByteBuffer.wrap(key, PartitionKey.LENGTH, Long.BYTES).getLong();
        ByteBuffer v = ByteBuffer.wrap(value);
        return new OffsetPosition(offset, v.getLong(), v.getInt());
    }

    /** Adds an entry for the batch starting at {@code offset}. */
    public void put(IndexBatch batch, PartitionKey partition, long offset, long segmentBaseOffset, int position) {
        ByteBuffer value = ByteBuffer.allocate(Long.BYTES + Integer.BYTES);
        value.putLong(segmentBaseOffset).putInt(position);
        batch.put(family, key(partition, offset), value.array());
    }

    /** The entry with the greatest offset {@code <= offset}: where to start scanning for {@code offset}. */
    public Optional<OffsetPosition> floor(PartitionKey partition, long offset) {
        return floor(partition.prefix(), key(partition, offset), OffsetIndex::decode);
    }

    /** The entry with the least offset {@code >= offset}. */
    public Optional<OffsetPosition> ceiling(PartitionKey partition, long offset) {
        return ceiling(partition.prefix(), key(partition, offset), OffsetIndex::decode);
    }

    /** Removes every entry with offset {@code >= fromOffset} (truncation, recovery). */
    public void deleteFrom(IndexBatch batch, PartitionKey partition, long fromOffset) {
        batch.deleteRange(family, key(partition, fromOffset), partition.prefixUpperBound());
    }

    /** Removes every entry with offset {@code < toOffset} (retention of whole segments). */
    public void deleteBelow(IndexBatch batch, PartitionKey partition, long toOffset) {
        batch.deleteRange(family, partition.prefix(), key(partition, toOffset));
    }

    @Override
    protected String name() {
        return RocksDbIndexStore.CF_OFFSET_INDEX;
    }
}
