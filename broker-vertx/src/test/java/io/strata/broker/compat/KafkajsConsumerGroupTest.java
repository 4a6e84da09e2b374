package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.StrataBroker;
import io.strata.broker.config.BrokerConfig;
import io.vertx.core.json.JsonArray;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two kafkajs consumers of one group (src/test/js/kafkajs-group.js) split a topic and commit their offsets. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkajsConsumerGroupTest {

    private static final Path JS_DIR = Path.of("src", "test", "js").toAbsolutePath();
    private static final String TOPIC = "kafkajs-group";
    private static final String GROUP = "kafkajs-group-1";
    private static final int PARTITIONS = 4;
    private static final int PER_PARTITION = 5;

    @TempDir
    Path dataDir;

    private StrataBroker broker;

    @BeforeEach
    void startBroker() {
        broker = StrataBroker.start(BrokerConfig.of(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "http.port", "0",
                "log.dirs", dataDir.toString(),
                "remote.log.storage.system.enable", "false",
                "group.initial.rebalance.delay.ms", "500")));
    }

    @AfterEach
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void twoKafkajsConsumersOfOneGroupReadEveryRecordOnceAndCommit() throws Exception {
        // Given node, kafkajs, and a topic with 5 records in each of 4 partitions
        Path node = ExternalTool.require("node", "apt-get install nodejs");
        ExternalTool.requireThat(Files.isDirectory(JS_DIR.resolve("node_modules").resolve("kafkajs")),
                "kafkajs is not installed (run npm ci in " + JS_DIR + ")");
        Clients.createTopic(broker.bootstrapServers(), TOPIC, PARTITIONS, Map.of());
        List<String> values = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers(), Map.of())) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int n = 0; n < PER_PARTITION; n++) {
                    values.add("p" + p + "-" + n);
                    producer.send(new ProducerRecord<>(TOPIC, p, null, "p" + p + "-" + n)).get();
                }
            }
        }

        // When two kafkajs consumers of one group read them
        ExternalTool.Result result = ExternalTool.run(List.of(node.toString(), "kafkajs-group.js",
                        broker.bootstrapServers(), TOPIC, GROUP, Integer.toString(values.size())),
                JS_DIR, "", Duration.ofSeconds(75));

        // Then every record was read once, and the group committed the end of every partition
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).doesNotContain("FAIL");
        JsonArray consumed = new JsonArray(line(result, "CONSUMED "));
        assertThat(consumed.getList()).containsExactlyInAnyOrderElementsOf(values);
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
            assertThat(committed.keySet()).containsExactlyInAnyOrderElementsOf(IntStream.range(0, PARTITIONS)
                    .mapToObj(p -> new TopicPartition(TOPIC, p)).toList());
            assertThat(committed.values()).extracting(OffsetAndMetadata::offset).containsOnly((long) PER_PARTITION);
        }
        assertThat(line(result, "OFFSETS ")).contains("\"offset\":\"" + PER_PARTITION + "\"");
    }

    private static String line(ExternalTool.Result result, String prefix) {
        return result.stdout().lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + "line in " + result)).substring(prefix.length());
    }
}
