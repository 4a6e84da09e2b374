package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Restarts of a real broker JVM after its RocksDB catalog was moved away, and with folders in the data
 * directory that are not Strata's: nothing is deleted because an index is missing (issue 12, defect 4).
 */
class LostCatalogRestartTest {

    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;
    private static final int PER_PARTITION = 40;

    @TempDir
    Path tempDir;

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private static Map<String, String> tiering(boolean on) {
        return Map.of("remote.log.storage.system.enable", Boolean.toString(on));
    }

    @ParameterizedTest(name = "tiering {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void restartWithoutRocksDbKeepsEveryRecordTopicIdAndClusterId(boolean tieringOn) throws Exception {
        // Given a broker with a three-partition topic holding records (and a retention override)
        Path dataDir = tempDir.resolve("data");
        BrokerProcess first = brokers.start(dataDir, tiering(tieringOn));
        Clients.createTopic(first.bootstrapServers(), TOPIC, PARTITIONS, Map.of("retention.ms", "-1"));
        Map<String, TopicPartition> acked = fill(first.bootstrapServers());
        Identity before = identity(first.bootstrapServers());
        java.util.Set<Long> producersBefore = producerIds(first.bootstrapServers());
        first.stop();

        // When its RocksDB catalog is moved away and the broker restarts
        Files.move(dataDir.resolve("rocksdb"), tempDir.resolve("rocksdb-moved"));
        BrokerProcess second = brokers.start(dataDir, tiering(tieringOn));

        // Then the cluster id, the topic id, the partition count and the config are those of before
        Identity after = identity(second.bootstrapServers());
        assertThat(after).isEqualTo(before);
        assertThat(second.log()).doesNotContain("it belongs to no topic");
        assertThat(second.log()).containsAnyOf("Rebuilt the catalog of topic " + TOPIC, "Restored 1 topic(s)");

        // And every record is there, in order, at its offsets
        List<ConsumerRecord<String, String>> records = Clients.readAll(second.bootstrapServers(), partitions());
        assertThat(records).hasSize(acked.size());
        for (ConsumerRecord<String, String> record : records) {
            assertThat(acked.get(record.value())).as("where %s was acknowledged", record.value())
                    .isEqualTo(new TopicPartition(Long.toString(record.offset()), record.partition()));
        }

        // And producing continues after the rebuilt end, by a producer with an id never handed out before
        Map<String, TopicPartition> more = fill(second.bootstrapServers());
        assertThat(Clients.readAll(second.bootstrapServers(), partitions())).hasSize(acked.size() + more.size());
        java.util.Set<Long> producersAfter = producerIds(second.bootstrapServers());
        assertThat(producersAfter).containsAll(producersBefore).hasSizeGreaterThan(producersBefore.size());
        long newest = producersAfter.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(producersBefore).allSatisfy(old -> assertThat(old).isLessThan(newest));
    }

    /** The ids of the idempotent producers the broker keeps state for in the topic. */
    private static java.util.Set<Long> producerIds(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            java.util.Set<Long> ids = new java.util.TreeSet<>();
            admin.describeProducers(partitions()).all().get().values()
                    .forEach(description -> description.activeProducers().forEach(p -> ids.add(p.producerId())));
            return ids;
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void foreignFoldersInTheDataDirectorySurviveRestarts() throws Exception {
        // Given a data directory holding a user's folders beside the broker's
        Path dataDir = tempDir.resolve("data");
        Files.createDirectories(dataDir);
        Path backup = Files.createDirectories(dataDir.resolve("my-backup-2024"));
        Files.writeString(backup.resolve("notes.txt"), "keep me");
        Path dotted = Files.createDirectories(dataDir.resolve("export.2024-12"));

        // When a broker starts, gets a topic, stops, and starts again (tiering off, as in the report)
        BrokerProcess first = brokers.start(dataDir, tiering(false));
        Clients.createTopic(first.bootstrapServers(), TOPIC, 1, Map.of());
        first.stop();
        BrokerProcess second = brokers.start(dataDir, tiering(false));
        second.stop();

        // Then the folders and their contents are untouched
        assertThat(backup.resolve("notes.txt")).hasContent("keep me");
        assertThat(dotted).isDirectory();
        assertThat(second.log()).contains("my-backup-2024").doesNotContain("Removing " + backup);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void unexplainedPartitionDirectoryWithDataRefusesToStartAndKeepsIt() throws Exception {
        // Given a broker that knows topic orders, stopped
        Path dataDir = tempDir.resolve("data");
        BrokerProcess first = brokers.start(dataDir, tiering(false));
        Clients.createTopic(first.bootstrapServers(), TOPIC, 1, Map.of());
        fill(first.bootstrapServers(), 1);
        first.stop();

        // When a partition directory with data appears that its catalog does not list
        Path ghost = dataDir.resolve("ghost-0");
        Files.createDirectories(ghost);
        try (var segments = Files.list(dataDir.resolve(TOPIC + "-0"))) {
            for (Path file : segments.filter(f -> f.toString().endsWith(".log")).toList()) {
                Files.copy(file, ghost.resolve(file.getFileName()));
            }
        }

        // Then the broker refuses to start with exit code 1 and one line that says what to do
        assertThatThrownBy(() -> brokers.start(dataDir, tiering(false)))
                .hasMessageContaining("exited with 1")
                .hasMessageContaining(ghost.getFileName().toString())
                .hasMessageContaining("out of the data directory")
                .hasMessageContaining("Strata could not start: Refusing to start")
                .hasMessageNotContaining("\tat ");

        // And the directory and its data are still there
        try (var files = Files.list(ghost)) {
            assertThat(files.toList()).isNotEmpty();
        }
    }

    private record Identity(String clusterId, Uuid topicId, int partitions, String retentionMs) {
    }

    private static Identity identity(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            String clusterId = admin.describeCluster().clusterId().get();
            TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
            var resource = new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, TOPIC);
            String retention = admin.describeConfigs(List.of(resource)).all().get().get(resource)
                    .get("retention.ms").value();
            return new Identity(clusterId, topic.topicId(), topic.partitions().size(), retention);
        }
    }

    private static List<TopicPartition> partitions() {
        return IntStream.range(0, PARTITIONS).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
    }

    private static Map<String, TopicPartition> fill(String bootstrap) throws Exception {
        return fill(bootstrap, PARTITIONS);
    }

    private static int runs;

    /**
     * Sends {@link #PER_PARTITION} unique values to each partition; returns each value with where its
     * acknowledgement put it (the offset as the partition field of a {@code TopicPartition} named by the offset).
     */
    private static Map<String, TopicPartition> fill(String bootstrap, int partitions) throws Exception {
        Map<String, TopicPartition> acked = new java.util.HashMap<>();
        int run = runs++;
        try (var producer = Clients.producer(bootstrap, Map.of())) {
            for (int p = 0; p < partitions; p++) {
                for (int n = 0; n < PER_PARTITION; n++) {
                    String value = "r" + run + "-p" + p + "-" + n;
                    var sent = producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(TOPIC, p, null,
                            value)).get();
                    acked.put(value, new TopicPartition(Long.toString(sent.offset()), sent.partition()));
                }
            }
        }
        return acked;
    }
}
