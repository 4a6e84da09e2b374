package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SIGKILL of the broker JVM while an idempotent {@code acks=all} producer keeps sending, then a restart on
 * the same data directory and port. An acknowledgement means the page cache (README, Durability), which a
 * killed process does not lose, so nothing acknowledged may be missing; the producer rides through the
 * restart and its retries must be deduplicated from the recovered producer state.
 */
class CrashRecoveryTest {

    private static final String TOPIC = "crash";
    private static final List<TopicPartition> PARTITIONS =
            List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));

    @TempDir
    Path tempDir;

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    static Stream<Arguments> variants() {
        return Stream.of(
                Arguments.of("page cache only (defaults)", Map.of(), Map.of(), 3_000),
                Arguments.of("fsync every record", Map.of("log.flush.interval.messages", "1"), Map.of(), 1_500),
                Arguments.of("tiny segments: the kill lands across rolls", Map.of(),
                        Map.of("segment.bytes", "8192", "index.interval.bytes", "512"), 3_000));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyAcknowledgedRecordSurvivesSigkillExactlyOnceAndProducersContinue(
            String name, Map<String, String> brokerConfig, Map<String, String> topicConfig, int ackedBeforeKill)
            throws Exception {
        // Given a broker on a fixed port with a two-partition topic
        Path dataDir = tempDir.resolve("data");
        Map<String, String> config = new HashMap<>(brokerConfig);
        config.put("listeners", "PLAINTEXT://127.0.0.1:" + BrokerProcess.freePort());
        BrokerProcess first = brokers.start(dataDir, config);
        String bootstrap = first.bootstrapServers();
        Clients.createTopic(bootstrap, TOPIC, PARTITIONS.size(), topicConfig);

        // And an idempotent producer sending unique values without pause
        Map<Integer, RecordMetadata> acked = new ConcurrentHashMap<>();
        Map<Integer, Exception> failed = new ConcurrentHashMap<>();
        AtomicInteger sent = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Semaphore inFlight = new Semaphore(500);
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of(
                ProducerConfig.LINGER_MS_CONFIG, 2,
                ProducerConfig.BATCH_SIZE_CONFIG, 4096,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000))) {
            Thread sender = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                            continue;
                        }
                        int id = sent.getAndIncrement();
                        producer.send(new ProducerRecord<>(TOPIC, id % PARTITIONS.size(), "k" + id, value(id)),
                                (metadata, error) -> {
                                    if (error == null) {
                                        acked.put(id, metadata);
                                    } else {
                                        failed.put(id, error);
                                    }
                                    inFlight.release();
                                });
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "crash-test-sender");
            sender.start();
            try {
                await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= ackedBeforeKill);
                if (topicConfig.containsKey("segment.bytes")) {
                    assertThat(segmentFiles(dataDir, 0)).as("segments rolled before the kill").hasSizeGreaterThan(2);
                }

                // When the broker is killed mid-production and restarted on the same data directory and port
                first.kill();
                Map<Integer, RecordMetadata> ackedAtKill = Map.copyOf(acked);
                BrokerProcess second = brokers.start(dataDir, config);
                assertThat(second.bootstrapServers()).isEqualTo(bootstrap);
                await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= ackedAtKill.size() + 1_000);
                stop.set(true);
                sender.join(10_000);
                producer.flush();

                // Then every send was acknowledged, none failed
                assertThat(failed).as("failed sends").isEmpty();
                assertThat(acked).hasSize(sent.get());

                // And the log holds each value exactly once, at contiguous offsets, where its ack said
                List<ConsumerRecord<String, String>> records = Clients.readAll(bootstrap, PARTITIONS);
                assertContiguousFromZero(records);
                Map<String, ConsumerRecord<String, String>> byValue = new HashMap<>();
                for (ConsumerRecord<String, String> record : records) {
                    assertThat(byValue.put(record.value(), record)).as("duplicate of %s", record.value()).isNull();
                }
                assertThat(records).hasSize(sent.get());
                for (Map.Entry<Integer, RecordMetadata> ack : acked.entrySet()) {
                    ConsumerRecord<String, String> record = byValue.get(value(ack.getKey()));
                    assertThat(record).as("acknowledged %s", value(ack.getKey())).isNotNull();
                    assertThat(record.partition()).isEqualTo(ack.getValue().partition());
                    assertThat(record.offset()).isEqualTo(ack.getValue().offset());
                    assertThat(record.key()).isEqualTo("k" + ack.getKey());
                }
                assertThat(ackedAtKill.keySet()).allSatisfy(id -> assertThat(byValue).containsKey(value(id)));
                assertThat(second.log()).doesNotContain("ERROR");
            } finally {
                stop.set(true);
                sender.join(10_000);
            }
        }

        // And a new idempotent producer gets a fresh producer id and appends right after the old end
        Map<TopicPartition, Long> ends = endOffsets(bootstrap);
        try (KafkaProducer<String, String> next = Clients.producer(bootstrap, Map.of())) {
            for (TopicPartition tp : PARTITIONS) {
                for (int i = 0; i < 3; i++) {
                    RecordMetadata metadata = next.send(new ProducerRecord<>(TOPIC, tp.partition(), "next", "next-" + i))
                            .get(30, TimeUnit.SECONDS);
                    assertThat(metadata.offset()).isEqualTo(ends.get(tp) + i);
                }
            }
        }
    }

    private static String value(int id) {
        return String.format("value-%08d-%s", id, "x".repeat(40));
    }

    private static void assertContiguousFromZero(List<ConsumerRecord<String, String>> records) {
        Map<Integer, Long> next = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            long expected = next.getOrDefault(record.partition(), 0L);
            assertThat(record.offset()).as("offset in partition %d", record.partition()).isEqualTo(expected);
            next.put(record.partition(), expected + 1);
        }
        assertThat(next.keySet()).containsExactlyInAnyOrder(0, 1);
    }

    private static Map<TopicPartition, Long> endOffsets(String bootstrap) {
        try (var consumer = Clients.consumer(bootstrap)) {
            return consumer.endOffsets(PARTITIONS);
        }
    }

    private static Set<Path> segmentFiles(Path dataDir, int partition) throws Exception {
        try (Stream<Path> files = Files.list(dataDir.resolve(TOPIC + "-" + partition))) {
            return new HashSet<>(files.filter(f -> f.toString().endsWith(".log")).toList());
        }
    }
}
