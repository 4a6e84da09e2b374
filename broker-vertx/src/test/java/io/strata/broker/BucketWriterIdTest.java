package io.strata.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data directory's writer id: created once, the same after a restart, held by one broker at a time. */
class BucketWriterIdTest {

    @TempDir
    Path dataDir;

    @Test
    void theWriterIdIsCreatedOnceAndTheSameAfterARestart() throws Exception {
        String first;
        try (BucketWriterId id = BucketWriterId.lock(dataDir)) {
            first = id.id();
        }

        try (BucketWriterId again = BucketWriterId.lock(dataDir)) {
            assertThat(again.id()).isEqualTo(first);
        }
        assertThat(UUID.fromString(first)).isNotNull();
        assertThat(Files.readString(dataDir.resolve(BucketWriterId.FILE_NAME)).trim()).isEqualTo(first);
    }

    @Test
    void aSecondBrokerOnTheSameDataDirectoryIsRefusedWhileTheFirstRuns() {
        try (BucketWriterId running = BucketWriterId.lock(dataDir)) {
            assertThatThrownBy(() -> BucketWriterId.lock(dataDir))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is in use by another running broker")
                    .hasMessageContaining("log.dirs");
        }
    }

    @Test
    void aDamagedWriterIdFileIsRefusedWithWhatToDo() throws Exception {
        Files.writeString(dataDir.resolve(BucketWriterId.FILE_NAME), "not a uuid\n");

        assertThatThrownBy(() -> BucketWriterId.lock(dataDir))
                .hasMessageContaining("does not hold a writer id")
                .hasMessageContaining("delete it");
    }
}
