package io.strata.broker.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.StrataMain;
import io.strata.broker.it.BrokerTestBase;
import io.strata.objectstore.PutCondition;
import io.strata.objectstore.s3.S3Config;
import io.strata.objectstore.s3.S3ObjectStore;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.testing.WalObjectFixture;
import io.strata.tiering.wal.WalObject;
import io.strata.tiering.log.PartitionLog;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * {@code strata inspect} against the broker's own embedded S3 server: while the broker runs (through
 * its endpoint) and after it stopped (the command starts a private server over the same folder). Group objects are
 * listed and are not orphans.
 */
class InspectCommandTest extends BrokerTestBase {

    @Override
    protected Map<String, String> brokerProperties() {
        return Map.of("remote.log.storage.system.enable", "true", "s3.embedded.port", "0",
                "remote.log.manager.task.interval.ms", "100", "offsets.bucket.sync.interval.ms", "100");
    }

    private record Run(int exitCode, String output) {
    }

    private Run inspect(Path config, String... args) {
        String[] full = new String[args.length + 3];
        full[0] = "inspect";
        System.arraycopy(args, 0, full, 1, args.length);
        full[args.length + 1] = "--config";
        full[args.length + 2] = config.toString();
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            int code = new picocli.CommandLine(new StrataMain()).execute(full);
            return new Run(code, captured.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(original);
        }
    }

    private Path configFile(Map<String, String> settings) throws IOException {
        Properties properties = new Properties();
        properties.putAll(settings);
        Path file = dataDir.resolveSibling(dataDir.getFileName() + "-inspect.properties");
        try (var out = Files.newBufferedWriter(file)) {
            properties.store(out, null);
        }
        return file;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Test
    void listsAndVerifiesTheBucketWhileTheBrokerRunsAndAfterItStopped() throws Exception {
        createTopic("orders", 1, Map.of("segment.bytes", "16384"));
        try (KafkaProducer<String, String> producer = producer(Map.of("batch.size", 4096))) {
            for (int i = 0; i < 1000; i++) {
                producer.send(new ProducerRecord<>("orders", "k" + i, "value-" + i + "-".repeat(80)));
            }
            producer.flush();
        }
        PartitionLog log = broker.logs().log(new TopicPartition("orders", 0)).orElseThrow();
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> !log.sealedSegments().isEmpty() && log.remoteEndOffset()
                        == log.sealedSegments().get(log.sealedSegments().size() - 1).nextOffset());
        int segments = log.sealedSegments().size();
        admin().alterConsumerGroupOffsets("billing", Map.of(new TopicPartition("orders", 0), new OffsetAndMetadata(10)))
                .all().get(30, TimeUnit.SECONDS);
        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(dataDir.resolve("s3/strata/groups/billing.json")));
        Path running = configFile(Map.of("s3.endpoint", broker.embeddedS3Endpoint().orElseThrow().toString(),
                "s3.access.key", "strata", "s3.secret.key", "strata-secret", "s3.bucket", "strata"));

        Run list = inspect(running, "list", "--segments", "--offsets");
        Run verify = inspect(running, "verify");

        assertThat(list.exitCode()).as(list.output()).isZero();
        assertThat(list.output()).contains("topic orders", "orders-0  log start 0  " + segments + " segment(s)",
                "00000000000000000000.log  offsets 0..", "1 group(s) with committed offsets",
                "group billing  1 partition(s)  topics [orders]", "orders-0  offset 10  leader epoch -1");
        assertThat(verify.exitCode()).as(verify.output()).isZero();
        assertThat(verify.output()).contains("OK: every listed object is present and intact, no orphans");

        broker.close();
        Files.writeString(dataDir.resolve("s3/strata/topics/stray"), "x");
        Path stopped = configFile(Map.of("log.dirs", dataDir.toString(), "s3.embedded.port",
                Integer.toString(freePort())));

        Run afterStop = inspect(stopped, "verify", "--no-checksums");

