package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.broker.StrataBroker;
import io.strata.broker.config.BrokerConfig;
import io.strata.index.SegmentRecord;
import io.strata.tiering.log.PartitionLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the tiered-storage end-to-end tests: per test an in-process broker over a fresh data
 * directory that tiers to the bucket its subclass names ({@link #bucketProperties()}). The remote
 * tier, local retention and the upload of committed group offsets run every 200 ms; topics made with
 * {@link #TIERED} keep tiny segments and almost nothing locally, so most of the log lives only in
 * the bucket. Clients are real kafka-clients with byte-array keys and values; every client made here
 * is closed after the test, before the broker.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class TieredBrokerTestBase {

    /** 16 KiB segments, local copies deleted as soon as they are uploaded, index entry every 1 KiB. */
    static final Map<String, String> TIERED = Map.of("segment.bytes", "16384", "local.retention.bytes", "1",
            "index.interval.bytes", "1024", "retention.ms", "-1");
    @TempDir
    Path dataDir;
    StrataBroker broker;

    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeEach
    final void startBroker() {
        broker = StrataBroker.start(brokerConfig(dataDir));
    }

    @AfterEach
    final void stopBrokerAndClients() throws Exception {
        closeClients();
        if (broker != null) {
            broker.close();
        }
    }

    /** The broker settings for a data directory, tiering to the bucket of {@link #bucketProperties()}. */
    BrokerConfig brokerConfig(Path directory) {
        Map<String, String> properties = new HashMap<>();
        properties.put(BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:0");
        properties.put(BrokerConfig.HTTP_PORT, "0");
        properties.put(BrokerConfig.LOG_DIRS, directory.toString());
        properties.put(BrokerConfig.NUM_NETWORK_THREADS, "2");
        properties.put(BrokerConfig.WORKER_POOL_SIZE, "4");
        properties.putAll(bucketProperties());
        properties.put("remote.log.manager.task.interval.ms", "200");
        properties.put("remote.log.manager.task.retry.backoff.ms", "100");
        properties.put("remote.log.manager.task.retry.backoff.max.ms", "1000");
        properties.put("log.retention.check.interval.ms", "200");
        properties.put("remote.fetch.chunk.bytes", "65536");
        properties.put("remote.fetch.cache.bytes", "4194304");
        properties.put("offsets.bucket.sync.interval.ms", "200");
        return BrokerConfig.of(properties);
    }

    /** The settings that say which bucket the broker tiers to. */
    abstract Map<String, String> bucketProperties();

    /** Closes the clients and the broker (cleanly); the next clients need a new broker. */
    void stopBroker() throws Exception {
        closeClients();
        broker.close();
        broker = null;
    }

    void closeClients() throws Exception {
        for (int i = clients.size() - 1; i >= 0; i--) {
            clients.get(i).close();
        }
        clients.clear();
    }

    <C extends AutoCloseable> C track(C client) {
        clients.add(client);
        return client;
    }

    Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        return track(Admin.create(props));
    }

    /** An idempotent acks=all producer with small batches (so that many fit a 16 KiB segment), plus {@code overrides}. */
    KafkaProducer<byte[], byte[]> producer(Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 2048);
        props.putAll(overrides);
        return track(new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()));
    }

    /** A consumer without a group (assign/seek only), plus {@code overrides}. */
    KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 64 * 1024);
        props.putAll(overrides);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        track(() -> consumer.close(CloseOptions.timeout(Duration.ofSeconds(2))));
        return consumer;
    }

    void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                .all().get(30, TimeUnit.SECONDS);
    }

    UUID topicId(String topic) {
        return broker.logs().topic(topic).orElseThrow().record().topicId();
    }

    PartitionLog log(TopicPartition tp) {
        return broker.logs().log(tp).orElseThrow();
    }

    /**
     * Waits until every sealed segment of {@code tp} is only in the bucket (the local tier is just the
     * active segment) and the local tier starts above {@code minLocalStart}: the log is mostly
     * remote-only, and its local/remote boundary stays put while nothing is produced.
     */
    void awaitRemoteOnlyUpTo(TopicPartition tp, long minLocalStart) {
        await("local tier of " + tp + " only its active segment, above " + minLocalStart)
                .atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    PartitionLog log = log(tp);
                    List<SegmentRecord> local = log.segmentRecords();
                    assertThat(log.localStartOffset()).isGreaterThan(minLocalStart)
                            .isEqualTo(local.get(local.size() - 1).baseOffset());
                    assertThat(log.remoteEndOffset()).isEqualTo(log.localStartOffset());
                });
    }

    /** Waits until every sealed segment of {@code tp} is in the bucket; returns the end of the tiered offsets. */
    long awaitEverySealedSegmentCopied(TopicPartition tp) {
        PartitionLog log = log(tp);
        await("sealed segments of " + tp + " copied").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    var segments = log.segmentRecords();
                    long activeBase = segments.get(segments.size() - 1).baseOffset();
                    assertThat(activeBase).isPositive();
                    assertThat(log.remoteEndOffset()).isEqualTo(activeBase);
                });
        return log.remoteEndOffset();
    }

    /** Deletes {@code root} and everything below it. */
    static void deleteRecursively(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
        assertThat(root).doesNotExist();
    }

    /** Polls until {@code count} records arrived (failing after 60 s), returning exactly those. */
    static List<ConsumerRecord<byte[], byte[]>> poll(KafkaConsumer<byte[], byte[]> consumer, int count) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>(count);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (records.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        assertThat(records).as("records polled within 60 s").hasSizeGreaterThanOrEqualTo(count);
        return records.subList(0, count);
    }
}
