package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.StrataBroker;
import io.strata.broker.config.BrokerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code kcat -G} (librdkafka's balanced consumer) reads through a consumer group and commits its offsets. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class KcatConsumerGroupTest {

    private static final String TOPIC = "kcat-group";
    private static final String GROUP = "kcat-group-1";
    private static final int PARTITIONS = 3;

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
                "group.initial.rebalance.delay.ms", "200")));
    }

    @AfterEach
    void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void kcatInAGroupReadsEveryRecordAndTheGroupResumesAfterIt() throws Exception {
        // Given kcat and 4 records in each of 3 partitions
        Path kcat = ExternalTool.require("kcat", "apt-get install kcat");
        Clients.createTopic(broker.bootstrapServers(), TOPIC, PARTITIONS, Map.of());
        List<String> values = new ArrayList<>();
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers(), Map.of())) {
            for (int p = 0; p < PARTITIONS; p++) {
                for (int n = 0; n < 4; n++) {
                    values.add("p" + p + "-" + n);
                    producer.send(new ProducerRecord<>(TOPIC, p, null, "p" + p + "-" + n)).get();
                }
            }
        }

        // When kcat consumes them as a member of a group, then exits
        ExternalTool.Result result = ExternalTool.run(List.of(kcat.toString(), "-b", broker.bootstrapServers(),
                        "-G", GROUP, "-o", "beginning", "-c", Integer.toString(values.size()), "-q", "-f", "%s\\n",
                        "-X", "enable.auto.commit=true", "-X", "auto.commit.interval.ms=100", TOPIC),
                Path.of("."), "", Duration.ofSeconds(60));

        // Then it printed every record once, and the group's committed offsets are at the end of every partition
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout().lines().toList()).containsExactlyInAnyOrderElementsOf(values);
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            assertThat(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get().values())
                    .hasSize(PARTITIONS).extracting(OffsetAndMetadata::offset).containsOnly(4L);
        }
    }
}
