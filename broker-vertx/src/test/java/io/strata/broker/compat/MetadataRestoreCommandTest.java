package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.metadata.MetadataStore;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.postgres.PostgresMetadataStore;
import io.strata.metadata.postgres.PostgresSettings;
import io.strata.metadata.testing.PostgresServer;
import io.strata.objectstore.s3.S3ObjectStore;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.remote.GroupManifest;
import io.strata.tiering.remote.ManifestSegment;
import io.strata.tiering.remote.PartitionManifest;
import io.strata.tiering.remote.RemoteLayout;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strata metadata restore} end to end (CLUSTER.md invariant 6, rule 5): a cluster broker JVM on a real
 * PostgreSQL database and an S3 server uploads segments and commits a group's offsets; it is killed, its database is
 * replaced by a new empty one, the command (a JVM of its own) fills that from the bucket, and the broker comes back on
 * it: every record of an uploaded segment is at its offset, the group's offsets are back, the leader epoch is above
 * the old one, and produce continues at the end of the segments.
 */
class MetadataRestoreCommandTest {

    private static final String BUCKET = "restore-bucket";
    private static final String TOPIC = "kept";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final String GROUP = "restore-group";
    private static final long COMMITTED = 123;

    @TempDir
    Path tempDir;

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private S3ProxyServer s3;

