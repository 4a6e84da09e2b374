package io.strata.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The data directory's writer id: created once, the same after a restart. (One broker per data directory is
 * {@link DataDirectoryLock}'s job, checked by StartupFailureTest.)
 */
class BucketWriterIdTest {

    @TempDir
    Path dataDir;

    @Test
    void theWriterIdIsCreatedOnceAndTheSameAfterARestart() throws Exception {
        String first = BucketWriterId.readOrCreate(dataDir);

        assertThat(BucketWriterId.readOrCreate(dataDir)).isEqualTo(first);
        assertThat(UUID.fromString(first)).isNotNull();
        assertThat(Files.readString(dataDir.resolve(BucketWriterId.FILE_NAME)).trim()).isEqualTo(first);
        assertThat(dataDir.resolve(BucketWriterId.FILE_NAME + ".tmp")).doesNotExist();
    }

    @Test
    void aDamagedWriterIdFileIsRefusedWithWhatToDo() throws Exception {
        Files.writeString(dataDir.resolve(BucketWriterId.FILE_NAME), "not a uuid\n");

        assertThatThrownBy(() -> BucketWriterId.readOrCreate(dataDir))
                .isInstanceOf(StartupFailure.class)
                .hasMessageContaining("does not hold a writer id")
                .hasMessageContaining("delete it");
    }
}
