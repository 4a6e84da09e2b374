package io.strata.broker.group;

import io.strata.index.RocksDbIndexStore;
import io.strata.metadata.MetadataStore;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** {@link MetadataOffsetStorage} over the embedded metadata store (RocksDB). */
class RocksDbMetadataOffsetStorageTest extends MetadataOffsetStorageContractTest {

    @TempDir
    Path dir;

    private RocksDbIndexStore database;

    @Override
    protected MetadataStore newStore() {
        database = RocksDbIndexStore.open(dir.resolve("index"));
        return database.metadata();
    }

    @AfterEach
    void closeDatabase() {
        database.close();
    }
}
