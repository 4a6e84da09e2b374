package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * librdkafka, through kcat, against an in-process broker: metadata, keyed produce with headers under every
 * codec kcat offers, consume from the beginning / an offset / a timestamp, and offset queries. librdkafka
 * picks its own request versions, so this covers versions the Java client does not send.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KcatCompatibilityTest {

    private static final Duration KCAT_TIMEOUT = Duration.ofSeconds(30);
    private static final String FORMAT = "%p|%o|%k|%s|%h\\n";

    @RegisterExtension
    static final InProcessBroker broker = InProcessBroker.tiered();

    private Path kcat;

    @BeforeEach
    void requireKcat() {
        kcat = ExternalTool.kcat();
    }

    @Test
    void metadataListsTheBrokerAndTheTopicWithItsPartitions() throws Exception {
        // Given a topic with three partitions
        Clients.createTopic(broker.bootstrapServers(), "kcat-meta", 3, Map.of());

        // When kcat lists the metadata
        ExternalTool.Result result = kcat("-L", "-t", "kcat-meta");

        // Then it sees this broker as the only broker and the leader, replica and ISR of every partition
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout())
                .contains(" 1 brokers:\n  broker 0 at " + broker.bootstrapServers())
                .contains("  topic \"kcat-meta\" with 3 partitions:\n"
                        + "    partition 0, leader 0, replicas: 0, isrs: 0\n"
                        + "    partition 1, leader 0, replicas: 0, isrs: 0\n"
                        + "    partition 2, leader 0, replicas: 0, isrs: 0\n");
    }

    @ParameterizedTest(name = "codec {0}")
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void keyedRecordsWithHeadersRoundTripUnderEveryCodec(String codec) throws Exception {
        // Given a topic
        String topic = "kcat-" + codec;
        Clients.createTopic(broker.bootstrapServers(), topic, 1, Map.of());
        // (compressible values: librdkafka sends a batch uncompressed when compression does not shrink it)
        String padding = " " + codec.repeat(40);
        List<String> lines = IntStream.range(0, 6).mapToObj(i -> "key-" + i + ":value " + i + padding).toList();

        // When kcat produces keyed records with two headers under the codec
        ExternalTool.Result produced = ExternalTool.run(command("-P", "-t", topic, "-p", "0", "-K:",
                        "-H", "trace=abc", "-H", "codec=" + codec, "-X", "compression.codec=" + codec,
                        "-X", "linger.ms=100"),
                broker.dataDir(), String.join("\n", lines) + "\n", KCAT_TIMEOUT);
        assertThat(produced.exitCode()).as(produced.toString()).isZero();
        List<CompressionType> storedByKcat = storedCodecs(topic);

        // And the Java producer appends two records compressed with the same codec
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers(),
                Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec, ProducerConfig.LINGER_MS_CONFIG, 50))) {
            var first = producer.send(new ProducerRecord<>(topic, 0, "java-6", "java 6" + padding,
                    List.of(new RecordHeader("from", "java".getBytes(StandardCharsets.UTF_8)))));
            var second = producer.send(new ProducerRecord<>(topic, 0, "java-7", "java 7" + padding));
            assertThat(first.get(30, TimeUnit.SECONDS).offset()).isEqualTo(6);
            assertThat(second.get(30, TimeUnit.SECONDS).offset()).isEqualTo(7);
        }

        // Then kcat reads them all back from the beginning, exactly
        List<String> expected = new ArrayList<>(IntStream.range(0, 6)
                .mapToObj(i -> "0|" + i + "|key-" + i + "|value " + i + padding + "|trace=abc,codec=" + codec)
                .toList());
        expected.add("0|6|java-6|java 6" + padding + "|from=java");
        expected.add("0|7|java-7|java 7" + padding + "|");
        assertThat(consume(topic, "beginning")).containsExactlyElementsOf(expected);

        // And from an offset
        assertThat(consume(topic, "4")).containsExactlyElementsOf(expected.subList(4, 8));

        // And the broker stored kcat's batches as sent, compressed with the codec (librdkafka up to 2.11
        // enables lz4 only for brokers that advertise FindCoordinator v0, its "0.8.2 broker" test)
        assertThat(storedByKcat).isNotEmpty().containsOnly(CompressionType.forName(codec));
        assertThat(storedCodecs(topic)).endsWith(CompressionType.forName(codec));
    }

    @Test
    void consumesFromATimestampAndQueriesOffsetsByTimestamp() throws Exception {
        // Given five records one second apart
        String topic = "kcat-time";
        Clients.createTopic(broker.bootstrapServers(), topic, 1, Map.of());
        long t0 = System.currentTimeMillis() / 1000 * 1000 - 60_000;
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers(), Map.of())) {
            for (int i = 0; i < 5; i++) {
                producer.send(new ProducerRecord<>(topic, 0, t0 + i * 1000L, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
            }
        }

        // When kcat consumes from a timestamp between the second and the third record
        List<String> fromTime = consume(topic, "s@" + (t0 + 1500));

        // Then it starts at the third record
        assertThat(fromTime).containsExactly("0|2|k2|v2|", "0|3|k3|v3|", "0|4|k4|v4|");

        // And offset queries by timestamp and for the end answer as Kafka would
        assertThat(queryOffset(topic, t0 + 1000)).isEqualTo(1);
        assertThat(queryOffset(topic, t0 + 1001)).isEqualTo(2);
        assertThat(queryOffset(topic, -1)).as("latest").isEqualTo(5);
        assertThat(queryOffset(topic, -2)).as("earliest").isZero();
    }

    private List<String> consume(String topic, String offset) throws Exception {
        ExternalTool.Result result = kcat("-C", "-t", topic, "-p", "0", "-o", offset, "-e", "-q", "-f", FORMAT);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result.stdout().lines().toList();
    }

    /** {@code kcat -Q -t topic:0:timestamp} prints {@code topic [0] offset N}. */
    private long queryOffset(String topic, long timestamp) throws Exception {
        ExternalTool.Result result = kcat("-Q", "-t", topic + ":0:" + timestamp);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        String prefix = topic + " [0] offset ";
        List<String> answers = result.stdout().lines().filter(line -> line.startsWith(prefix)).toList();
        assertThat(answers).as(result.toString()).hasSize(1);
        return Long.parseLong(answers.get(0).substring(prefix.length()).trim());
    }

    private ExternalTool.Result kcat(String... args) throws Exception {
        return ExternalTool.run(command(args), broker.dataDir(), "", KCAT_TIMEOUT);
    }

    private List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(kcat.toString(), "-b", broker.bootstrapServers()));
        command.addAll(List.of(args));
        return command;
    }

    private static List<CompressionType> storedCodecs(String topic) throws Exception {
        return Segments.storedCodecs(broker.dataDir(), new TopicPartition(topic, 0));
    }
}
