package io.strata.tiering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.tiering.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Creating a topic or adding partitions is all or nothing: when a partition cannot be opened (here a
 * plain file stands where its directory must go, as "too many open files" or a full disk would stop it),
 * nothing of the creation is left, on disk or in RocksDB, and the data directory opens again (issue 12,
 * defect 7: a failed {@code --partitions 20000} left the broker unable to start). A partition limit refuses
 * what would exceed it before anything is opened.
 */
class TopicCreationRollbackTest {

    private static final LogManagerSchedule QUIET = new LogManagerSchedule(3_600_000, 3_600_000, 3_600_000);

    @TempDir
    Path dataDir;
    LogManager manager;

    private LogManager open() {
        manager = LogManager.open(dataDir, Map.of(), new MutableClock(), QUIET, 2);
        return manager;
    }

    @AfterEach
    void tearDown() {
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void failedTopicCreationLeavesNothingBehindAndTheDataDirectoryOpensAgain() throws IOException {
        // Given partition 5 of the new topic cannot be opened
        open();
        Files.writeString(dataDir.resolve("orders-5"), "in the way");

        // When a topic of 10 partitions is created
        assertThatThrownBy(() -> manager.createTopic("orders", 10, (short) 1, Map.of()))
                .isInstanceOf(RuntimeException.class);

        // Then no trace of it is left, and after a restart neither
        assertThat(manager.topic("orders")).isEmpty();
        assertThat(partitionDirectories("orders")).isEmpty();
        manager.close();
        Files.delete(dataDir.resolve("orders-5"));
        open();
        assertThat(manager.topic("orders")).isEmpty();
        assertThat(partitionDirectories("orders")).isEmpty();

        // And the same topic can then be created
        manager.createTopic("orders", 10, (short) 1, Map.of());
        assertThat(partitionDirectories("orders")).hasSize(10);
    }

    @Test
    void failedPartitionIncreaseLeavesTheTopicAsItWas() throws IOException {
        // Given a topic of 2 partitions whose partition 3 cannot be opened
        open().createTopic("orders", 2, (short) 1, Map.of());
        Files.writeString(dataDir.resolve("orders-3"), "in the way");

        // When it is raised to 5 partitions
        assertThatThrownBy(() -> manager.addPartitions("orders", 5)).isInstanceOf(RuntimeException.class);

        // Then it keeps its 2 partitions, on disk and after a restart
        assertThat(manager.topic("orders").orElseThrow().partitions()).hasSize(2);
        assertThat(partitionDirectories("orders")).containsExactlyInAnyOrder("orders-0", "orders-1");
        manager.close();
        open();
        assertThat(manager.topic("orders").orElseThrow().partitions()).hasSize(2);
        assertThat(manager.log(new TopicPartition("orders", 1))).isPresent();
    }

    @Test
    void partitionsBeyondTheLimitAreRefusedBeforeAnythingIsOpened() throws IOException {
        // Given a broker limited to 10 partitions holding 8
        open().limitPartitions(10);
        manager.createTopic("first", 8, (short) 1, Map.of());

        // Then a topic or an increase that would exceed 10 is refused, with a message naming the limit
        assertThatThrownBy(() -> manager.createTopic("second", 3, (short) 1, Map.of()))
                .isInstanceOf(InvalidPartitionsException.class)
                .hasMessageContaining("limit of 10 partitions (strata.max.partitions)");
        assertThatThrownBy(() -> manager.validateNewTopic("second", 3, (short) 1, Map.of()))
                .isInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> manager.addPartitions("first", 11)).isInstanceOf(InvalidPartitionsException.class);
        assertThat(partitionDirectories("second")).isEmpty();

        // And what fits is accepted
        manager.createTopic("second", 2, (short) 1, Map.of());
        assertThat(partitionDirectories("second")).hasSize(2);
    }

    private java.util.List<String> partitionDirectories(String topic) throws IOException {
        try (Stream<Path> list = Files.list(dataDir)) {
            return list.filter(Files::isDirectory).map(path -> path.getFileName().toString())
                    .filter(name -> name.startsWith(topic + "-")).toList();
        }
    }
}
