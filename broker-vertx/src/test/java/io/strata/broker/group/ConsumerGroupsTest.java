package io.strata.broker.group;

import static io.strata.broker.group.GroupTestClients.consumer;
import static io.strata.broker.group.GroupTestClients.createTopic;
import static io.strata.broker.group.GroupTestClients.pollUntil;
import static io.strata.broker.group.GroupTestClients.produce;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.broker.StrataBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.consumer.RoundRobinAssignor;
import org.apache.kafka.clients.consumer.StickyAssignor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Real KafkaConsumers in groups against the in-process broker: assignment, rebalancing, commits, restarts. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ConsumerGroupsTest {

    private static final int PARTITIONS = 6;
    private static final AtomicInteger NAMES = new AtomicInteger();

    @TempDir
    Path dataDir;

    private StrataBroker broker;
    private final List<KafkaConsumer<?, ?>> consumers = new ArrayList<>();
    private String topic;
    private String group;

    @BeforeEach
    void startBroker() throws Exception {
        broker = start();
        topic = "orders-" + NAMES.incrementAndGet();
        group = "group-" + NAMES.get();
        createTopic(broker.bootstrapServers(), topic, PARTITIONS);
    }

    private StrataBroker start() {
        return StrataBroker.start(GroupTestClients.brokerConfig(dataDir));
    }

    @AfterEach
    void stop() {
        consumers.forEach(KafkaConsumer::close);
        if (broker != null) {
            broker.close();
        }
    }

    private KafkaConsumer<String, String> newConsumer(Map<String, Object> overrides) {
        KafkaConsumer<String, String> consumer = consumer(broker.bootstrapServers(), group, overrides);
        consumers.add(consumer);
        return consumer;
    }

    /** Polls every consumer in turn (all on this thread) until {@code done} holds. */
    private static void pollAllUntil(List<KafkaConsumer<String, String>> members, java.util.function.BooleanSupplier done) {
        await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(1)).until(() -> {
            members.forEach(c -> c.poll(Duration.ofMillis(20)));
            return done.getAsBoolean();
        });
    }

    private static boolean coverExactlyOnce(List<KafkaConsumer<String, String>> members, String topic) {
        List<TopicPartition> all = new ArrayList<>();
        members.forEach(c -> all.addAll(c.assignment()));
        Set<TopicPartition> expected = Set.copyOf(IntStream.range(0, PARTITIONS)
                .mapToObj(p -> new TopicPartition(topic, p)).toList());
        return all.size() == PARTITIONS && Set.copyOf(all).equals(expected)
                && members.stream().noneMatch(c -> c.assignment().isEmpty());
    }

    @Test
    void threeConsumersOfOneGroupShareSixPartitionsExactlyOnce() {
        // Given three consumers subscribed to a six-partition topic in one group
        List<KafkaConsumer<String, String>> members = List.of(newConsumer(Map.of()), newConsumer(Map.of()),
                newConsumer(Map.of()));
        members.forEach(c -> c.subscribe(List.of(topic)));

        // When they poll, Then every partition is assigned to exactly one of them and each has two
        pollAllUntil(members, () -> coverExactlyOnce(members, topic));
        assertThat(members).allSatisfy(c -> assertThat(c.assignment()).hasSize(2));
    }

    @Test
    void whenAConsumerLeavesTheOthersTakeOverItsPartitions() {
        // Given two consumers sharing the topic
        KafkaConsumer<String, String> staying = newConsumer(Map.of());
        KafkaConsumer<String, String> leaving = newConsumer(Map.of());
        List<KafkaConsumer<String, String>> both = List.of(staying, leaving);
        both.forEach(c -> c.subscribe(List.of(topic)));
        pollAllUntil(both, () -> coverExactlyOnce(both, topic));

        // When one of them closes (LeaveGroup)
        consumers.remove(leaving);
        leaving.close();

        // Then the other one is assigned all six partitions
        pollAllUntil(List.of(staying), () -> staying.assignment().size() == PARTITIONS);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"range", "roundrobin", "sticky", "cooperative-sticky"})
    void everyAssignorSplitsThePartitionsExactlyOnceAndRebalancesWhenAMemberJoins(String assignor) {
        // Given one consumer of the group owning every partition with the given assignor
        Map<String, Object> settings = Map.of(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
                assignorClass(assignor));
        KafkaConsumer<String, String> first = newConsumer(settings);
        first.subscribe(List.of(topic));
        pollAllUntil(List.of(first), () -> first.assignment().size() == PARTITIONS);

        // When a second consumer joins
        KafkaConsumer<String, String> second = newConsumer(settings);
        second.subscribe(List.of(topic));

        // Then the two split the partitions exactly once, three each
        List<KafkaConsumer<String, String>> both = List.of(first, second);
        pollAllUntil(both, () -> coverExactlyOnce(both, topic) && first.assignment().size() == 3);
    }

    private static String assignorClass(String name) {
        return switch (name) {
            case "range" -> RangeAssignor.class.getName();
            case "roundrobin" -> RoundRobinAssignor.class.getName();
            case "sticky" -> StickyAssignor.class.getName();
            default -> CooperativeStickyAssignor.class.getName();
        };
    }

    @Test
    void aConsumerThatDisappearsWithoutLeavingIsRemovedAfterItsSessionTimeout() {
        // Given two consumers with a 2 s session timeout sharing the topic
        Map<String, Object> shortSession = Map.of(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 2_000);
        KafkaConsumer<String, String> survivor = newConsumer(shortSession);
        KafkaConsumer<String, String> vanishing = newConsumer(shortSession);
        List<KafkaConsumer<String, String>> both = List.of(survivor, vanishing);
        both.forEach(c -> c.subscribe(List.of(topic)));
        pollAllUntil(both, () -> coverExactlyOnce(both, topic));

        // When one of them stops without a LeaveGroup
        consumers.remove(vanishing);
        vanishing.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.REMAIN_IN_GROUP));

        // Then after its session timeout the survivor owns every partition
        pollAllUntil(List.of(survivor), () -> survivor.assignment().size() == PARTITIONS);
    }

    @Test
    void aRestartedStaticMemberGetsItsPartitionsBackWithoutARebalance() {
        // Given two static members sharing the topic
        KafkaConsumer<String, String> stays = newConsumer(Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "stays"));
        KafkaConsumer<String, String> restarts = newConsumer(Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "restarts"));
        List<KafkaConsumer<String, String>> both = List.of(stays, restarts);
        AtomicInteger staysAssignments = new AtomicInteger();
        stays.subscribe(List.of(topic), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                staysAssignments.incrementAndGet();
            }
        });
        restarts.subscribe(List.of(topic));
        pollAllUntil(both, () -> coverExactlyOnce(both, topic));
        Set<TopicPartition> before = Set.copyOf(restarts.assignment());
        int assignmentsBefore = staysAssignments.get();

        // When one of them is closed (a static member sends no LeaveGroup) and started again at once
        consumers.remove(restarts);
        restarts.close();
        KafkaConsumer<String, String> restarted = newConsumer(Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                "restarts"));
        restarted.subscribe(List.of(topic));

        // Then it gets the same partitions, and the other member keeps its own
        List<KafkaConsumer<String, String>> after = List.of(stays, restarted);
        pollAllUntil(after, () -> coverExactlyOnce(after, topic));
        assertThat(restarted.assignment()).isEqualTo(before);
        assertThat(staysAssignments).as("the other member saw no rebalance").hasValue(assignmentsBefore);
    }

    @Test
    void everyRecordIsReadOnceAndAutoCommitStoresThePositions() throws Exception {
        // Given 10 records in each partition
        produce(broker.bootstrapServers(), topic, PARTITIONS, 10, "");

        // When one auto-committing consumer reads them all
        KafkaConsumer<String, String> consumer = newConsumer(Map.of(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, true,
                ConsumerConfig.AUTO_COMMIT_INTERVAL_MS_CONFIG, 100));
        consumer.subscribe(List.of(topic));
        List<ConsumerRecord<String, String>> records = pollUntil(consumer, PARTITIONS * 10);

        // Then each record came once, and the group's committed offsets reach the end of every partition
        assertThat(records).extracting(ConsumerRecord::value).doesNotHaveDuplicates().hasSize(PARTITIONS * 10);
        try (Admin admin = GroupTestClients.admin(broker.bootstrapServers())) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                consumer.poll(Duration.ofMillis(50));
                Map<TopicPartition, OffsetAndMetadata> committed =
                        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
                assertThat(committed).hasSize(PARTITIONS);
                assertThat(committed.values()).allSatisfy(o -> assertThat(o.offset()).isEqualTo(10));
            });
        }
    }

    @Test
    void committedOffsetsSurviveABrokerRestartAndANewConsumerResumesFromThem() throws Exception {
        // Given a consumer that read 10 records per partition and committed synchronously
        produce(broker.bootstrapServers(), topic, PARTITIONS, 10, "old-");
        KafkaConsumer<String, String> first = newConsumer(Map.of());
        first.subscribe(List.of(topic));
        pollUntil(first, PARTITIONS * 10);
        first.commitSync();
        consumers.remove(first);
        first.close();

        // When the broker restarts on the same data and 3 more records arrive per partition
        broker.close();
        broker = start();
        produce(broker.bootstrapServers(), topic, PARTITIONS, 3, "new-");
        try (Admin admin = GroupTestClients.admin(broker.bootstrapServers())) {
            assertThat(admin.listConsumerGroups().all().get()).extracting(g -> g.groupId()).contains(group);
            assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values())
                    .extracting(OffsetAndMetadata::offset).containsOnly(10L);
        }

        // Then a new consumer of the group (auto.offset.reset=earliest) reads exactly the new records
        KafkaConsumer<String, String> second = newConsumer(Map.of());
        second.subscribe(List.of(topic));
        List<ConsumerRecord<String, String>> records = pollUntil(second, PARTITIONS * 3);
        assertThat(records).extracting(ConsumerRecord::value).allMatch(v -> v.startsWith("new-"));
        assertThat(second.poll(Duration.ofMillis(300))).isEmpty();
    }

    @Test
    void withoutCommittedOffsetsAutoOffsetResetDecidesWhereToStart() throws Exception {
        // Given records already in the topic and a group without committed offsets
        produce(broker.bootstrapServers(), topic, PARTITIONS, 4, "");

        // When consumers with latest and with earliest start
        KafkaConsumer<String, String> latest = newConsumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest",
                ConsumerConfig.GROUP_ID_CONFIG, group + "-latest"));
        KafkaConsumer<String, String> earliest = newConsumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group + "-earliest"));
        latest.subscribe(List.of(topic));
        earliest.subscribe(List.of(topic));

        // Then latest starts at the end of each partition and earliest at the beginning
        pollAllUntil(List.of(latest), () -> latest.assignment().size() == PARTITIONS);
        assertThat(latest.assignment()).allSatisfy(tp -> assertThat(latest.position(tp)).isEqualTo(4));
        assertThat(pollUntil(earliest, PARTITIONS * 4)).hasSize(PARTITIONS * 4);
    }

    @Test
    void withCommittedOffsetsAutoOffsetResetIsIgnored() throws Exception {
        // Given a group that committed offset 2 of every partition holding 4 records
        produce(broker.bootstrapServers(), topic, PARTITIONS, 4, "");
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        IntStream.range(0, PARTITIONS).forEach(p -> offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(2)));
        try (Admin admin = GroupTestClients.admin(broker.bootstrapServers())) {
            admin.alterConsumerGroupOffsets(group, offsets).all().get();
        }

        // When a consumer with auto.offset.reset=latest joins the group
        KafkaConsumer<String, String> consumer = newConsumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"));
        consumer.subscribe(List.of(topic));

        // Then it resumes from the committed offsets and reads the two remaining records of each partition
        List<ConsumerRecord<String, String>> records = pollUntil(consumer, PARTITIONS * 2);
        assertThat(records).allSatisfy(r -> assertThat(r.offset()).isIn(2L, 3L));
    }
}
