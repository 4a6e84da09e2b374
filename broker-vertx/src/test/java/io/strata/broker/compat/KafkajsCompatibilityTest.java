package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.record.CompressionType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * kafkajs 2.2 (src/test/js/kafkajs-compat.js) against an in-process broker: admin createTopics, keyed
 * produce with headers (uncompressed and gzip), fetchTopicOffsets and fetchTopicOffsetsByTimestamp. kafkajs
 * cannot consume without a consumer group, so the Java consumer reads its records back.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkajsCompatibilityTest {

    private static final String TOPIC = "kafkajs";
    private static final int RECORDS = 12;

    @RegisterExtension
    final InProcessBroker broker = InProcessBroker.tiered();

    @Test
    void kafkajsCreatesProducesAndListsOffsetsAndTheJavaConsumerReadsItsRecords() throws Exception {
        // Given node and the kafkajs package installed
        Path node = ExternalTool.nodeWithKafkajs();
        long t0 = System.currentTimeMillis() / 1000 * 1000 - 120_000;

        // When the kafkajs script runs against the broker
        ExternalTool.Result result = ExternalTool.run(
                List.of(node.toString(), "kafkajs-compat.js", broker.bootstrapServers(), TOPIC, Long.toString(t0)),
                ExternalTool.JS_DIR, "", Duration.ofSeconds(60));

        // Then every step passed, and the one that needs consumer groups says it was skipped
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout())
                .doesNotContain("FAIL")
                .contains("OK createTopics: kafkajs with 3 partitions")
                .contains("OK produce none: 6 records, base offset 0 in each partition")
                .contains("OK produce gzip: 6 records, base offset 2 in each partition")
                .contains("OK fetchTopicOffsets: low 0, high 4 in each partition")
                .contains("OK fetchTopicOffsetsByTimestamp")
                .contains("SKIP consume: kafkajs consumers always join a consumer group");

        // And the Java consumer reads exactly what kafkajs says it produced, headers and timestamps included
        JsonArray produced = new JsonArray(result.stdout().lines()
                .filter(line -> line.startsWith("RECORDS ")).findFirst().orElseThrow().substring("RECORDS ".length()));
        assertThat(produced).hasSize(RECORDS);
        List<TopicPartition> partitions = IntStream.range(0, 3).mapToObj(p -> new TopicPartition(TOPIC, p)).toList();
        List<ConsumerRecord<String, String>> records = Clients.readAll(broker.bootstrapServers(), partitions);
        assertThat(records).hasSize(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            JsonObject expected = produced.getJsonObject(i);
            ConsumerRecord<String, String> actual = records.stream()
                    .filter(r -> r.partition() == expected.getInteger("partition")
                            && r.offset() == expected.getLong("offset"))
                    .findFirst().orElseThrow(() -> new AssertionError("missing " + expected));
            assertThat(actual.key()).isEqualTo("key-" + i).isEqualTo(expected.getString("key"));
            assertThat(actual.value()).isEqualTo("value-" + i + " from kafkajs").isEqualTo(expected.getString("value"));
            assertThat(actual.timestamp()).isEqualTo(t0 + i * 1000L);
            assertThat(actual.headers().toArray()).extracting(Header::key).containsExactly("source", "index");
            assertThat(new String(actual.headers().lastHeader("index").value(), StandardCharsets.UTF_8))
                    .isEqualTo(Integer.toString(i));
        }

        // And kafkajs's gzip batches were stored as it sent them
        assertThat(Segments.storedCodecs(broker.dataDir(), new TopicPartition(TOPIC, 0)))
                .containsExactly(CompressionType.NONE, CompressionType.GZIP);
    }
}
