package io.strata.index;

import java.nio.ByteBuffer;
import java.util.Optional;
import org.rocksdb.ColumnFamilyHandle;

/**
 * Per-partition durable positions ({@link PartitionState}).
 *
 * <p>Key layout (20 bytes): the {@link PartitionKey} prefix. Value layout (17 bytes, version 1):
 * {@code version:1 (=1) | logStartOffset:8 | recoveryPoint:8}, big-endian. Example: log start 0,
 * recovery point 5000 is {@code [p] -> 01 0000000000000000 0000000000001388}.
 *
 * <p>Thread-safe.
 */
public final class PartitionStateStore extends ColumnFamilyStore {

    private static final byte VERSION = 1;

    PartitionStateStore(RocksDbIndexStore store, ColumnFamilyHandle family) {
        super(store, family);
    }

    public void put(IndexBatch batch, PartitionKey partition, PartitionState state) {
        ByteBuffer value = ByteBuffer.allocate(1 + 2 * Long.BYTES);
        value.put(VERSION).putLong(state.logStartOffset()).putLong(state.recoveryPoint());
        batch.put(family, partition.prefix(), value.array());
    }

    public Optional<PartitionState> get(PartitionKey partition) {
        return get(partition.prefix()).map(bytes -> {
            ByteBuffer v = ByteBuffer.wrap(bytes);
            byte version = v.get();
            if (version != VERSION) {
                throw new IndexStoreException("unsupported partition state version " + version + " for " + partition);
            }
            return new PartitionState(v.getLong(), v.getLong());
        });
    }

    void delete(IndexBatch batch, PartitionKey partition) {
        batch.delete(family, partition.prefix());
    }

    @Override
    protected String name() {
        return RocksDbIndexStore.CF_PARTITION_STATE;
    }
}
