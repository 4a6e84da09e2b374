package io.strata.broker.group;

import static io.strata.broker.group.GroupTestClients.consumer;
import static io.strata.broker.group.GroupTestClients.createTopic;
import static io.strata.broker.group.GroupTestClients.pollUntil;
import static io.strata.broker.group.GroupTestClients.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.broker.StrataBroker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupSubscribedToTopicException;
import org.apache.kafka.tools.consumer.ConsoleConsumer;
import org.apache.kafka.tools.consumer.group.ConsumerGroupCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group admin surface: {@code Admin}'s consumer-group calls, {@code kafka-consumer-groups}
 * (ConsumerGroupCommand) and {@code kafka-console-consumer --group}, run in-process against the broker.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConsumerGroupAdminTest {

    private static final int PARTITIONS = 3;
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    static Path dataDir;

    private static StrataBroker broker;
    private static Admin admin;
    private String topic;
    private String group;

    @BeforeAll
    static void startBroker() {
        broker = StrataBroker.start(GroupTestClients.brokerConfig(dataDir));
        admin = GroupTestClients.admin(broker.bootstrapServers());
    }

    @AfterAll
    static void stopBroker() {
        if (admin != null) {
            admin.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @BeforeEach
    void topicWithRecords() throws Exception {
        topic = "admin-" + NAMES.incrementAndGet();
        group = "admin-group-" + NAMES.get();
        createTopic(broker.bootstrapServers(), topic, PARTITIONS);
        produce(broker.bootstrapServers(), topic, PARTITIONS, 5, "");
    }

    /** A consumer of the group that read every record and committed. */
    private KafkaConsumer<String, String> activeConsumer() {
        KafkaConsumer<String, String> consumer = consumer(broker.bootstrapServers(), group, Map.of());
        consumer.subscribe(List.of(topic));
        pollUntil(consumer, PARTITIONS * 5);
        consumer.commitSync();
        return consumer;
    }

    private Map<TopicPartition, OffsetAndMetadata> committed() throws Exception {
        return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    }

    private String groupsCommand(String... args) {
        String[] all = new String[args.length + 2];
        all[0] = "--bootstrap-server";
        all[1] = broker.bootstrapServers();
        System.arraycopy(args, 0, all, 2, args.length);
        return KafkaTool.run(ConsumerGroupCommand::main, all);
    }

    @Test
    void adminListsAndDescribesAnActiveGroupWithItsOffsets() throws Exception {
        try (KafkaConsumer<String, String> consumer = activeConsumer()) {
            assertThat(admin.listConsumerGroups().all().get()).extracting(ConsumerGroupListing::groupId)
                    .contains(group);

            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            assertThat(description.groupState()).isEqualTo(GroupState.STABLE);
            assertThat(description.partitionAssignor()).isNotEmpty();
            assertThat(description.members()).singleElement().satisfies(member ->
                    assertThat(member.assignment().topicPartitions()).hasSize(PARTITIONS));
            assertThat(description.members()).extracting(MemberDescription::clientId)
                    .allMatch(id -> id.startsWith("consumer-" + group));
            assertThat(committed().values()).extracting(OffsetAndMetadata::offset).containsOnly(5L);
        }
    }

    @Test
    void aGroupWithMembersCannotBeDeletedAnEmptyOneCan() throws Exception {
        KafkaConsumer<String, String> consumer = activeConsumer();
        assertThatThrownBy(() -> admin.deleteConsumerGroups(List.of(group)).all().get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GroupNotEmptyException.class);

        consumer.close();
        admin.deleteConsumerGroups(List.of(group)).all().get();

        assertThat(admin.listConsumerGroups().all().get()).extracting(ConsumerGroupListing::groupId)
                .doesNotContain(group);
        assertThat(committed()).isEmpty();
    }

    @Test
    void alterConsumerGroupOffsetsSetsTheOffsetsOfAnEmptyGroup() throws Exception {
        admin.alterConsumerGroupOffsets(group, Map.of(new TopicPartition(topic, 1), new OffsetAndMetadata(3, "why")))
                .all().get();

        assertThat(committed()).containsOnly(Map.entry(new TopicPartition(topic, 1), new OffsetAndMetadata(3, "why")));
        assertThat(admin.describeConsumerGroups(List.of(group)).all().get().get(group).groupState())
                .isEqualTo(GroupState.EMPTY);
    }

    @Test
    void offsetsOfATopicTheGroupStillConsumesCannotBeDeletedOthersCan() throws Exception {
        KafkaConsumer<String, String> consumer = activeConsumer();
        TopicPartition p0 = new TopicPartition(topic, 0);
        assertThatThrownBy(() -> admin.deleteConsumerGroupOffsets(group, Set.of(p0)).all().get())
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(GroupSubscribedToTopicException.class);

        consumer.close();
        admin.deleteConsumerGroupOffsets(group, Set.of(p0)).all().get();

        assertThat(committed()).hasSize(PARTITIONS - 1).doesNotContainKey(p0);
    }

    @Test
    void deletingATopicRemovesItsCommittedOffsets() throws Exception {
        activeConsumer().close();
        assertThat(committed()).hasSize(PARTITIONS);

        admin.deleteTopics(List.of(topic)).all().get();

        assertThat(committed()).isEmpty();
    }

    @Test
    void consumerGroupsCommandListsAndDescribesWithLag() throws Exception {
        try (KafkaConsumer<String, String> consumer = activeConsumer()) {
            produce(broker.bootstrapServers(), topic, 1, 2, "more-");

            assertThat(groupsCommand("--list")).contains(group);
            String describe = groupsCommand("--describe", "--group", group);

            // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
            assertThat(describe).containsPattern(group + "\\s+" + topic + "\\s+0\\s+5\\s+7\\s+2\\s+consumer-");
            assertThat(describe).containsPattern(group + "\\s+" + topic + "\\s+1\\s+5\\s+5\\s+0\\s+consumer-");
        }
    }

    @Test
    void consumerGroupsCommandResetsOffsetsToEarliestAndDeletesTheGroup() throws Exception {
        activeConsumer().close();

        String reset = groupsCommand("--reset-offsets", "--group", group, "--topic", topic, "--to-earliest",
                "--execute");
        assertThat(reset).containsPattern(group + "\\s+" + topic + "\\s+2\\s+0");
        assertThat(committed().values()).extracting(OffsetAndMetadata::offset).containsOnly(0L);

        groupsCommand("--reset-offsets", "--group", group, "--topic", topic, "--shift-by", "2", "--execute");
        assertThat(committed().values()).extracting(OffsetAndMetadata::offset).containsOnly(2L);
        groupsCommand("--reset-offsets", "--group", group, "--all-topics", "--to-latest", "--execute");
        assertThat(committed().values()).extracting(OffsetAndMetadata::offset).containsOnly(5L);
        groupsCommand("--reset-offsets", "--group", group, "--topic", topic + ":1", "--to-datetime",
                "2000-01-01T00:00:00.000", "--execute");
        assertThat(committed().get(new TopicPartition(topic, 1)).offset()).isZero();
        assertThat(groupsCommand("--describe", "--group", group, "--state"))
                .containsPattern(group + "\\s+" + broker.bootstrapServers() + "\\s+\\(0\\)\\s+-\\s+Empty\\s+0");

        assertThat(groupsCommand("--delete", "--group", group))
                .contains("Deletion of requested consumer groups ('" + group + "') was successful.");
        assertThat(groupsCommand("--list")).doesNotContain(group);
    }

    @Test
    void consoleConsumerWithAGroupReadsFromTheBeginningAndCommits() throws Exception {
        String output = KafkaTool.run(args -> {
            try {
                ConsoleConsumer.main(args);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, "--bootstrap-server", broker.bootstrapServers(), "--topic", topic, "--group", group,
                "--from-beginning", "--max-messages", Integer.toString(PARTITIONS * 5), "--timeout-ms", "30000",
                "--consumer-property", "group.protocol=classic");

        assertThat(output).contains("p0-0", "p1-4", "p2-2").contains("Processed a total of 15 messages");
        assertThat(committed().values()).extracting(OffsetAndMetadata::offset).allMatch(o -> o > 0);
    }
}
