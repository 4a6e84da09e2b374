package io.strata.faults.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strata.faults.broker.BrokerJvm;
import io.strata.faults.load.Topics;
import io.strata.metadata.postgres.PostgresSettings;
import io.strata.metadata.testing.PostgresServer;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The brokers of a cluster-mode fault test, each in its own JVM ({@link BrokerJvm}): one S3 server, a new database on
 * the test JVM's throwaway PostgreSQL, broker {@code n} (from 1) on a port of its own that it keeps across restarts
 * and on the data directory {@code <dir>/broker-<n>}, with a session timeout of {@link #SESSION_MS} and a heartbeat
 * each second. Not thread-safe.
 */
final class BrokerCluster implements AutoCloseable {

    static final long SESSION_MS = 6_000;
    private static final Duration LEADERS_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final S3ProxyServer s3;
    private final PostgresSettings database;
    private final List<Integer> ports;
    private final Map<Integer, BrokerJvm> brokers = new HashMap<>();
    private final Map<String, String> overrides = new HashMap<>();
    private final Map<Integer, Map<String, String>> environments = new HashMap<>();

    private BrokerCluster(Path dir, S3ProxyServer s3, PostgresSettings database, List<Integer> ports) {
        this.dir = dir;
        this.s3 = s3;
        this.database = database;
        this.ports = ports;
    }

    /** Starts the S3 server and creates a database named after {@code databasePrefix}; no broker runs yet. */
    static BrokerCluster create(Path dir, String databasePrefix, int size) throws IOException {
        PostgresSettings database = PostgresServer.shared().createDatabase(databasePrefix);
        List<Integer> ports = new ArrayList<>();
        for (int node = 1; node <= size; node++) {
            ports.add(BrokerJvm.freePort());
        }
        S3ProxyServer s3 = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(dir.resolve("s3"), "cluster"));
        return new BrokerCluster(dir, s3, database, ports);
    }

    /** Sets {@code key} in the configuration of every broker started from now on. */
    void set(String key, String value) {
        overrides.put(key, value);
    }

    /**
     * The {@code metadata.store} URL of this cluster's database reached at {@code port} of 127.0.0.1: the database's
     * own ({@link #databasePort()}), or a fault proxy's in front of it.
     */
    String metadataStore(int port) {
        return "postgresql://127.0.0.1:" + port + "/" + database.database() + "?user=" + PostgresServer.USER
                + "&password=" + PostgresServer.PASSWORD;
    }

    int databasePort() {
        return database.port();
    }

    /** The S3 server's port, for a fault proxy in front of it ({@code s3.endpoint} is then set to the proxy's). */
    int s3Port() {
        return s3.port();
    }

    /** Adds {@code environment} to the process environment of broker {@code node} whenever it starts from now on. */
    void setEnvironment(int node, Map<String, String> environment) {
        environments.put(node, Map.copyOf(environment));
    }

    /** Every node id, 1 to the cluster's size. */
    List<Integer> nodes() {
        return IntStream.rangeClosed(1, ports.size()).boxed().toList();
    }

    /** Starts every broker, creates {@code topic} and waits until each broker leads some of its partitions. */
    void startWithTopic(String topic, int partitions, Map<String, String> configs) throws Exception {
        for (int node : nodes()) {
            start(node);
        }
        Topics.create(bootstrap(), topic, partitions, configs);
        awaitLeadersOn(topic, nodes());
    }

    /** Starts broker {@code node} on its port and data directory (in place of an earlier JVM of it). */
    BrokerJvm start(int node) throws Exception {
        Map<String, String> properties = new HashMap<>(FaultRun.bucketProperties(s3, s3.endpoint().toString(), ""));
        properties.put("node.id", Integer.toString(node));
        properties.put("listeners", "PLAINTEXT://127.0.0.1:" + ports.get(node - 1));
        properties.put("metadata.store", metadataStore(database.port()));
        properties.put("broker.session.timeout.ms", Long.toString(SESSION_MS));
        properties.put("broker.heartbeat.interval.ms", "1000");
        properties.put("offsets.topic.num.partitions", "6");
        properties.put("remote.log.manager.task.interval.ms", "500");
        properties.putAll(overrides);
        BrokerJvm broker = BrokerJvm.start(dataDir(node), properties, environments.getOrDefault(node, Map.of()));
        brokers.put(node, broker);
        return broker;
    }

    BrokerJvm broker(int node) {
        return brokers.get(node);
    }

    Path dataDir(int node) {
        return dir.resolve("broker-" + node);
    }

    /** The disk of a broker that is not running is lost: its data directory is deleted, then created empty. */
    void loseDisk(int node) throws IOException {
        assertThat(broker(node).isAlive()).as("broker %d runs", node).isFalse();
        FaultRun.loseDisk(dataDir(node));
    }

    /** Every broker's {@code host:port}, for clients. */
    String bootstrap() {
        return ports.stream().map(port -> "127.0.0.1:" + port).collect(Collectors.joining(","));
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000));
    }

    /** Deletes {@code topic} with the Admin client (DeleteTopics), waiting for the answer. */
    void deleteTopic(String topic) throws Exception {
        try (Admin admin = admin()) {
            admin.deleteTopics(List.of(topic)).all().get(30, TimeUnit.SECONDS);
        }
    }

    /** The leader of each partition of {@code topic}, by partition, -1 for none. */
    List<Integer> leaders(String topic) throws Exception {
        try (Admin admin = admin()) {
            TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            return description.partitions().stream().sorted(Comparator.comparingInt(TopicPartitionInfo::partition))
                    .map(p -> p.leader() == null ? -1 : p.leader().id()).toList();
        }
    }

    /** The partitions of {@code topic} that {@code node} leads, once it leads at least one. */
    List<Integer> awaitPartitionsLedBy(String topic, int node) {
        List<Integer> leaders = await().atMost(LEADERS_TIMEOUT).ignoreExceptions()
                .until(() -> leaders(topic), l -> l.contains(node));
        return IntStream.range(0, leaders.size()).filter(p -> leaders.get(p) == node).boxed().toList();
    }

    /** Waits until every partition of {@code topic} has a leader, and each of {@code nodes} leads one at least. */
    void awaitLeadersOn(String topic, Collection<Integer> nodes) {
        await().atMost(LEADERS_TIMEOUT).ignoreExceptions().untilAsserted(() ->
                assertThat(leaders(topic)).doesNotContain(-1).containsAll(nodes));
    }

    /**
     * An admin's reassignment ({@code kafka-reassign-partitions}) of {@code partitions} of {@code topic} to
     * {@code node}, asked again until {@code node} leads each of them (a broker that has just started may not count
     * as live yet).
     */
    void reassign(String topic, List<Integer> partitions, int node) {
        Map<TopicPartition, Optional<NewPartitionReassignment>> moves = partitions.stream().collect(Collectors.toMap(
                p -> new TopicPartition(topic, p), p -> Optional.of(new NewPartitionReassignment(List.of(node)))));
        await().atMost(LEADERS_TIMEOUT).pollInterval(Duration.ofSeconds(1)).ignoreExceptions().untilAsserted(() -> {
            try (Admin admin = admin()) {
                admin.alterPartitionReassignments(moves).all().get(20, TimeUnit.SECONDS);
            }
            List<Integer> leaders = leaders(topic);
            assertThat(partitions).allSatisfy(p -> assertThat(leaders.get(p)).as("leader of %d", p).isEqualTo(node));
        });
    }

    /**
     * Stops broker {@code node} (SIGSTOP) for at least {@code atLeast} and until the controller took from it every
     * partition of {@code topic} (its lease expired), with a record for {@code partition}, which it leads, waiting in
     * its socket, sent by a producer without retries that reached it before; then wakes it (SIGCONT) and asserts that
     * the record is not acknowledged: a broker that lost its lease while stopped acknowledges nothing more.
     *
     * @return how long it was stopped, in milliseconds
     */
    long pausePastLeaseWithARecordWaiting(int node, String topic, int partition, Duration atLeast) throws Exception {
        BrokerJvm paused = broker(node);
        long pausedMillis;
        try (KafkaProducer<String, String> direct = producerWithoutRetries(paused.bootstrapServers())) {
            direct.send(new ProducerRecord<>(topic, partition, null, "before-pause")).get(30, TimeUnit.SECONDS);

            long pausedAt = System.nanoTime();
            paused.pause();
            Future<RecordMetadata> sentWhilePaused;
            try {
                sentWhilePaused = direct.send(new ProducerRecord<>(topic, partition, null, "sent-while-paused"));
                // (the controller takes its partitions only after a whole session timeout without heartbeats)
                // (ignoring exceptions: an admin client may first try the paused broker and time out)
                await().atMost(LEADERS_TIMEOUT).ignoreExceptions().until(() -> !leaders(topic).contains(node));
                long left = atLeast.toNanos() - (System.nanoTime() - pausedAt);
                if (left > 0) {
                    TimeUnit.NANOSECONDS.sleep(left); // the fault: stopped this long
                }
            } finally {
                paused.resume();
            }
            pausedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - pausedAt);

            assertThatThrownBy(() -> sentWhilePaused.get(60, TimeUnit.SECONDS))
                    .as("a record sent to broker %d while it was stopped past its lease", node)
                    .isInstanceOf(ExecutionException.class);
        }
        return pausedMillis;
    }

    private static KafkaProducer<String, String> producerWithoutRetries(String bootstrap) {
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

    /** Kills every broker still running and stops the S3 server. */
    @Override
    public void close() {
        brokers.values().forEach(BrokerJvm::close);
        s3.close();
    }
}
