package io.strata.index;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;

/** Opens a fresh store in a temporary directory per test and offers raw access to its column families. */
abstract class IndexStoreTestSupport {

    static final HexFormat HEX = HexFormat.of().withUpperCase();

    /** A topic with distinct bytes everywhere, for the ordinary cases. */
    static final UUID TOPIC = new UUID(0x0102030405060708L, 0x1112131415161718L);
    static final UUID OTHER_TOPIC = new UUID(0x0102030405060708L, 0x1112131415161719L);
    static final UUID ALL_FF_TOPIC = new UUID(-1L, -1L);

    static final PartitionKey P0 = new PartitionKey(TOPIC, 0);
    static final PartitionKey P1 = new PartitionKey(TOPIC, 1);

    @TempDir
    Path tempDir;

    RocksDbIndexStore store;

    Path dbDir() {
        return tempDir.resolve("index");
    }

    @BeforeEach
    void openStore() {
        store = RocksDbIndexStore.open(dbDir());
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    /** Closes the store and opens it again on the same directory. */
    void reopen() {
        store.close();
        store = RocksDbIndexStore.open(dbDir());
    }

    /** Applies {@code writes} in one batch committed without sync. */
    void write(Consumer<IndexBatch> writes) {
        try (IndexBatch batch = store.newBatch()) {
            writes.accept(batch);
            batch.commit(false);
        }
    }

    /** Every raw entry of a column family as upper-case hex key -> hex value, in key order; the store stays open afterwards. */
    Map<String, String> rawEntries(String family) {
        Map<String, String> entries = new LinkedHashMap<>();
        withRawFamily(family, (db, handle) -> {
            try (RocksIterator it = db.newIterator(handle)) {
                for (it.seekToFirst(); it.isValid(); it.next()) {
                    entries.put(HEX.formatHex(it.key()), HEX.formatHex(it.value()));
                }
            }
        });
        return entries;
    }

    /** Writes one raw entry behind the typed stores' back (to plant corrupt values); the store stays open afterwards. */
    void rawPut(String family, byte[] key, byte[] value) {
        withRawFamily(family, (db, handle) -> {
            try {
                db.put(handle, key, value);
            } catch (RocksDBException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private interface RawAccess {
        void apply(RocksDB db, ColumnFamilyHandle handle);
    }

    private void withRawFamily(String family, RawAccess access) {
        store.close();
        store = null;
        List<String> names = new ArrayList<>(List.of("default"));
        names.addAll(RocksDbIndexStore.FAMILIES);
        List<ColumnFamilyHandle> handles = new ArrayList<>();
        try (ColumnFamilyOptions cfOptions = new ColumnFamilyOptions(); DBOptions dbOptions = new DBOptions()) {
            List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
            for (String name : names) {
                descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfOptions));
            }
            try (RocksDB db = RocksDB.open(dbOptions, dbDir().toString(), descriptors, handles)) {
                access.apply(db, handles.get(names.indexOf(family)));
                db.syncWal();
            } finally {
                handles.forEach(ColumnFamilyHandle::close);
            }
        } catch (RocksDBException e) {
            throw new IllegalStateException(e);
        }
        store = RocksDbIndexStore.open(dbDir());
    }
}
