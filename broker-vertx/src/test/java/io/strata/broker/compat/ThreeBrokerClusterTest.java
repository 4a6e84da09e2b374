package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strata.broker.group.KafkaTool;
import io.strata.metadata.postgres.PostgresSettings;
import io.strata.metadata.testing.PostgresServer;
import io.strata.objectstore.ObjectInfo;
import io.strata.objectstore.s3.S3ObjectStore;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.tools.TopicCommand;
import org.apache.kafka.tools.consumer.group.ConsumerGroupCommand;
import org.apache.kafka.tools.reassign.ReassignPartitionsCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three broker JVMs in cluster mode on loopback: one real PostgreSQL database (a throwaway server, its own database
 * for this class) and one S3 server shared by all. Real kafka-clients producers, consumers and Admin.
 */
class ThreeBrokerClusterTest {

    private static final String BUCKET = "cluster-bucket";
    private static final String TOPIC = "spread";
    private static final int PARTITIONS = 6;

    @TempDir
    Path tempDir;

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private S3ProxyServer s3;
    private PostgresSettings database;

    @BeforeEach
    void startServices() throws Exception {
        database = PostgresServer.shared().createDatabase("three_brokers");
        s3 = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(tempDir.resolve("s3"), BUCKET));
    }

    @AfterEach
    void stopS3() {
        if (s3 != null) {
            s3.close();
        }
    }

    private Map<String, String> brokerProperties(int nodeId) {
        Map<String, String> properties = ClusterBrokerProperties.of(nodeId, database, s3, BUCKET);
        properties.put("offsets.topic.num.partitions", "6");
        return properties;
    }

    private BrokerProcess startBroker(int nodeId) throws Exception {
        return brokers.start(tempDir.resolve("broker-" + nodeId), brokerProperties(nodeId));
    }

    /** Brokers 1 to 3, once all three are live, with {@link #TOPIC} created through the first. */
    private List<BrokerProcess> startThreeWithTopic() throws Exception {
        List<BrokerProcess> started = new ArrayList<>();
        for (int node = 1; node <= 3; node++) {
            started.add(startBroker(node));
        }
        String bootstrap = started.get(0).bootstrapServers();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> liveBrokers(bootstrap).size() == 3);
        Clients.createTopic(bootstrap, TOPIC, PARTITIONS, Map.of());
        return started;
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void threeBrokersSpreadLeadersAndAPlannedShutdownAndReturnLoseNothing() throws Exception {
        // Given three brokers of one cluster and a topic created through the first
        List<BrokerProcess> started = startThreeWithTopic();
        String bootstrap = started.get(0).bootstrapServers();

        // Then every partition gets a leader, and the leaders are spread over the three brokers, two each
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(leaderCounts(bootstrap)).containsOnlyKeys(1, 2, 3).allSatisfy((node, count) ->
                        assertThat(count).as("partitions led by broker %d", node).isEqualTo(PARTITIONS / 3)));

        // When records are produced to every partition (acks=all, idempotent) and read back through another broker
        Map<String, Long> acked = produce(bootstrap, "before", 300);
        assertReadBack(started.get(1).bootstrapServers(), acked);

        // When broker 3 shuts down (SIGTERM: it hands its partitions over first) and records keep coming
        started.get(2).stop();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(leaderCounts(bootstrap)).containsOnlyKeys(1, 2));
        acked.putAll(produce(bootstrap, "while-down", 300));

        // Then every acknowledged record is still at its offset
        assertReadBack(started.get(1).bootstrapServers(), acked);

        // When broker 3 comes back, leaders spread again and every record is still there
        BrokerProcess back = startBroker(3);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(leaderCounts(bootstrap)).containsOnlyKeys(1, 2, 3));
        acked.putAll(produce(back.bootstrapServers(), "after", 300));
        assertReadBack(bootstrap, acked);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aLeaderKilledWithItsDiskDeletedLosesNothingAcknowledged() throws Exception {
        // Given three brokers whose write-ahead log is on (the default in cluster mode)
        List<BrokerProcess> started = startThreeWithTopic();
        String bootstrap = started.get(0).bootstrapServers();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(leaderCounts(bootstrap)).containsOnlyKeys(1, 2, 3));

        // When records are acknowledged (acks=all): no segment is full, so they are in WAL objects, not segments
        Map<String, Long> acked = produce(bootstrap, "before", 200);
        try (S3ObjectStore bucket = S3ObjectStore.open(s3.clientConfig().build())) {
            assertThat(bucket.listAll("wal/").join()).as("WAL objects in the bucket").isNotEmpty();
            assertThat(bucket.listAll("topics/").join()).extracting(ObjectInfo::key)
                    .noneMatch(key -> key.endsWith(".log"));
        }

        // And broker 3 dies with its disk (kill -9, data directory deleted)
        started.get(2).kill();
        deleteRecursively(tempDir.resolve("broker-3"));

        // Then its partitions get new leaders within seconds, and every acknowledged record is still at its offset
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(leaderCounts(bootstrap)).containsOnlyKeys(1, 2));
        acked.putAll(produce(bootstrap, "after", 100));
        assertReadBack(started.get(1).bootstrapServers(), acked);

        // When it comes back on an empty disk, it leads partitions again and nothing is lost
        startBroker(3);
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(leaderCounts(bootstrap)).containsOnlyKeys(1, 2, 3));
        acked.putAll(produce(bootstrap, "back", 50));
        assertReadBack(bootstrap, acked);
    }

    private static void deleteRecursively(Path directory) throws java.io.IOException {
        try (var paths = java.nio.file.Files.walk(directory)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                java.nio.file.Files.delete(path);
            }
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aSecondLiveBrokerWithTheSameNodeIdRefusesToStart() throws Exception {
        startBroker(1);

        BrokerProcess duplicate = brokers.launch(tempDir.resolve("duplicate"), brokerProperties(1));

        assertThat(duplicate.awaitExitCode(60)).isEqualTo(1);
        assertThat(duplicate.log()).contains("Refusing to start").contains("node.id").doesNotContain("\tat ");
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void theStockToolsDescribeReassignAndShowGroupOffsetsAcrossACoordinatorMove() throws Exception {
        List<BrokerProcess> started = new ArrayList<>();
        for (int node = 1; node <= 3; node++) {
            started.add(startBroker(node));
        }
        String bootstrap = started.stream().map(BrokerProcess::bootstrapServers).collect(Collectors.joining(","));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> liveBrokers(bootstrap).size() == 3);
        tool(TopicCommand::main, bootstrap, "--create", "--topic", TOPIC, "--partitions", "6",
                "--replication-factor", "3");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(leaderCounts(bootstrap)).containsOnlyKeys(1, 2, 3));

        // A topic that would not tier cannot exist in a cluster: partitions move through the bucket
        try (Admin admin = Clients.admin(bootstrap)) {
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("untiered", 1, (short) 1)
                    .configs(Map.of("remote.storage.enable", "false")))).all().get())
                    .hasCauseInstanceOf(InvalidConfigurationException.class)
                    .hasMessageContaining("cluster mode");
        }

        // kafka-topics --describe shows the leaders spread over the three brokers, one replica each
        String described = tool(TopicCommand::main, bootstrap, "--describe", "--topic", TOPIC);
        for (int node = 1; node <= 3; node++) {
            assertThat(described).contains("Leader: " + node);
        }

        // kafka-reassign-partitions moves partition 0 to another broker, and --verify sees it done
        // (on a loaded machine a broker may miss its session and get its partitions back a moment later)
        int leader = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> leaderOf(bootstrap, 0), l -> l > 0);
        int target = leader % 3 + 1;
        Path plan = tempDir.resolve("reassign.json");
        java.nio.file.Files.writeString(plan, "{\"version\":1,\"partitions\":[{\"topic\":\"" + TOPIC
                + "\",\"partition\":0,\"replicas\":[" + target + "]}]}");
        tool(ReassignPartitionsCommand::main, bootstrap, "--reassignment-json-file", plan.toString(), "--execute");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> leaderOf(bootstrap, 0) == target);
        // (the controller learns of the new leader within its next read of the database, about 200 ms)
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(tool(ReassignPartitionsCommand::main,
                bootstrap, "--reassignment-json-file", plan.toString(), "--verify"))
                .contains("Reassignment of partition " + TOPIC + "-0 is completed"));
        Map<String, Long> acked = produce(bootstrap, "after-reassign", 50);
        assertReadBack(bootstrap, acked);

        // A group commits everything, its coordinator stops, and kafka-consumer-groups still shows its offsets
        String group = "tools-group";
        try (var consumer = new org.apache.kafka.clients.consumer.KafkaConsumer<String, String>(Map.of(
                "bootstrap.servers", bootstrap, "group.id", group, "auto.offset.reset", "earliest",
                "enable.auto.commit", "false"), new org.apache.kafka.common.serialization.StringDeserializer(),
                new org.apache.kafka.common.serialization.StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC));
            int read = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read < acked.size() && System.nanoTime() < deadline) {
                read += consumer.poll(Duration.ofMillis(500)).count();
            }
            assertThat(read).isEqualTo(acked.size());
            consumer.commitSync();
        }
        int coordinator;
        try (Admin admin = Clients.admin(bootstrap)) {
            coordinator = admin.describeConsumerGroups(List.of(group)).all().get().get(group).coordinator().id();
        }
        started.get(coordinator - 1).stop();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            String groups = tool(ConsumerGroupCommand::main, bootstrap, "--describe", "--group", group);
            assertThat(groups.lines().filter(line -> line.startsWith(group + " ") && line.contains(TOPIC))
                    .map(line -> line.trim().split("\\s+")).filter(f -> f[3].equals(f[4])).count())
                    .as("partitions whose committed offset is their end:%n%s", groups).isEqualTo(PARTITIONS);
        });
    }

    @ParameterizedTest(name = "coordinator {0}")
    @ValueSource(strings = {"stopped", "killed"})
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aGroupKeepsItsGenerationAndMembersWhenItsCoordinatorStopsSoItsConsumerCommitsWithoutARebalance(String how)
            throws Exception {
        // Given three brokers and a consumer in a group (long session timeout, manual commits) that read everything
        List<BrokerProcess> started = startThreeWithTopic();
        String bootstrap = started.stream().map(BrokerProcess::bootstrapServers).collect(Collectors.joining(","));
        Map<String, Long> acked = produce(bootstrap, "before", 20);
        String group = "failover-group";
        RebalanceCounts rebalances = new RebalanceCounts();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", bootstrap, "group.id", group, "auto.offset.reset", "earliest",
                "enable.auto.commit", "false", "session.timeout.ms", "45000", "heartbeat.interval.ms", "1000"),
                new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(TOPIC), rebalances);
            pollUntilRead(consumer, acked.size());
            consumer.commitSync();
            String beforeMove = rebalances.toString();
            int coordinator;
            try (Admin admin = Clients.admin(bootstrap)) {
                coordinator = admin.describeConsumerGroups(List.of(group)).all().get().get(group).coordinator().id();
            }

            // When the group's coordinator shuts down (SIGTERM) or dies (SIGKILL: its slot moves once its session
            // times out), and the coordinator slot moves to another broker
            if (how.equals("killed")) {
                started.get(coordinator - 1).kill();
            } else {
                started.get(coordinator - 1).stop();
            }
            String survivors = started.stream().filter(broker -> broker != started.get(coordinator - 1))
                    .map(BrokerProcess::bootstrapServers).collect(Collectors.joining(","));
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
                try (Admin admin = Clients.admin(survivors)) {
                    return admin.describeConsumerGroups(List.of(group)).all().get().get(group).coordinator().id();
                }
            }, node -> node != coordinator);
            Map<String, Long> more = produce(survivors, "after", 10);

            // Then the consumer reads on and commits with its generation and member id, without a rebalance
            pollUntilRead(consumer, more.size());
            consumer.commitSync(Duration.ofSeconds(60));
            assertThat(rebalances.toString()).as("rebalance listener calls after the move").isEqualTo(beforeMove);
        }

        // And the new coordinator serves the offsets committed after the move: every partition's end
        Map<TopicPartition, Long> committed = Clients.committedOffsets(bootstrap, group);
        assertThat(committed).hasSize(PARTITIONS).allSatisfy((partition, offset) ->
                assertThat(offset).as("committed offset of %s", partition).isEqualTo(30L));
    }

    /** How often a consumer's rebalance listener was called, by callback. */
    private static final class RebalanceCounts implements ConsumerRebalanceListener {
        private final AtomicInteger revoked = new AtomicInteger();
        private final AtomicInteger assigned = new AtomicInteger();
        private final AtomicInteger lost = new AtomicInteger();

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            revoked.incrementAndGet();
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned.incrementAndGet();
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            lost.incrementAndGet();
        }

        @Override
        public String toString() {
            return "revoked " + revoked + ", assigned " + assigned + ", lost " + lost;
        }
    }

    /** Polls until {@code count} records were returned, for at most 60 s. */
    private static void pollUntilRead(KafkaConsumer<String, String> consumer, int count) {
        int read = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (read < count && System.nanoTime() < deadline) {
            read += consumer.poll(Duration.ofMillis(500)).count();
        }
        assertThat(read).as("records read").isEqualTo(count);
    }

    /** What a Kafka CLI tool printed, run with {@code --bootstrap-server bootstrap} and {@code args}. */
    private static String tool(KafkaTool.ToolMain main, String bootstrap, String... args) {
        return KafkaTool.runAgainst(bootstrap, main, args);
    }

    private static int leaderOf(String bootstrap, int partition) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            TopicDescription description = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
            Node leader = description.partitions().get(partition).leader();
            return leader == null ? -1 : leader.id();
        }
    }

    private static Set<Integer> liveBrokers(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            return admin.describeCluster().nodes().get().stream().map(Node::id).collect(Collectors.toSet());
        }
    }

    /** Partitions led per broker id; a partition without a leader counts under -1. */
    private static Map<Integer, Long> leaderCounts(String bootstrap) throws Exception {
        try (Admin admin = Clients.admin(bootstrap)) {
            TopicDescription description = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
            return description.partitions().stream().collect(Collectors.groupingBy(
                    (TopicPartitionInfo p) -> p.leader() == null ? -1 : p.leader().id(), Collectors.counting()));
        }
    }

    /** Sends {@code perPartition} records to each partition; the acknowledged offset of each value. */
    private static Map<String, Long> produce(String bootstrap, String prefix, int perPartition) throws Exception {
        Map<String, Long> acked = new HashMap<>();
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of())) {
            List<java.util.concurrent.Future<RecordMetadata>> sends = new ArrayList<>();
            List<String> values = new ArrayList<>();
            for (int n = 0; n < perPartition; n++) {
                for (int p = 0; p < PARTITIONS; p++) {
                    String value = prefix + "-p" + p + "-" + n;
                    values.add(value);
                    sends.add(producer.send(new ProducerRecord<>(TOPIC, p, null, value)));
                }
            }
            for (int i = 0; i < sends.size(); i++) {
                RecordMetadata metadata = sends.get(i).get(60, TimeUnit.SECONDS);
                acked.put(values.get(i), metadata.offset());
            }
        }
        return acked;
    }

    /** Every acknowledged value is read exactly once, at its acknowledged offset, and nothing else is there. */
    private static void assertReadBack(String bootstrap, Map<String, Long> acked) {
        Set<TopicPartition> partitions = new TreeSet<>(java.util.Comparator.comparingInt(TopicPartition::partition));
        for (int p = 0; p < PARTITIONS; p++) {
            partitions.add(new TopicPartition(TOPIC, p));
        }
        List<ConsumerRecord<String, String>> records = Clients.readAll(bootstrap, partitions);
        Map<String, Long> read = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            assertThat(read.put(record.value(), record.offset())).as("duplicate of %s", record.value()).isNull();
            assertThat(record.value()).contains("-p" + record.partition() + "-");
        }
        assertThat(read).isEqualTo(acked);
    }
}
