package io.strata.tiering;

import static io.strata.tiering.testing.RecordBatches.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strata.index.PartitionKey;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogManagerTest {

    private static final LogManagerSchedule QUIET = new LogManagerSchedule(3_600_000, 3_600_000, 3_600_000);

    @TempDir
    Path dataDir;
    final MutableClock clock = new MutableClock();
    LogManager manager;

    private LogManager open() {
        manager = LogManager.open(dataDir, Map.of(), clock, QUIET, 2);
        return manager;
    }

    private LogManager restart() {
        manager.close();
        return open();
    }

    @AfterEach
    void tearDown() {
        if (manager != null) {
            manager.close();
        }
    }

    private PartitionLog log(String topic, int partition) {
        return manager.log(new TopicPartition(topic, partition)).orElseThrow();
    }

    private Path marker() {
        return dataDir.resolve(LogManager.CLEAN_SHUTDOWN_FILE);
    }

    @Test
    void createTopicOpensOneLogAndDirectoryPerPartition() {
        open().createTopic("orders", 3, (short) 1, Map.of("segment.bytes", "2048"));

        for (int p = 0; p < 3; p++) {
            assertThat(dataDir.resolve("orders-" + p)).isDirectory();
            assertThat(log("orders", p).config().segmentBytes()).isEqualTo(2048);
        }
        assertThat(manager.log(new TopicPartition("orders", 3))).isEmpty();
        assertThat(log("orders", 2).append(batch().records(2).build()).firstOffset()).isZero();
    }

    @Test
    void invalidCreateRequestsAreRefusedWithKafkaErrors() {
        open().createTopic("orders", 1, (short) 1, Map.of());

        assertThatThrownBy(() -> manager.createTopic("orders", 1, (short) 1, Map.of()))
                .isInstanceOf(TopicExistsException.class);
        assertThatThrownBy(() -> manager.createTopic("other", 0, (short) 1, Map.of()))
                .isInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> manager.createTopic("bad/name", 1, (short) 1, Map.of()))
                .isInstanceOf(InvalidTopicException.class);
        assertThatThrownBy(() -> manager.createTopic("other", 1, (short) 1, Map.of("retention.mss", "1")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("retention.mss");
        assertThatThrownBy(() -> manager.createTopic("other", 1, (short) 1, Map.of("cleanup.policy", "compact")))
                .isInstanceOf(InvalidConfigurationException.class);
        assertThat(manager.topic("other")).isEmpty();
    }

    @Test
    void deleteTopicRemovesItsLogsEntriesAndFilesAndTheNameCanBeReused() {
        open().createTopic("orders", 2, (short) 1, Map.of());
        log("orders", 0).append(batch().records(5).build());
        PartitionKey oldKey = log("orders", 0).key();

        manager.deleteTopic("orders");

        assertThat(manager.topic("orders")).isEmpty();
        assertThat(manager.indexStore().segments().list(oldKey)).isEmpty();
        assertThat(manager.indexStore().partitionStates().get(oldKey)).isEmpty();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (var files = Files.list(dataDir)) {
                assertThat(files.map(f -> f.getFileName().toString())).noneMatch(n -> n.startsWith("orders-"));
            }
        });
        manager.createTopic("orders", 1, (short) 1, Map.of());
        assertThat(log("orders", 0).highWatermark()).isZero();
        assertThatThrownBy(() -> manager.deleteTopic("missing")).isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void topicsDataAndIdsSurviveARestart() {
        open().createTopic("orders", 2, (short) 1, Map.of("retention.ms", "1000000"));
        log("orders", 1).append(batch().records(7).build());
        Uuid topicId = manager.topic("orders").orElseThrow().topicId();
        String clusterId = manager.clusterId();

        restart();

        TopicLogs topic = manager.topic("orders").orElseThrow();
        assertThat(topic.topicId()).isEqualTo(topicId);
        assertThat(manager.topic(topicId)).isPresent();
        assertThat(manager.clusterId()).isEqualTo(clusterId);
        assertThat(topic.config().retentionMs()).isEqualTo(1_000_000);
        assertThat(log("orders", 1).highWatermark()).isEqualTo(7);
        assertThat(log("orders", 0).highWatermark()).isZero();
    }

    @Test
    void alteredConfigsApplyToTheOpenLogsAndSurviveARestart() {
        open().createTopic("orders", 2, (short) 1, Map.of("retention.ms", "1000000"));

        manager.alterTopicConfigs("orders", Map.of("retention.ms", "2000000", "segment.ms", "60000"));

        assertThat(log("orders", 1).config().retentionMs()).isEqualTo(2_000_000);
        assertThat(log("orders", 0).config().segmentMs()).isEqualTo(60_000);
        restart();
        assertThat(manager.topic("orders").orElseThrow().record().configs())
                .isEqualTo(Map.of("retention.ms", "2000000", "segment.ms", "60000"));
        assertThat(log("orders", 0).config().retentionMs()).isEqualTo(2_000_000);
        assertThatThrownBy(() -> manager.alterTopicConfigs("orders", Map.of("cleanup.policy", "compact")))
                .isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("compaction");
        assertThatThrownBy(() -> manager.alterTopicConfigs("missing", Map.of()))
                .isInstanceOf(UnknownTopicOrPartitionException.class);
    }

    @Test
    void addedPartitionsTakeRecordsAndSurviveARestartWhileExistingOnesKeepTheirs() {
        open().createTopic("orders", 1, (short) 1, Map.of());
        log("orders", 0).append(batch().records(3).build());
        PartitionLog first = log("orders", 0);

        manager.addPartitions("orders", 3);
        log("orders", 2).append(batch().records(2).build());

        assertThat(log("orders", 0)).isSameAs(first);
        assertThat(manager.topic("orders").orElseThrow().partitions()).hasSize(3);
        restart();
        assertThat(manager.topic("orders").orElseThrow().record().partitions()).isEqualTo(3);
        assertThat(log("orders", 0).highWatermark()).isEqualTo(3);
        assertThat(log("orders", 1).highWatermark()).isZero();
        assertThat(log("orders", 2).highWatermark()).isEqualTo(2);
        assertThatThrownBy(() -> manager.addPartitions("orders", 3)).isInstanceOf(InvalidPartitionsException.class);
        assertThatThrownBy(() -> manager.addPartitions("orders", 2)).isInstanceOf(InvalidPartitionsException.class);
    }

    @Test
    void aListenerHearsOfExistingNewAndDeletedPartitionsInOrder() {
        // Given a topic open before the listener registers
        open().createTopic("existing", 2, (short) 1, Map.of());
        List<String> events = new java.util.ArrayList<>();
        LogListener listener = new LogListener() {
            @Override
            public void partitionOpened(PartitionLog log) {
                events.add("opened " + log.topicPartition());
            }

            @Override
            public void topicDeleted(TopicLogs topic) {
                events.add("deleted " + topic.name() + " with " + topic.partitions().size());
            }
        };

        // When it registers, a topic is created, grows and is deleted
        manager.addListener(listener);
        manager.createTopic("orders", 1, (short) 1, Map.of());
        manager.addPartitions("orders", 3);
        manager.deleteTopic("orders");

        // Then it heard of every partition once, and of the deletion
        assertThat(events).containsExactly("opened existing-0", "opened existing-1", "opened orders-0",
                "opened orders-1", "opened orders-2", "deleted orders with 3");
    }

    @Test
    void manyPartitionsOpenAndReopen() {
        open();
        for (int t = 0; t < 8; t++) {
            manager.createTopic("topic-" + t, 8, (short) 1, Map.of());
        }
        for (int t = 0; t < 8; t++) {
            for (int p = 0; p < 8; p++) {
                log("topic-" + t, p).append(batch().records(t + p + 1).build());
            }
        }

        restart();

        assertThat(manager.topics()).hasSize(8);
        for (int t = 0; t < 8; t++) {
            for (int p = 0; p < 8; p++) {
                assertThat(log("topic-" + t, p).highWatermark()).isEqualTo(t + p + 1);
            }
        }
    }

    @Test
    void aCleanCloseLeavesTheMarkerAndOpeningRemovesIt() {
        open().close();
        assertThat(marker()).exists();

        open();

        assertThat(marker()).doesNotExist();
    }

    @Test
    void aFailedOpenDoesNotWriteTheCleanShutdownMarker() throws IOException {
        open().createTopic("alpha", 1, (short) 1, Map.of());
        manager.createTopic("beta", 1, (short) 1, Map.of());
        log("alpha", 0).append(batch().records(3).build());
        manager.close();
        manager = null;
        Path beta = dataDir.resolve("beta-0");
        Files.move(beta, dataDir.resolve("beta-0.moved"));
        Files.writeString(beta, "a file where the partition directory should be");

        assertThatThrownBy(this::open).isInstanceOf(KafkaStorageException.class);

        assertThat(marker()).as("a failed open is not a clean shutdown").doesNotExist();
        Files.delete(beta);
        Files.move(dataDir.resolve("beta-0.moved"), beta);
        open();
        assertThat(log("alpha", 0).highWatermark()).isEqualTo(3);
    }

    @Test
    void backgroundRetentionDeletesExpiredSegments() {
        manager = LogManager.open(dataDir, Map.of(), clock, new LogManagerSchedule(20, 3_600_000, 3_600_000), 2);
        manager.createTopic("orders", 1, (short) 1, Map.of("segment.bytes", "1024", "retention.ms", "60000",
                "file.delete.delay.ms", "0"));
        PartitionLog log = log("orders", 0);
        for (int i = 0; i < 10; i++) {
            log.append(batch().records(1).valueSize(300).timestamp(clock.millis()).build());
        }
        List<Long> bases = log.segmentRecords().stream().map(s -> s.baseOffset()).toList();
        assertThat(bases).hasSizeGreaterThan(2);

        clock.advance(Duration.ofMinutes(2));

        await().atMost(Duration.ofSeconds(10)).until(() -> log.segmentRecords().size() == 1);
        assertThat(log.logStartOffset()).isEqualTo(bases.get(bases.size() - 1));
    }

    @Test
    void foldersThatAreNoPartitionsSurviveAnOpen() throws Exception {
        java.nio.file.Files.createDirectories(dataDir.resolve("s3/strata/topics"));
        java.nio.file.Files.createDirectories(dataDir.resolve("gone-0"));

        open();

        assertThat(dataDir.resolve("s3/strata/topics")).isDirectory();
        assertThat(dataDir.resolve("gone-0")).as("empty, without partition.metadata: not known to be ours")
                .isDirectory();
    }

    @Test
    void deletedTopicWhoseDirectoryOutlivedACrashIsRemovedAtTheNextStartAndItsIntentForgotten() {
        // Given a topic whose deletion was committed (topic gone, intent recorded) but whose directory
        // was not yet renamed when the broker stopped
        open().createTopic("orders", 1, (short) 1, Map.of());
        log("orders", 0).append(batch().records(5).build());
        var record = manager.topic("orders").orElseThrow().record();
        try (var writes = manager.indexStore().newBatch()) {
            manager.indexStore().topics().delete(writes, "orders");
            manager.indexStore().topicDeletions().put(writes, record);
            writes.commit(true);
        }

        // When the broker starts again
        restart();

        // Then the directory is removed, the topic stays deleted, and the intent is forgotten
        assertThat(dataDir.resolve("orders-0")).doesNotExist();
        assertThat(manager.topic("orders")).isEmpty();
        assertThat(manager.indexStore().topicDeletions().list()).isEmpty();
    }

    @Test
    void unlistedPartitionDirectoryWithDataStopsTheStartAndIsKept() throws IOException {
        // Given a broker with a topic, and a directory with segment data that its catalog does not list
        open().createTopic("orders", 1, (short) 1, Map.of());
        log("orders", 0).append(batch().records(5).build());
        manager.close();
        manager = null;
        Path ghost = Files.createDirectories(dataDir.resolve("ghost-3"));
        Files.write(ghost.resolve("00000000000000000000.log"), new byte[] {1, 2, 3});

        // When it starts, Then it refuses with a message naming the directory, and the directory is kept
        assertThatThrownBy(this::open).hasMessageContaining("ghost-3").hasMessageContaining("Nothing was deleted");
        assertThat(ghost.resolve("00000000000000000000.log")).exists();
    }

    @Test
    void lostCatalogIsRebuiltFromThePartitionDirectoriesWithTopicIdConfigsAndOffsets() throws IOException {
        // Given a topic with records and a config override
        open().createTopic("orders", 2, (short) 1, Map.of("retention.ms", "-1"));
        log("orders", 1).append(batch().records(7).build());
        Uuid topicId = manager.topic("orders").orElseThrow().topicId();
        String clusterId = manager.clusterId();
        manager.close();
        manager = null;

        // When its RocksDB catalog is lost
        try (var walk = Files.walk(dataDir.resolve(LogManager.INDEX_DIRECTORY))) {
            for (Path path : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        open();

        // Then the topic, its id, configs, partition count, offsets and the cluster id are back
        assertThat(manager.clusterId()).isEqualTo(clusterId);
        var topic = manager.topic("orders").orElseThrow();
        assertThat(topic.topicId()).isEqualTo(topicId);
        assertThat(topic.partitions()).hasSize(2);
        assertThat(topic.record().configs()).containsEntry("retention.ms", "-1");
        assertThat(log("orders", 1).highWatermark()).isEqualTo(7);
        assertThat(log("orders", 1).append(batch().records(1).build()).firstOffset()).isEqualTo(7);
    }

    @Test
    void createTopicRefusesToAdoptAPartitionDirectoryThatStillHoldsData() throws IOException {
        // Given a running broker and a partition directory with data left behind (a deletion whose rename failed)
        open();
        Path leftOver = Files.createDirectories(dataDir.resolve("orders-0"));
        Files.write(leftOver.resolve("00000000000000000000.log"), new byte[] {1, 2, 3});

        // When a topic of that name is created, Then it is refused and the directory is untouched
        assertThatThrownBy(() -> manager.createTopic("orders", 1, (short) 1, Map.of()))
                .isInstanceOf(TopicExistsException.class).hasMessageContaining("marked for deletion");
        assertThat(leftOver.resolve("00000000000000000000.log")).hasBinaryContent(new byte[] {1, 2, 3});
    }

    @Test
    void addPartitionsRefusesToAdoptAPartitionDirectoryThatStillHoldsData() throws IOException {
        // Given a topic with one partition and a directory of its partition 1 with data left behind (a deletion of
        // an earlier incarnation whose rename failed)
        open();
        manager.createTopic("orders", 1, (short) 1, Map.of());
        Path leftOver = Files.createDirectories(dataDir.resolve("orders-1"));
        Files.write(leftOver.resolve("00000000000000000000.log"), new byte[] {1, 2, 3});

        // When the topic grows to two partitions, Then it is refused and the directory is untouched
        assertThatThrownBy(() -> manager.addPartitions("orders", 2))
                .isInstanceOf(InvalidPartitionsException.class).hasMessageContaining("deleted incarnation");
        assertThat(leftOver.resolve("00000000000000000000.log")).hasBinaryContent(new byte[] {1, 2, 3});
        assertThat(manager.log(new TopicPartition("orders", 1))).isEmpty();
    }
}
