package io.strata.tiering.log;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tests that drive one {@link PartitionLog}: a fresh {@link LogHarness} per test, closed after it, whose
 * RocksDB writes {@link #rocksDb} counts (and fails on demand).
 */
abstract class LogHarnessTest {

    @TempDir
    Path tempDir;
    final RocksDbWrites rocksDb = new RocksDbWrites();
    LogHarness harness;

    @BeforeEach
    void openHarness() {
        harness = new LogHarness(tempDir, rocksDb);
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }
}
