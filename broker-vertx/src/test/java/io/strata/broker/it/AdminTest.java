package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.broker.network.RawKafkaClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicCollection;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.MetadataResponse;
import org.junit.jupiter.api.Test;

/** The Admin client's topic and cluster calls, and topic auto-creation through Metadata. */
class AdminTest extends BrokerTestBase {

    @Test
    void createTopicsAppliesConfigsAndReportsReplicationFactorOne() throws Exception {
        // When a topic is created with configs and the replication factor 3 that many tools ask for
        CreateTopicsResult result = admin().createTopics(List.of(new NewTopic("configured", 4, (short) 3)
                .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "86400000", TopicConfig.SEGMENT_BYTES_CONFIG, "1048576"))));
        result.all().get(30, TimeUnit.SECONDS);

        // Then the response carries the partition count, replication factor 1 (README) and the effective configs
        assertThat(result.numPartitions("configured").get()).isEqualTo(4);
        assertThat(result.replicationFactor("configured").get()).isEqualTo(1);
        assertThat(result.config("configured").get().get(TopicConfig.RETENTION_MS_CONFIG).value()).isEqualTo("86400000");
        assertThat(result.config("configured").get().get(TopicConfig.SEGMENT_BYTES_CONFIG).value()).isEqualTo("1048576");
    }

    @Test
    void describeTopicsShowsTheBrokerAsLeaderOnlyReplicaAndIsr() throws Exception {
        createTopic("described", 3, Map.of());

        TopicDescription description = admin().describeTopics(List.of("described")).allTopicNames()
                .get(30, TimeUnit.SECONDS).get("described");

        assertThat(description.name()).isEqualTo("described");
        assertThat(description.isInternal()).isFalse();
        assertThat(description.partitions()).extracting(TopicPartitionInfo::partition).containsExactly(0, 1, 2);
        assertThat(description.partitions()).allSatisfy(partition -> {
            assertThat(partition.leader().id()).isZero();
            assertThat(partition.replicas()).extracting(Node::id).containsExactly(0);
            assertThat(partition.isr()).extracting(Node::id).containsExactly(0);
        });
    }

    @Test
    void describeTopicsByIdNamesTheTopicAndItsPartitions() throws Exception {
        // Given a topic and its id
        createTopic("by-id", 2, Map.of());
        Admin admin = admin();
        Uuid id = admin.describeTopics(List.of("by-id")).allTopicNames().get(30, TimeUnit.SECONDS).get("by-id")
                .topicId();

        // When it is described by its id
        Map<Uuid, TopicDescription> described = admin.describeTopics(TopicCollection.ofTopicIds(List.of(id)))
                .allTopicIds().get(30, TimeUnit.SECONDS);

        // Then the description carries its name, id and partitions
        TopicDescription description = described.get(id);
        assertThat(description.name()).isEqualTo("by-id");
        assertThat(description.topicId()).isEqualTo(id);
        assertThat(description.partitions()).extracting(TopicPartitionInfo::partition).containsExactly(0, 1);
    }

    @Test
    void describeTopicsByAnUnknownIdFailsWithUnknownTopicId() {
        Uuid unknown = Uuid.randomUuid();

        assertThatThrownBy(() -> admin().describeTopics(TopicCollection.ofTopicIds(List.of(unknown)))
                .allTopicIds().get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(UnknownTopicIdException.class);
    }

    @Test
    void validateOnlyCreatesNothing() throws Exception {
        Admin admin = admin();

        admin.createTopics(List.of(new NewTopic("dry-run", 2, (short) 1)), new CreateTopicsOptions().validateOnly(true))
                .all().get(30, TimeUnit.SECONDS);

        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("dry-run");
    }

    @Test
    void creatingAnExistingTopicFails() throws Exception {
        createTopic("twice", 1, Map.of());

        assertThatThrownBy(() -> createTopic("twice", 1, Map.of()))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TopicExistsException.class);
    }

    @Test
    void invalidTopicNamesAreRefused() {
        for (String name : List.of("has space", "slash/ed", "..", "x".repeat(250))) {
            assertThatThrownBy(() -> createTopic(name, 1, Map.of())).as(name)
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidTopicException.class);
        }
    }

    @Test
    void badConfigsAreRefused() throws Exception {
        assertThatThrownBy(() -> createTopic("bad-value", 1, Map.of(TopicConfig.RETENTION_MS_CONFIG, "soon")))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidConfigurationException.class);
        assertThatThrownBy(() -> createTopic("bad-name", 1, Map.of("no.such.config", "1")))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(InvalidConfigurationException.class);
        assertThat(admin().listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("bad-value", "bad-name");
    }

    @Test
    void deletedTopicsAreGoneAndRecreatedTopicsStartAtZero() throws Exception {
        // Given a topic with records
        createTopic("doomed", 1, Map.of());
        for (int i = 0; i < 10; i++) {
            producer().send(new ProducerRecord<>("doomed", "k", "v" + i)).get(10, TimeUnit.SECONDS);
        }
        Admin admin = admin();

        // When it is deleted
        admin.deleteTopics(List.of("doomed")).all().get(30, TimeUnit.SECONDS);

        // Then it is no longer listed or described
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("doomed");
        assertThatThrownBy(() -> admin.describeTopics(List.of("doomed")).allTopicNames().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);
        assertThatThrownBy(() -> admin.deleteTopics(List.of("doomed")).all().get(30, TimeUnit.SECONDS))
                .hasCauseInstanceOf(UnknownTopicOrPartitionException.class);

        // And a topic re-created under that name starts empty, at offset 0
        createTopic("doomed", 1, Map.of());
        assertThat(producer().send(new ProducerRecord<>("doomed", "k", "new")).get(10, TimeUnit.SECONDS).offset()).isZero();
    }

    @Test
    void describeClusterNamesThisBroker() throws Exception {
        DescribeClusterResult cluster = admin().describeCluster();

        Node node = new Node(0, "127.0.0.1", broker.port());
        assertThat(cluster.nodes().get(30, TimeUnit.SECONDS)).containsExactly(node);
        assertThat(cluster.controller().get(30, TimeUnit.SECONDS).id()).isZero();
        assertThat(cluster.clusterId().get(30, TimeUnit.SECONDS)).isEqualTo(broker.logs().clusterId());
    }

    @Test
    void listTopicsNamesEveryTopic() throws Exception {
        createTopic("alpha", 1, Map.of());
        createTopic("beta", 2, Map.of());

        assertThat(admin().listTopics().names().get(30, TimeUnit.SECONDS)).containsExactlyInAnyOrder("alpha", "beta");
    }

    @Test
    void metadataCreatesUnknownTopicsWhenAutoCreationIsEnabled() throws Exception {
        // Given auto.create.topics.enable=true (the default) and num.partitions=3
        restartBroker(Map.of("num.partitions", "3"));

        // When a producer writes to a topic nobody created
        long offset = producer().send(new ProducerRecord<>("auto", "k", "v")).get(10, TimeUnit.SECONDS).offset();

        // Then the topic exists with num.partitions partitions
        assertThat(offset).isZero();
        TopicDescription description = admin().describeTopics(List.of("auto")).allTopicNames()
                .get(30, TimeUnit.SECONDS).get("auto");
        assertThat(description.partitions()).hasSize(3);
    }

    @Test
    void metadataAnswersUnknownTopicWhenAutoCreationIsDisabled() throws Exception {
        // Given auto.create.topics.enable=false
        restartBroker(Map.of("auto.create.topics.enable", "false"));

        // When a client asks for an unknown topic and allows auto-creation
        MetadataResponseTopic topic;
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            topic = client.<MetadataResponse>call(RawRequests.metadata("not-created", true), 1).data().topics()
                    .find("not-created");
        }

        // Then it gets UNKNOWN_TOPIC_OR_PARTITION and nothing is created
        assertThat(topic.errorCode()).isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        assertThat(admin().listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("not-created");
    }
}
