package io.strata.index;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.Slice;

/** Reads and writes shared by the typed stores of one column family. Thread-safe. */
abstract class ColumnFamilyStore {

    protected final RocksDbIndexStore store;
    protected final ColumnFamilyHandle family;

    ColumnFamilyStore(RocksDbIndexStore store, ColumnFamilyHandle family) {
        this.store = store;
        this.family = family;
    }

    protected Optional<byte[]> get(byte[] key) {
        try {
            return Optional.ofNullable(store.db().get(family, key));
        } catch (RocksDBException e) {
            throw new IndexStoreException("cannot read " + name() + ": " + e.getMessage(), e);
        }
    }

    /** Writes one entry at once, outside any batch. */
    protected void putNow(byte[] key, byte[] value, boolean sync) {
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(family, key, value);
            store.write(batch, sync);
        } catch (RocksDBException e) {
            throw new IndexStoreException("cannot write " + name() + ": " + e.getMessage(), e);
        }
    }

    /** The greatest entry whose key is {@code <= key} and starts with {@code prefix}, decoded. */
    protected <T> Optional<T> floor(byte[] prefix, byte[] key, BiFunction<byte[], byte[], T> decoder) {
        try (ReadOptions options = new ReadOptions(); RocksIterator it = store.db().newIterator(family, options)) {
            it.seekForPrev(key);
            if (it.isValid() && Keys.startsWith(it.key(), prefix)) {
                return Optional.of(decoder.apply(it.key(), it.value()));
            }
            checkStatus(it);
            return Optional.empty();
        }
    }

    /** The least entry whose key is {@code >= key} and starts with {@code prefix}, decoded. */
    protected <T> Optional<T> ceiling(byte[] prefix, byte[] key, BiFunction<byte[], byte[], T> decoder) {
        try (ReadOptions options = new ReadOptions(); RocksIterator it = store.db().newIterator(family, options)) {
            it.seek(key);
            if (it.isValid() && Keys.startsWith(it.key(), prefix)) {
                return Optional.of(decoder.apply(it.key(), it.value()));
            }
            checkStatus(it);
            return Optional.empty();
        }
    }

    /** Every entry whose key starts with {@code prefix}, in key order, decoded. */
    protected <T> List<T> scan(byte[] prefix, BiFunction<byte[], byte[], T> decoder) {
        List<T> result = new ArrayList<>();
        try (Slice upper = new Slice(Keys.increment(prefix));
             ReadOptions options = new ReadOptions().setIterateUpperBound(upper);
             RocksIterator it = store.db().newIterator(family, options)) {
            for (it.seek(prefix); it.isValid(); it.next()) {
                result.add(decoder.apply(it.key(), it.value()));
            }
            checkStatus(it);
        }
        return result;
    }

    /** Every entry of the column family, in key order, decoded. */
    protected <T> List<T> scanAll(BiFunction<byte[], byte[], T> decoder) {
        List<T> result = new ArrayList<>();
        try (ReadOptions options = new ReadOptions(); RocksIterator it = store.db().newIterator(family, options)) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                result.add(decoder.apply(it.key(), it.value()));
            }
            checkStatus(it);
        }
        return result;
    }

    private void checkStatus(RocksIterator it) {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw new IndexStoreException("cannot iterate " + name() + ": " + e.getMessage(), e);
        }
    }

    /** The column family's name, for messages. */
    protected abstract String name();
}
