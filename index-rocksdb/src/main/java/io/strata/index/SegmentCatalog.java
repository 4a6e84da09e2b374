package io.strata.index;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;

/**
 * The per-partition list of segments, ordered by base offset.
 *
 * <p>Key layout (28 bytes): {@link PartitionKey} prefix (20 bytes) + segment base offset (8 bytes,
 * big-endian). Value layout (42 bytes, version 1):
 * <pre>
 *   version:1 (=1) | state:1 ({@link SegmentState#code()}) | nextOffset:8 | sizeBytes:8
 *   | maxTimestamp:8 | offsetOfMaxTimestamp:8 | createdMs:8
 * </pre>
 * Example: a sealed segment of partition {@code p} from offset 0 to 999 (1 MiB, newest record at
 * 1700000000000 at offset 998, created at 1700000001000) is
 * {@code [p][0000000000000000] -> 01 01 00000000000003E8 0000000000100000 0000018BCFE56800
 * 00000000000003E6 0000018BCFE56BE8}.
 *
 * <p>Thread-safe.
 */
public final class SegmentCatalog extends ColumnFamilyStore {

    private static final byte VERSION = 1;
    private static final int VALUE_LENGTH = 2 + 5 * Long.BYTES;

    SegmentCatalog(RocksDbIndexStore store, ColumnFamilyHandle family) {
        super(store, family);
    }

    private static byte[] key(PartitionKey partition, long baseOffset) {
        ByteBuffer key = partition.keyWithSuffix(Long.BYTES);
        key.putLong(baseOffset);
        return key.array();
    }

    static byte[] encode(SegmentRecord segment) {
        ByteBuffer value = ByteBuffer.allocate(VALUE_LENGTH);
        value.put(VERSION)
                .put(segment.state().code())
                .putLong(segment.nextOffset())
                .putLong(segment.sizeBytes())
                .putLong(segment.maxTimestamp())
                .putLong(segment.offsetOfMaxTimestamp())
                .putLong(segment.createdMs());
        return value.array();
    }

    static SegmentRecord decode(byte[] key, byte[] value) {
        long baseOffset = ByteBuffer.wrap(key, PartitionKey.LENGTH, Long.BYTES).getLong();
        ByteBuffer v = ByteBuffer.wrap(value);
        byte version = v.get();
        if (version != VERSION) {
            throw new IndexStoreException("unsupported segment record version " + version);
        }
        SegmentState state = SegmentState.fromCode(v.get());
        return new SegmentRecord(baseOffset, v.getLong(), v.getLong(), v.getLong(), v.getLong(), v.getLong(), state);
    }

    public void put(IndexBatch batch, PartitionKey partition, SegmentRecord segment) {
        batch.put(family, key(partition, segment.baseOffset()), encode(segment));
    }

    public void delete(IndexBatch batch, PartitionKey partition, long baseOffset) {
        batch.delete(family, key(partition, baseOffset));
    }

    /** Every segment of the partition, oldest first. */
    public List<SegmentRecord> list(PartitionKey partition) {
        return scan(partition.prefix(), SegmentCatalog::decode);
    }

    /** The segment with the greatest base offset {@code <= offset}: the one that would hold {@code offset}. */
    public Optional<SegmentRecord> floor(PartitionKey partition, long offset) {
        return floor(partition.prefix(), key(partition, offset), SegmentCatalog::decode);
    }

    void deletePartition(IndexBatch batch, PartitionKey partition) {
        batch.deleteRange(family, partition.prefix(), partition.prefixUpperBound());
    }

    @Override
    protected String name() {
        return RocksDbIndexStore.CF_SEGMENTS;
    }
}