        assertThat(afterStop.exitCode()).as(afterStop.output()).isEqualTo(1);
        assertThat(afterStop.output()).contains("orders-0  log start 0  " + segments + " segment(s)",
                "PROBLEM ORPHAN topics/stray");
    }

    /** An S3 client of the running broker's embedded server (the bucket {@code strata inspect} reads). */
    private S3ObjectStore embeddedBucket() {
        return S3ObjectStore.open(S3Config.builder("strata")
                .endpoint(broker.embeddedS3Endpoint().orElseThrow())
                .region(S3ProxyServer.REGION)
                .credentials(S3ProxyServer.DEFAULT_ACCESS_KEY, S3ProxyServer.DEFAULT_SECRET_KEY)
                .pathStyle(true)
                .build());
    }

    @Test
    void listsDecodesAndVerifiesWriteAheadLogObjects() throws Exception {
        // Given two WAL objects PUT to the bucket as a broker writes them, a damaged one and a foreign key under wal/
        WalObject.Encoded first = WalObjectFixture.twoPartitions(0);
        byte[] damaged = WalObjectFixture.twoPartitions(1).bytes();
        damaged[60] ^= 0x01;
        try (S3ObjectStore store = embeddedBucket()) {
            store.put(WalObjectFixture.key(0), first.bytes(), PutCondition.IF_ABSENT).join();
            store.put(WalObjectFixture.key(1), damaged, PutCondition.IF_ABSENT).join();
            store.put(WalObjectFixture.key(2), WalObjectFixture.twoPartitions(2).bytes(), PutCondition.IF_ABSENT)
                    .join();
            store.put("wal/readme.txt", "x".getBytes(StandardCharsets.UTF_8), PutCondition.IF_ABSENT).join();
        }
        Path running = configFile(Map.of("s3.endpoint", broker.embeddedS3Endpoint().orElseThrow().toString(),
                "s3.access.key", "strata", "s3.secret.key", "strata-secret", "s3.bucket", "strata"));
        String topicA = RemoteLayout.kafkaId(WalObjectFixture.TOPIC_A);

        // When inspect lists them, decodes the intact and the damaged one, and verifies the bucket
        Run wal = inspect(running, "wal");
        Run decoded = inspect(running, "wal", WalObjectFixture.key(0));
        Run decodedDamaged = inspect(running, "wal", WalObjectFixture.key(1));
        Run missing = inspect(running, "wal", WalObjectFixture.key(9));
        Run list = inspect(running, "list");
        Run verify = inspect(running, "verify");

        // Then the listing shows each object's writer, sequence, creation time, size and partitions
        assertThat(wal.exitCode()).as(wal.output()).isEqualTo(1);
        assertThat(wal.output()).contains("4 WAL object(s)",
                WalObjectFixture.key(0) + "  node 1  incarnation " + WalObjectFixture.INCARNATION
                        + "  sequence 0  created " + Instant.ofEpochMilli(WalObjectFixture.CREATED_MS)
                        + "  2 partition(s)  " + first.bytes().length + " bytes",
                WalObjectFixture.key(1) + "  " + damaged.length
                        + " bytes  PROBLEM: damaged header: corrupt WAL object header: checksum mismatch",
                "wal/readme.txt  1 bytes  PROBLEM: not a write-ahead-log key");
        // And decoding shows the header entries and each batch read from the bytes
        WalObject.Entry entry = first.header().entries().get(0);
        assertThat(decoded.exitCode()).as(decoded.output()).isZero();
        assertThat(decoded.output()).contains("WAL object " + WalObjectFixture.key(0),
                "topic " + topicA + " partition 0  leader epoch 7  offsets 10..14  bytes " + entry.position() + ".."
                        + (entry.position() + entry.length() - 1) + " (" + entry.length() + ")  2 batch(es)",
                "batch offsets 10..11  producer 4000 epoch 2  sequences 0..1  2 record(s)",
                "batch offsets 12..14  producer 4000 epoch 2  sequences 2..4  3 record(s)",
                "partition 3  leader epoch 7  offsets 0..2");
        assertThat(decoded.output()).doesNotContain("INVALID", "PROBLEM");
        // And a damaged header is one line, not a stack trace
        assertThat(decodedDamaged.exitCode()).isEqualTo(1);
        assertThat(decodedDamaged.output())
                .contains(WalObjectFixture.key(1) + ": damaged header: corrupt WAL object header: checksum mismatch")
                .doesNotContain("Exception", "\tat ");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.output()).contains("no object " + WalObjectFixture.key(9));
        // And list counts them, verify names the damaged object and the foreign key
        assertThat(list.output()).contains("4 write-ahead-log object(s)");
        assertThat(verify.exitCode()).as(verify.output()).isEqualTo(1);
        assertThat(verify.output()).contains("PROBLEM WAL_HEADER " + WalObjectFixture.key(1) + ": damaged header",
                "PROBLEM NOT_WAL wal/readme.txt", "2 problem(s)");
    }
}
