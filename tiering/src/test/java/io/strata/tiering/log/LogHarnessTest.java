package io.strata.tiering.log;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Base of the tests that drive one {@link PartitionLog}: a fresh {@link LogHarness} per test, closed after it. */
abstract class LogHarnessTest {

    @TempDir
    Path tempDir;
    LogHarness harness;

    @BeforeEach
    void openHarness() {
        harness = new LogHarness(tempDir);
    }

    @AfterEach
    void closeHarness() throws Exception {
        harness.close();
    }
}
