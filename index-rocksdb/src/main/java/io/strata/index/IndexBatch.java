package io.strata.index;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * A set of index writes applied atomically. The typed stores add to it; {@link #commit(boolean)} applies it.
 * Not thread-safe: one batch belongs to one writer.
 */
public final class IndexBatch implements AutoCloseable {

    private final RocksDbIndexStore store;
    private final WriteBatch batch = new WriteBatch();

    IndexBatch(RocksDbIndexStore store) {
        this.store = store;
    }

    void put(ColumnFamilyHandle family, byte[] key, byte[] value) {
        try {
            batch.put(family, key, value);
        } catch (RocksDBException e) {
            throw new IndexStoreException("cannot add a put to the write batch", e);
        }
    }

    void delete(ColumnFamilyHandle family, byte[] key) {
        try {
            batch.delete(family, key);
        } catch (RocksDBException e) {
            throw new IndexStoreException("cannot add a delete to the write batch", e);
        }
    }

    void deleteRange(ColumnFamilyHandle family, byte[] fromInclusive, byte[] toExclusive) {
        try {
            batch.deleteRange(family, fromInclusive, toExclusive);
        } catch (RocksDBException e) {
            throw new IndexStoreException("cannot add a range delete to the write batch", e);
        }
    }

    /** Number of writes in the batch. */
    public int size() {
        return batch.count();
    }

    /** Applies the batch atomically; with {@code sync} the write-ahead log is fsynced before returning. */
    public void commit(boolean sync) {
        if (batch.count() == 0 && !sync) {
            return;
        }
        try {
            store.write(batch, sync);
            batch.clear();
        } catch (RocksDBException e) {
            throw new IndexStoreException("cannot write index batch: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        batch.close();
    }
}
