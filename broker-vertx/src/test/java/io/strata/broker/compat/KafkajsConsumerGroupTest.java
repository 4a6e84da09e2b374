package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two kafkajs consumers of one group (src/test/js/kafkajs-group.js) split a topic and commit their offsets. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KafkajsConsumerGroupTest {

    private static final String TOPIC = "kafkajs-group";
    private static final String GROUP = "kafkajs-group-1";
    private static final int PARTITIONS = 4;
    private static final int PER_PARTITION = 5;

    @RegisterExtension
    final InProcessBroker broker = InProcessBroker.local(Map.of("group.initial.rebalance.delay.ms", "500"));

    @Test
    void twoKafkajsConsumersOfOneGroupReadEveryRecordOnceAndCommit() throws Exception {
        // Given node, kafkajs, and a topic with 5 records in each of 4 partitions
        Path node = ExternalTool.nodeWithKafkajs();
        List<String> values = Clients.createAndFill(broker.bootstrapServers(), TOPIC, PARTITIONS, PER_PARTITION);

        // When two kafkajs consumers of one group read them
        ExternalTool.Result result = ExternalTool.run(List.of(node.toString(), "kafkajs-group.js",
                        broker.bootstrapServers(), TOPIC, GROUP, Integer.toString(values.size())),
                ExternalTool.JS_DIR, "", Duration.ofSeconds(75));

        // Then every record was read once, and the group committed the end of every partition
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).doesNotContain("FAIL");
        JsonArray consumed = new JsonArray(line(result, "CONSUMED "));
        assertThat(consumed.getList()).containsExactlyInAnyOrderElementsOf(values);
        Map<TopicPartition, Long> committed = Clients.committedOffsets(broker.bootstrapServers(), GROUP);
        assertThat(committed.keySet()).containsExactlyInAnyOrderElementsOf(IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition(TOPIC, p)).toList());
        assertThat(committed.values()).containsOnly((long) PER_PARTITION);
        assertThat(line(result, "OFFSETS ")).contains("\"offset\":\"" + PER_PARTITION + "\"");
    }

    private static String line(ExternalTool.Result result, String prefix) {
        return result.stdout().lines().filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + prefix + "line in " + result)).substring(prefix.length());
    }
}
