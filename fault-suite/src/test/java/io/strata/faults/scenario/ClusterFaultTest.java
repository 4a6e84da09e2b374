package io.strata.faults.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strata.faults.broker.BrokerJvm;
import io.strata.faults.load.CheckedProducer;
import io.strata.faults.load.Topics;
import io.strata.faults.load.Workload;
import io.strata.metadata.postgres.PostgresSettings;
import io.strata.metadata.testing.PostgresServer;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults of cluster mode: three broker JVMs, one real PostgreSQL (a throwaway server, a database per test), one S3
 * server, idempotent acks=all producers and a consumer under way, judged by the checker (every acknowledged record
 * present exactly once at its offset, nothing a consumer saw rolled back).
 */
class ClusterFaultTest {

    private static final String TOPIC = "cluster";
    private static final int PARTITIONS = 6;
    private static final int BROKERS = 3;
    private static final long SESSION_MS = 6_000;

    @TempDir
    Path tempDir;

    private S3ProxyServer s3;
    private PostgresSettings database;
    private final List<BrokerJvm> brokers = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    @BeforeEach
    void startServices() throws Exception {
        database = PostgresServer.shared().createDatabase("cluster_faults");
        s3 = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(tempDir.resolve("s3"), "cluster"));
        for (int node = 1; node <= BROKERS; node++) {
            ports.add(BrokerJvm.freePort());
        }
    }

    @AfterEach
    void stopAll() {
        brokers.forEach(BrokerJvm::close);
        if (s3 != null) {
            s3.close();
        }
    }

    private BrokerJvm start(int node) throws Exception {
        Map<String, String> properties = new HashMap<>(FaultRun.bucketProperties(s3, s3.endpoint().toString(), ""));
        properties.put("node.id", Integer.toString(node));
        properties.put("listeners", "PLAINTEXT://127.0.0.1:" + ports.get(node - 1));
        properties.put("metadata.store", "postgresql://127.0.0.1:" + database.port() + "/" + database.database()
                + "?user=" + PostgresServer.USER + "&password=" + PostgresServer.PASSWORD);
        properties.put("broker.session.timeout.ms", Long.toString(SESSION_MS));
        properties.put("broker.heartbeat.interval.ms", "1000");
        properties.put("offsets.topic.num.partitions", "6");
        properties.put("remote.log.manager.task.interval.ms", "500");
        BrokerJvm broker = BrokerJvm.start(tempDir.resolve("broker-" + node), properties, Map.of());
        if (brokers.size() >= node) {
            brokers.set(node - 1, broker);
        } else {
            brokers.add(broker);
        }
        return broker;
    }

    private String bootstrap() {
        return ports.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    private void startCluster() throws Exception {
        for (int node = 1; node <= BROKERS; node++) {
            start(node);
        }
        Topics.create(bootstrap(), TOPIC, PARTITIONS, Map.of("segment.bytes", "131072", "retention.ms", "-1"));
        awaitLeadersOn(List.of(1, 2, 3));
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void aRollingRestartOfEveryBrokerUnderLoadLosesNothing() throws Exception {
        startCluster();
        Workload workload = new Workload(bootstrap(), TOPIC, PARTITIONS, 2, 1,
                CheckedProducer.Settings.defaults().withRate(400)).start();
        long started = System.nanoTime();
        try {
            for (int node = 1; node <= BROKERS; node++) {
                long before = workload.acknowledged();
                assertThat(workload.awaitAcknowledged(before + 500, Duration.ofSeconds(60))).as("progress before"
                        + " restarting broker %d (failed %s)", node, workload.history().failures()).isTrue();
                // SIGTERM: the broker hands each partition over before it exits
                brokers.get(node - 1).stop();
                start(node);
                awaitLeadersOn(List.of(1, 2, 3));
            }
            long after = workload.acknowledged();
            assertThat(workload.awaitAcknowledged(after + 500, Duration.ofSeconds(60))).isTrue();
        } finally {
            workload.close();
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        // Reported, not asserted: each partition moved twice (away from its broker and back to it)
        Map<Integer, Long> stalls = workload.history().longestAckGapsMillis();
        FaultRun.judge("cluster-rolling-restart", "rolling restart of 3 brokers", BROKERS, bootstrap(), TOPIC,
                PARTITIONS, workload, 0, "whole restart " + seconds + " s; longest produce stall per partition "
                        + stalls.values() + " ms");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void theDatabaseRestartedUnderLoadIsRiddenThroughAndLosesNothing() throws Exception {
        startCluster();
        Workload workload = new Workload(bootstrap(), TOPIC, PARTITIONS, 2, 1,
                CheckedProducer.Settings.defaults().withRate(400)).start();
        long down;
        try {
            assertThat(workload.awaitAcknowledged(1_000, Duration.ofSeconds(60))).isTrue();
            // When PostgreSQL stops for longer than the brokers' session timeout, then comes back
            long stopped = System.nanoTime();
            PostgresServer.shared().stopServer();
            try {
                TimeUnit.MILLISECONDS.sleep(2 * SESSION_MS); // the fault: the database away this long
            } finally {
                PostgresServer.shared().startServer();
            }
            down = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopped);
            // Then the brokers serve again: acknowledgements resume and every partition has its leader
            long after = workload.acknowledged();
            assertThat(workload.awaitAcknowledged(after + 1_000, Duration.ofSeconds(90)))
                    .as("acknowledgements resume after the database is back (failed %s)",
                            workload.history().failures()).isTrue();
            awaitLeadersOn(List.of(1, 2, 3));
        } finally {
            workload.close();
        }
        FaultRun.judge("cluster-database-restart", "PostgreSQL stopped under load, then restarted", 1, bootstrap(),
                TOPIC, PARTITIONS, workload, 0, "database down " + down + " ms; longest produce stall per partition "
                        + workload.history().longestAckGapsMillis().values() + " ms");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aBrokerKilledWithItsDiskKeptComesBackAndItsPartitionsServeAgain() throws Exception {
        startCluster();
        Workload workload = new Workload(bootstrap(), TOPIC, PARTITIONS, 2, 1,
                CheckedProducer.Settings.defaults().withRate(400)).start();
        try {
            assertThat(workload.awaitAcknowledged(1_000, Duration.ofSeconds(60))).isTrue();
            brokers.get(1).kill();
            // Its partitions wait for it (their newest acknowledged records are on its disk only): no leader
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                    assertThat(leaders()).doesNotContain(2).contains(-1));
            start(2);
            awaitLeadersOn(List.of(1, 2, 3));
            long after = workload.acknowledged();
            assertThat(workload.awaitAcknowledged(after + 1_000, Duration.ofSeconds(90))).isTrue();
        } finally {
            workload.close();
        }
        FaultRun.judge("cluster-kill-9", "kill -9 of one of 3 brokers, disk kept", 1, bootstrap(), TOPIC,
                PARTITIONS, workload, 0, "");
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void aBrokerPausedPastItsLeaseAcknowledgesNothingOnceAwake() throws Exception {
        startCluster();
        // Once the controller's placement settled (two partitions each), one that broker 2 leads
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(leaders()).filteredOn(leader -> leader == 2).hasSize(PARTITIONS / BROKERS));
        int partition = leaders().indexOf(2);
        BrokerJvm paused = brokers.get(1);
        try (KafkaProducer<String, String> direct = producerWithoutRetries(paused.bootstrapServers())) {
            direct.send(new ProducerRecord<>(TOPIC, partition, null, "before-pause")).get(30, TimeUnit.SECONDS);

            // When broker 2 stops for twice its session timeout, and a record for its partition waits in its socket
            paused.pause();
            Future<RecordMetadata> sentWhilePaused = direct.send(new ProducerRecord<>(TOPIC, partition, null,
                    "sent-while-paused"));
            // (the controller gives its partitions away only after a whole session timeout without heartbeats)
            // (ignoring exceptions: an admin client may first try the paused broker and time out)
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> !leaders().contains(2));
            paused.resume();

            // Then that record is not acknowledged: the broker wakes with a view older than its lease allows
            assertThatThrownBy(() -> sentWhilePaused.get(60, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);
        }
        // And the broker gets its partitions back and serves them
        awaitLeadersOn(List.of(1, 2, 3));
    }

    private KafkaProducer<String, String> producerWithoutRetries(String bootstrap) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
        props.put(ProducerConfig.RETRIES_CONFIG, 0);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 60_000);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** The leader of each partition, -1 for none. */
    private List<Integer> leaders() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000))) {
            TopicDescription description = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC);
            return description.partitions().stream().sorted(java.util.Comparator.comparingInt(
                    TopicPartitionInfo::partition)).map(p -> p.leader() == null ? -1 : p.leader().id()).toList();
        }
    }

    private void awaitLeadersOn(List<Integer> nodes) {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() ->
                assertThat(leaders()).doesNotContain(-1).containsAll(nodes));
    }
}