    @BeforeEach
    void startS3() throws Exception {
        s3 = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(tempDir.resolve("s3"), BUCKET));
    }

    @AfterEach
    void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    private Map<String, String> properties(PostgresSettings database) {
        Map<String, String> properties = ClusterBrokerProperties.of(1, database, s3, BUCKET);
        properties.put("offsets.topic.num.partitions", "3");
        properties.put("offsets.bucket.sync.interval.ms", "200");
        return properties;
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aDatabaseRebuiltFromTheBucketServesEveryUploadedRecordWithItsGroupOffsetsAndEpochsAboveTheOldOnes()
            throws Exception {
        // Given a cluster broker whose topic rolls small segments that go to the bucket, and a group's commit
        PostgresSettings before = PostgresServer.shared().createDatabase("restore_before");
        Path dataDir = tempDir.resolve("broker");
        BrokerProcess broker = brokers.start(dataDir, properties(before));
        String bootstrap = broker.bootstrapServers();
        Clients.createTopic(bootstrap, TOPIC, 1, Map.of("segment.bytes", "4096"));
        Map<Long, String> acked = produce(bootstrap, "before", 400);
        commit(bootstrap);
        long segmentEnd;
        try (S3ObjectStore bucket = S3ObjectStore.open(s3.clientConfig().build())) {
            await().atMost(Duration.ofSeconds(60)).until(() -> segmentEnd(bucket) > acked.size() / 2);
            await().atMost(Duration.ofSeconds(30)).until(() -> groupOffset(bucket) == COMMITTED);
            int oldEpoch = leaderEpoch(before);

            // When the broker dies (kill -9) and its database is replaced by a new, empty one
            broker.kill();
            segmentEnd = segmentEnd(bucket);
            PostgresSettings after = PostgresServer.shared().createDatabase("restore_after");
            Path config = writeConfig(after);

            // Then the command fills it from the bucket, saying what it restored and what is lost
            CommandRun restore = runRestore(config);
            System.out.println("strata metadata restore printed:\n" + restore.output());
            assertThat(restore.exitCode()).as(restore.output()).isZero();
            assertThat(restore.output()).contains("Restored into", TOPIC + "-0  committed end " + segmentEnd,
                    "Restored 1 committed offset(s) of 1 group(s)", "Lost by design: the bucket holds");
            if (segmentEnd < acked.size()) { // acks=all: what the segments lack is in WAL objects, reported lost
                assertThat(restore.output()).contains(TOPIC + "-0  offsets " + segmentEnd + "..");
            }
            CommandRun again = runRestore(config);
            assertThat(again.exitCode()).as(again.output()).isEqualTo(1);
            assertThat(again.output()).contains("Refusing to restore").contains("already has");

            // When the broker comes back on the restored database (and its own disk)
            BrokerProcess back = brokers.start(dataDir, properties(after));
            String restored = back.bootstrapServers();

            // Then every record of an uploaded segment is at its offset, and nothing above the segments is served
            List<ConsumerRecord<String, String>> records = Clients.readAll(restored, List.of(TP));
            assertThat(records).hasSize((int) segmentEnd);
            for (ConsumerRecord<String, String> record : records) {
                assertThat(record.value()).as("offset %d", record.offset()).isEqualTo(acked.get(record.offset()));
            }
            // the group's committed offset is back, and the epoch restarted above the old one
            assertThat(Clients.committedOffsets(restored, GROUP)).containsEntry(TP, COMMITTED);
            assertThat(leaderEpoch(after)).isGreaterThan(oldEpoch);
            // produce continues at the end of the segments
            Map<Long, String> next = produce(restored, "after", 1);
            assertThat(next).containsOnlyKeys(segmentEnd);
        }
    }

    /** Sends {@code count} records to the partition; the acknowledged value at each offset. */
    private static Map<Long, String> produce(String bootstrap, String prefix, int count) throws Exception {
        Map<Long, String> acked = new HashMap<>();
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of("batch.size", 1024))) {
            List<Future<RecordMetadata>> sends = new ArrayList<>();
            for (int n = 0; n < count; n++) {
                sends.add(producer.send(new ProducerRecord<>(TOPIC, 0, null, prefix + "-" + n + "-" + "x".repeat(40))));
            }
            for (int n = 0; n < count; n++) {
                acked.put(sends.get(n).get(60, TimeUnit.SECONDS).offset(), prefix + "-" + n + "-" + "x".repeat(40));
            }
        }
        return acked;
    }

    private static void commit(String bootstrap) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrap);
        props.put("group.id", GROUP);
        props.put("enable.auto.commit", "false");
        props.put("key.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        props.put("value.deserializer", "org.apache.kafka.common.serialization.StringDeserializer");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            consumer.assign(List.of(TP));
            consumer.commitSync(Map.of(TP, new OffsetAndMetadata(COMMITTED)), Duration.ofSeconds(60));
        }
    }

    /** One past the last offset of the segments the partition's manifest lists (0 without one). */
    private static long segmentEnd(S3ObjectStore bucket) {
        return bucket.listAll(RemoteLayout.TOPICS).join().stream()
                .filter(object -> object.key().endsWith("/" + TP.partition() + "/manifest.json"))
                .map(object -> PartitionManifest.fromJson(bucket.get(object.key()).join()))
                .flatMap(manifest -> manifest.segments().stream())
                .mapToLong(ManifestSegment::lastOffset).max().orElse(-1) + 1;
    }

    /** The offset the group manifest in the bucket holds for the partition (-1 without one). */
    private static long groupOffset(S3ObjectStore bucket) {
        if (bucket.head(RemoteLayout.groupManifest(GROUP)).join().isEmpty()) {
            return -1;
        }
        return GroupManifest.fromJson(bucket.get(RemoteLayout.groupManifest(GROUP)).join()).offsets().stream()
                .filter(offset -> offset.topic().equals(TOPIC) && offset.partition() == 0)
                .mapToLong(GroupManifest.PartitionOffset::offset).findFirst().orElse(-1);
    }

    /** The partition's leader epoch in {@code database}, once it has a leader. */
    private static int leaderEpoch(PostgresSettings database) {
        try (MetadataStore store = PostgresMetadataStore.open(database, "restore-test")) {
            TopicDefinition topic = store.topics().stream().filter(t -> t.name().equals(TOPIC)).findFirst()
                    .orElseThrow();
            await().atMost(Duration.ofSeconds(30)).until(() -> store.leadership().stream()
                    .anyMatch(l -> l.partition().topicId().equals(topic.topicId()) && l.hasLeader()));
            return store.leadership().stream().filter(l -> l.partition().topicId().equals(topic.topicId()))
                    .mapToInt(PartitionLeadership::leaderEpoch).findFirst().orElseThrow();
        }
    }

    private Path writeConfig(PostgresSettings database) throws Exception {
        Properties config = new Properties();
        config.putAll(properties(database));
        config.put("log.dirs", tempDir.resolve("restore-command").toAbsolutePath().toString());
        Path file = tempDir.resolve("restore.properties");
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            config.store(out, "strata metadata restore");
        }
        return file;
    }

    private record CommandRun(int exitCode, String output) {
    }

    /** Runs {@code strata metadata restore --config config} in a JVM of its own. */
    private CommandRun runRestore(Path config) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path output = Files.createTempFile(tempDir, "restore-", ".out");
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), "io.strata.broker.StrataMain", "metadata", "restore",
                "--config", config.toString()).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("STRATA_"));
        Process process = builder.start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("strata metadata restore did not finish in 120 s:\n" + Files.readString(output));
        }
        return new CommandRun(process.exitValue(), Files.readString(output));
    }
}
