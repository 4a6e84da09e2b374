package io.strata.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.group.KafkaTool;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import kafka.admin.ConfigCommand;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.tools.DeleteRecordsCommand;
import org.apache.kafka.tools.GetOffsetShell;
import org.apache.kafka.tools.LogDirsCommand;
import org.apache.kafka.tools.TopicCommand;
import org.apache.kafka.tools.TransactionsCommand;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stock Kafka CLI tools, run in-process by their main classes against the broker, asserting on what
 * they print: {@code kafka-topics}, {@code kafka-configs}, {@code kafka-get-offsets},
 * {@code kafka-delete-records} and {@code kafka-log-dirs}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KafkaCliToolsTest extends AdminBrokerTestBase {

    private static final AtomicInteger NAMES = new AtomicInteger();

    private String topic;

    @BeforeEach
    void topicName() {
        topic = "cli-" + NAMES.incrementAndGet();
    }

    /** What the tool printed, run with {@code --bootstrap-server} and {@code args}. */
    private String tool(KafkaTool.ToolMain main, String... args) {
        return KafkaTool.runAgainst(broker.bootstrapServers(), main, args);
    }

    @Test
    void kafkaTopicsCreatesListsDescribesAltersAndDeletes() throws Exception {
        // create
        assertThat(tool(TopicCommand::main, "--create", "--topic", topic, "--partitions", "2",
                "--config", "retention.ms=3600000")).contains("Created topic " + topic + ".");

        // list
        assertThat(tool(TopicCommand::main, "--list").lines()).contains(topic);

        // describe: the topic line with its override, and one line per partition led by this broker
        String described = tool(TopicCommand::main, "--describe", "--topic", topic);
        assertThat(described).contains("Topic: " + topic).contains("PartitionCount: 2")
                .contains("ReplicationFactor: 1").contains("retention.ms=3600000")
                .as("configs at Kafka's defaults are not listed").doesNotContain("flush.ms=");
        assertThat(described.lines().filter(line -> line.contains("Partition: ")).toList()).hasSize(2)
                .allSatisfy(line -> assertThat(line).contains("Leader: 0").contains("Replicas: 0").contains("Isr: 0"));

        // alter --partitions
        tool(TopicCommand::main, "--alter", "--topic", topic, "--partitions", "3");
        assertThat(tool(TopicCommand::main, "--describe", "--topic", topic)).contains("PartitionCount: 3");
        assertThat(broker.logs().topic(topic).orElseThrow().partitions()).hasSize(3);

        // delete
        tool(TopicCommand::main, "--delete", "--topic", topic);
        assertThat(tool(TopicCommand::main, "--list").lines()).doesNotContain(topic);
    }

    @Test
    void kafkaTopicsDescribesATopicByItsId() throws Exception {
        // Given a topic and the id kafka-topics reports for it
        tool(TopicCommand::main, "--create", "--topic", topic, "--partitions", "2");
        String id = broker.logs().topic(topic).orElseThrow().topicId().toString();
        assertThat(tool(TopicCommand::main, "--describe", "--topic", topic)).contains("TopicId: " + id);

        // When it is described by that id, then the topic line and its partitions are printed
        String described = tool(TopicCommand::main, "--describe", "--topic-id", id);
        assertThat(described).contains("Topic: " + topic).contains("TopicId: " + id).contains("PartitionCount: 2");
        assertThat(described.lines().filter(line -> line.contains("Partition: ")).toList()).hasSize(2);
    }

    @Test
    void kafkaConfigsAltersAndDescribesRetentionAndLocalRetention() throws Exception {
        createTopic(admin, topic, 1);

        String altered = tool(ConfigCommand::main, "--entity-type", "topics", "--entity-name", topic, "--alter",
                "--add-config", "retention.ms=7200000,local.retention.ms=600000");
        assertThat(altered).contains("Completed updating config for topic " + topic);

        String described = tool(ConfigCommand::main, "--entity-type", "topics", "--entity-name", topic, "--describe");
        assertThat(described).contains("Dynamic configs for topic " + topic)
                .contains("retention.ms=7200000").contains("local.retention.ms=600000")
                .contains("DYNAMIC_TOPIC_CONFIG:retention.ms=7200000")
                .contains("STATIC_BROKER_CONFIG:log.retention.ms=86400000");
        assertThat(broker.logs().log(new TopicPartition(topic, 0)).orElseThrow().config().localRetentionMs())
                .isEqualTo(600_000L);

        tool(ConfigCommand::main, "--entity-type", "topics", "--entity-name", topic, "--alter",
                "--delete-config", "local.retention.ms");
        String after = tool(ConfigCommand::main, "--entity-type", "topics", "--entity-name", topic, "--describe");
        assertThat(after).contains("retention.ms=7200000").doesNotContain("local.retention.ms=600000");
    }

    @Test
    void kafkaConfigsDescribesAllConfigsOfTheBroker() {
        String described = tool(ConfigCommand::main, "--entity-type", "brokers", "--entity-name",
                Integer.toString(broker.config().nodeId()), "--describe", "--all");

        assertThat(described).contains("log.retention.ms=86400000").contains("s3.secret.key=null")
                .doesNotContain(SECRET);
    }

    @Test
    void kafkaGetOffsetsPrintsTheLatestOffsetOfEachPartition() throws Exception {
        createTopic(admin, topic, 2);
        produce(broker.bootstrapServers(), topic, 2, 3);

        String offsets = tool(GetOffsetShell::main, "--topic", topic);

        assertThat(offsets.lines()).contains(topic + ":0:3", topic + ":1:3");
        assertThat(tool(GetOffsetShell::main, "--topic", topic, "--time", "-2").lines())
                .contains(topic + ":0:0", topic + ":1:0");
    }

    @Test
    void kafkaDeleteRecordsMovesTheLowWatermark() throws Exception {
        createTopic(admin, topic, 1);
        produce(broker.bootstrapServers(), topic, 1, 5);
        Path json = dataDir.resolve(topic + "-delete.json");
        Files.writeString(json, "{\"partitions\":[{\"topic\":\"" + topic + "\",\"partition\":0,\"offset\":3}],"
                + "\"version\":1}", StandardCharsets.UTF_8);

        String output = tool(DeleteRecordsCommand::main, "--offset-json-file", json.toString());

        assertThat(output).contains("partition: " + topic + "-0").contains("low_watermark: 3");
        assertThat(tool(GetOffsetShell::main, "--topic", topic, "--time", "-2").lines()).contains(topic + ":0:3");
    }

    @Test
    void kafkaTransactionsDescribesTheIdempotentProducersOfAPartition() throws Exception {
        createTopic(admin, topic, 1);
        produce(broker.bootstrapServers(), topic, 1, 4);

        String output = tool(TransactionsCommand::main, "describe-producers", "--topic", topic, "--partition", "0");

        assertThat(output).contains("ProducerId").contains("LastSequence");
        List<String> rows = output.lines().filter(line -> line.matches("\\d+\\s+\\d+\\s+.*")).toList();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).split("\\s+")).contains("3");
    }

    @Test
    void kafkaLogDirsDescribesTheDataDirectory() throws Exception {
        createTopic(admin, topic, 1);
        produce(broker.bootstrapServers(), topic, 1, 2);
        long size = broker.logs().log(new TopicPartition(topic, 0)).orElseThrow().sizeInBytes();

        String output = tool(LogDirsCommand::main, "--describe", "--topic-list", topic);

        assertThat(output).contains("\"broker\":" + broker.config().nodeId())
                .contains("\"logDir\":\"" + dataDir.toAbsolutePath().normalize() + "\"")
                .contains("\"partition\":\"" + topic + "-0\",\"size\":" + size)
                .contains("\"offsetLag\":0").contains("\"isFuture\":false");
    }
}
