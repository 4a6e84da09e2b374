package io.strata.broker.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.AlterConfigsOptions;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.serialization.StringDeserializer;
import io.strata.broker.network.RawKafkaClient;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The admin surface through kafka-clients' {@code Admin}: topic and broker configs (describe, alter,
 * incremental alter, validation), partition increases, log dirs and idempotent producers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminApisTest extends AdminBrokerTestBase {

    private static final AtomicInteger NAMES = new AtomicInteger();

    private String topic;
    private ConfigResource resource;

    @BeforeEach
    void newTopic() throws Exception {
        topic = "admin-apis-" + NAMES.incrementAndGet();
        resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        createTopic(admin, topic, 2);
    }

    private Config describe() throws Exception {
        return admin.describeConfigs(List.of(resource), new DescribeConfigsOptions().includeSynonyms(true)
                .includeDocumentation(true)).all().get().get(resource);
    }

    private void alter(AlterConfigOp... ops) throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(ops))).all().get();
    }

    private static AlterConfigOp set(String name, String value) {
        return new AlterConfigOp(new ConfigEntry(name, value), AlterConfigOp.OpType.SET);
    }

    @Test
    void describeConfigsReportsEveryTopicConfigWithItsSourceSynonymsAndDocumentation() throws Exception {
        // Given a topic with one override
        alter(set("segment.ms", "60000"));

        // When its configs are described
        Config config = describe();

        // Then the override is a dynamic topic config, the broker's retention a static broker config,
        // and a config nobody set Kafka's default
        ConfigEntry segmentMs = config.get("segment.ms");
        assertThat(segmentMs.value()).isEqualTo("60000");
        assertThat(segmentMs.source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(segmentMs.synonyms()).first().extracting(ConfigEntry.ConfigSynonym::source)
                .isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        ConfigEntry retention = config.get("retention.ms");
        assertThat(retention.value()).isEqualTo("86400000");
        assertThat(retention.source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(retention.synonyms()).extracting(ConfigEntry.ConfigSynonym::name).contains("log.retention.ms");
        assertThat(retention.type()).isEqualTo(ConfigEntry.ConfigType.LONG);
        assertThat(retention.documentation()).isNotBlank();
        ConfigEntry minIsr = config.get("min.insync.replicas");
        assertThat(minIsr.value()).isEqualTo("1");
        assertThat(minIsr.source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(config.get("local.retention.ms")).isNotNull();
        assertThat(config.get("cleanup.policy").value()).isEqualTo("delete");
    }

    @Test
    void brokerConfigsAreReadableWithSecretsHidden() throws Exception {
        // When the broker's configs are described
        ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER,
                Integer.toString(broker.config().nodeId()));
        Config config = admin.describeConfigs(List.of(brokerResource)).all().get().get(brokerResource);

        // Then settings are there with their sources, and the S3 secret key is sensitive and without value
        assertThat(config.get("log.retention.ms").value()).isEqualTo("86400000");
        assertThat(config.get("log.retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
        assertThat(config.get("num.partitions").source()).isEqualTo(ConfigEntry.ConfigSource.DEFAULT_CONFIG);
        assertThat(config.get("num.partitions").isReadOnly()).isTrue();
        ConfigEntry secret = config.get("s3.secret.key");
        assertThat(secret.isSensitive()).isTrue();
        assertThat(secret.value()).isNull();
        assertThat(config.entries()).extracting(ConfigEntry::value).doesNotContain(SECRET);
    }

    @Test
    void incrementalAlterConfigsSetsAndDeletesOverridesDurablyAndAppliesThemToTheLogs() throws Exception {
        // When retention settings are set, then one is deleted again
        alter(set("retention.ms", "3600000"), set("local.retention.ms", "60000"));
        alter(new AlterConfigOp(new ConfigEntry("local.retention.ms", null), AlterConfigOp.OpType.DELETE));

        // Then DescribeConfigs, the stored topic and the open partition logs all agree
        Config config = describe();
        assertThat(config.get("retention.ms").value()).isEqualTo("3600000");
        assertThat(config.get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(config.get("local.retention.ms").source()).isNotEqualTo(ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
        assertThat(broker.logs().indexStore().topics().get(topic).orElseThrow().configs())
                .isEqualTo(Map.of("retention.ms", "3600000"));
        for (int p = 0; p < 2; p++) {
            assertThat(broker.logs().log(new TopicPartition(topic, p)).orElseThrow().config().retentionMs())
                    .isEqualTo(3_600_000L);
        }
    }

    @Test
    void appendAndSubtractWorkOnListConfigsOnly() throws Exception {
        // When a list config gets values appended and one subtracted
        alter(new AlterConfigOp(new ConfigEntry("leader.replication.throttled.replicas", "0:0,1:0"),
                AlterConfigOp.OpType.APPEND));
        alter(new AlterConfigOp(new ConfigEntry("leader.replication.throttled.replicas", "0:0"),
                AlterConfigOp.OpType.SUBTRACT));

        // Then the remaining value is stored
        assertThat(describe().get("leader.replication.throttled.replicas").value()).isEqualTo("1:0");

        // And appending to a non-list config is an invalid config
        assertThatThrownBy(() -> alter(new AlterConfigOp(new ConfigEntry("retention.ms", "5"),
                AlterConfigOp.OpType.APPEND)))
                .cause().isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("retention.ms");
    }

    @Test
    void invalidUnknownAndCompactConfigsAreRefusedWithAMessageNamingThem() throws Exception {
        assertThatThrownBy(() -> alter(set("retention.ms", "soon")))
                .cause().isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("retention.ms");
        assertThatThrownBy(() -> alter(set("no.such.config", "1")))
                .cause().isInstanceOf(InvalidConfigurationException.class).hasMessageContaining("no.such.config");
        assertThatThrownBy(() -> alter(set("cleanup.policy", "compact")))
                .cause().isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("cleanup.policy").hasMessageContaining("compaction");

        // and nothing was changed
        assertThat(describe().get("retention.ms").source()).isEqualTo(ConfigEntry.ConfigSource.STATIC_BROKER_CONFIG);
    }

    @Test
    void validateOnlyChangesNothing() throws Exception {
        admin.incrementalAlterConfigs(Map.of(resource, List.of(set("retention.ms", "1000"))),
                new AlterConfigsOptions().validateOnly(true)).all().get();

        assertThat(describe().get("retention.ms").value()).isEqualTo("86400000");
    }

    @Test
    void legacyAlterConfigsReplacesTheWholeOverrideSet() throws Exception {
        // Given two overrides
        alter(set("retention.ms", "3600000"), set("segment.ms", "60000"));

        // When the legacy AlterConfigs (gone from Admin in Kafka 4, still served) sets only one config
        AlterConfigsResponse response;
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            response = client.call(new AlterConfigsRequest.Builder(Map.of(resource, new AlterConfigsRequest.Config(
                    List.of(new AlterConfigsRequest.ConfigEntry("retention.bytes", "1048576")))), false).build(), 1);
        }

        // Then it is the only override left
        assertThat(response.errors().get(resource).error()).isEqualTo(Errors.NONE);
        assertThat(broker.logs().topic(topic).orElseThrow().record().configs())
                .isEqualTo(Map.of("retention.bytes", "1048576"));
    }

    @Test
    void offsetForLeaderEpochAnswersTheLogEndForEpochZeroAndUndefinedAboveIt() throws Exception {
        produce(broker.bootstrapServers(), topic, 1, 3);

        EpochEndOffset current = offsetForLeaderEpoch(-1, 0);
        EpochEndOffset later = offsetForLeaderEpoch(-1, 5);
        EpochEndOffset fenced = offsetForLeaderEpoch(-3, 0);
        EpochEndOffset unknown = offsetForLeaderEpoch(1, 0);

        assertThat(current.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(current.leaderEpoch()).isZero();
        assertThat(current.endOffset()).isEqualTo(3);
        assertThat(later.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(later.leaderEpoch()).isEqualTo(-1);
        assertThat(later.endOffset()).isEqualTo(-1);
        assertThat(fenced.errorCode()).isEqualTo(Errors.FENCED_LEADER_EPOCH.code());
        assertThat(unknown.errorCode()).isEqualTo(Errors.UNKNOWN_LEADER_EPOCH.code());
    }

    private EpochEndOffset offsetForLeaderEpoch(int currentLeaderEpoch, int leaderEpoch) throws Exception {
        OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
        topics.add(new OffsetForLeaderTopic().setTopic(topic).setPartitions(List.of(new OffsetForLeaderPartition()
                .setPartition(0).setCurrentLeaderEpoch(currentLeaderEpoch).setLeaderEpoch(leaderEpoch))));
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            OffsetsForLeaderEpochResponse response = client.call(
                    OffsetsForLeaderEpochRequest.Builder.forConsumer(topics).build(), 1);
            return response.data().topics().find(topic).partitions().get(0);
        }
    }

    @Test
    void brokerConfigsCannotBeAltered() {
        ConfigResource brokerResource = new ConfigResource(ConfigResource.Type.BROKER,
                Integer.toString(broker.config().nodeId()));
        assertThatThrownBy(() -> admin.incrementalAlterConfigs(Map.of(brokerResource,
                List.of(set("log.retention.ms", "1000")))).all().get())
                .cause().isInstanceOf(InvalidRequestException.class).hasMessageContaining("dynamically");
    }

    @Test
    void createPartitionsAddsWritableReadablePartitionsAndRefusesDecreases() throws Exception {
        // When the topic grows from 2 to 4 partitions (after a validate-only request that changes nothing)
        admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4)),
                new CreatePartitionsOptions().validateOnly(true)).all().get();
        assertThat(broker.logs().topic(topic).orElseThrow().partitions()).hasSize(2);
        admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(4))).all().get();

        // Then metadata shows 4 partitions, the count is stored, and the new ones take records
        assertThat(admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(4);
        assertThat(broker.logs().indexStore().topics().get(topic).orElseThrow().partitions()).isEqualTo(4);
        produce(broker.bootstrapServers(), topic, 4, 2);
        assertThat(readAll(4)).hasSize(8);

        // And shrinking is refused
        assertThatThrownBy(() -> admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all().get())
                .cause().isInstanceOf(InvalidPartitionsException.class);
    }

    private List<ConsumerRecord<String, String>> readAll(int partitions) {
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"), new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> assigned = new java.util.ArrayList<>();
            for (int p = 0; p < partitions; p++) {
                assigned.add(new TopicPartition(topic, p));
            }
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            List<ConsumerRecord<String, String>> records = new java.util.ArrayList<>();
            long deadline = System.currentTimeMillis() + 20_000;
            while (records.size() < partitions * 2 && System.currentTimeMillis() < deadline) {
                consumer.poll(java.time.Duration.ofMillis(200)).forEach(records::add);
            }
            return records;
        }
    }

    @Test
    void describeLogDirsReportsTheDataDirectoryWithEachPartitionsLocalSize() throws Exception {
        produce(broker.bootstrapServers(), topic, 1, 3);
        int node = broker.config().nodeId();

        Map<String, LogDirDescription> dirs = admin.describeLogDirs(List.of(node)).allDescriptions().get().get(node);

        assertThat(dirs).hasSize(1);
        LogDirDescription dir = dirs.values().iterator().next();
        assertThat(dirs.keySet().iterator().next()).isEqualTo(dataDir.toAbsolutePath().normalize().toString());
        assertThat(dir.error()).isNull();
        assertThat(dir.totalBytes()).isPresent();
        assertThat(dir.usableBytes().orElseThrow()).isPositive();
        long size = broker.logs().log(new TopicPartition(topic, 0)).orElseThrow().sizeInBytes();
        assertThat(size).isPositive();
        assertThat(dir.replicaInfos().get(new TopicPartition(topic, 0)).size()).isEqualTo(size);
        assertThat(dir.replicaInfos().get(new TopicPartition(topic, 1)).size()).isZero();
        assertThat(dir.replicaInfos().get(new TopicPartition(topic, 0)).isFuture()).isFalse();
    }

    @Test
    void describeProducersListsTheIdempotentProducerOfAPartition() throws Exception {
        produce(broker.bootstrapServers(), topic, 1, 3);
        TopicPartition tp = new TopicPartition(topic, 0);

        Collection<ProducerState> producers = admin.describeProducers(List.of(tp)).all().get().get(tp)
                .activeProducers();

        assertThat(producers).hasSize(1);
        ProducerState producer = producers.iterator().next();
        assertThat(producer.producerId()).isNotNegative();
        assertThat(producer.lastSequence()).isEqualTo(2);
        assertThat(producer.lastTimestamp()).isPositive();
        assertThat(producer.coordinatorEpoch()).isEmpty();
        assertThat(producer.currentTransactionStartOffset()).isEmpty();
        assertThat(admin.describeProducers(List.of(new TopicPartition(topic, 1))).all().get()
                .get(new TopicPartition(topic, 1)).activeProducers()).isEmpty();
    }

    @Test
    void describingAnUnknownTopicFails() {
        ConfigResource missing = new ConfigResource(ConfigResource.Type.TOPIC, "no-such-topic");
        assertThatThrownBy(() -> admin.describeConfigs(List.of(missing)).all().get())
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(org.apache.kafka.common.errors.UnknownTopicOrPartitionException.class);
    }
}
