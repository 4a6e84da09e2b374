package io.strata.index;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;

/**
 * The per-partition list of segments in the bucket, ordered by base offset. A segment may be listed
 * here and in the local {@link SegmentCatalog} at once (uploaded, local copy not yet deleted).
 *
 * <p>Key layout (28 bytes): {@link PartitionKey} prefix (20 bytes) + segment base offset (8 bytes,
 * big-endian). Value layout (58 bytes, version 1), big-endian:
 * <pre>
 *   version:1 (=1) | state:1 ({@link RemoteSegmentState#code()}) | nextOffset:8 | sizeBytes:8
 *   | firstTimestamp:8 | maxTimestamp:8 | offsetOfMaxTimestamp:8 | crc32c:4 | uploadedMs:8
 * </pre>
 * Example: segment 0..999 of partition {@code p}, 1 MiB, uploaded and listed in the manifest:
 * {@code [p][0000000000000000] -> 01 01 00000000000003E8 0000000000100000 ...}.
 *
 * <p>Thread-safe.
 */
public final class RemoteSegmentStore extends ColumnFamilyStore {

    private static final byte VERSION = 1;
    private static final int VALUE_LENGTH = 2 + 6 * Long.BYTES + Integer.BYTES;

    RemoteSegmentStore(RocksDbIndexStore store, ColumnFamilyHandle family) {
        super(store, family);
    }

    private static byte[] key(PartitionKey partition, long baseOffset) {
        ByteBuffer key = partition.keyWithSuffix(Long.BYTES);
        key.putLong(baseOffset);
        return key.array();
    }

    static byte[] encode(RemoteSegment segment) {
        ByteBuffer value = ByteBuffer.allocate(VALUE_LENGTH);
        value.put(VERSION)
                .put(segment.state().code())
                .putLong(segment.nextOffset())
                .putLong(segment.sizeBytes())
                .putLong(segment.firstTimestamp())
                .putLong(segment.maxTimestamp())
                .putLong(segment.offsetOfMaxTimestamp())
                .putInt(segment.crc32c())
                .putLong(segment.uploadedMs());
        return value.array();
    }

    static RemoteSegment decode(byte[] key, byte[] value) {
        long baseOffset = ByteBuffer.wrap(key, PartitionKey.LENGTH, Long.BYTES).getLong();
        ByteBuffer v = ByteBuffer.wrap(value);
        byte version = v.get();
        if (version != VERSION) {
            throw new IndexStoreException("unsupported remote segment record version " + version);
        }
        RemoteSegmentState state = RemoteSegmentState.fromCode(v.get());
        return new RemoteSegment(baseOffset, v.getLong(), v.getLong(), v.getLong(), v.getLong(), v.getLong(),
                v.getInt(), v.getLong(), state);
    }

    public void put(IndexBatch batch, PartitionKey partition, RemoteSegment segment) {
        batch.put(family, key(partition, segment.baseOffset()), encode(segment));
    }

    public void delete(IndexBatch batch, PartitionKey partition, long baseOffset) {
        batch.delete(family, key(partition, baseOffset));
    }

    /** Every remote segment of the partition, oldest first, whatever its state. */
    public List<RemoteSegment> list(PartitionKey partition) {
        return scan(partition.prefix(), RemoteSegmentStore::decode);
    }

    /** The segment with the greatest base offset {@code <= offset}. */
    public Optional<RemoteSegment> floor(PartitionKey partition, long offset) {
        return floor(partition.prefix(), key(partition, offset), RemoteSegmentStore::decode);
    }

    void deletePartition(IndexBatch batch, PartitionKey partition) {
        batch.deleteRange(family, partition.prefix(), partition.prefixUpperBound());
    }

    @Override
    protected String name() {
        return RocksDbIndexStore.CF_REMOTE_SEGMENTS;
    }
}
