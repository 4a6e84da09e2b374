package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.StrataBroker;
import io.strata.broker.config.BrokerConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the end-to-end tests: one in-process broker per test on a random port of 127.0.0.1 over a
 * fresh data directory, and factories for real Kafka clients (String keys and values) pointed at it.
 * Every client created here is closed after the test, before the broker. Subclasses change broker
 * settings by overriding {@link #brokerProperties()} or with {@link #restartBroker(Map)}.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
public abstract class BrokerTestBase {

    @TempDir
    protected Path dataDir;

    protected StrataBroker broker;

    private final List<AutoCloseable> clients = new ArrayList<>();

    /**
     * Broker settings on top of the test defaults (listener on port 0, data in {@link #dataDir},
     * tiering off).
     */
    protected Map<String, String> brokerProperties() {
        return Map.of();
    }

    @BeforeEach
    protected final void startBroker() {
        broker = StrataBroker.start(brokerConfig(Map.of()));
    }

    @AfterEach
    protected final void stopBrokerAndClients() throws Exception {
        closeClients();
        if (broker != null) {
            broker.close();
        }
    }

    private BrokerConfig brokerConfig(Map<String, String> extra) {
        Map<String, String> properties = new HashMap<>();
        properties.put(BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:0");
        properties.put(BrokerConfig.HTTP_PORT, "0");
        properties.put(BrokerConfig.LOG_DIRS, dataDir.toString());
        properties.put(BrokerConfig.NUM_NETWORK_THREADS, "2");
        properties.put(BrokerConfig.WORKER_POOL_SIZE, "4");
        // The local-tier tests run without a bucket; the tiering tests turn it on.
        properties.put("remote.log.storage.system.enable", "false");
        properties.putAll(brokerProperties());
        properties.putAll(extra);
        return BrokerConfig.of(properties);
    }

    /**
     * Closes every client and the broker, then starts a new broker on the same data directory with
     * {@code extra} settings added; clients must be created again (the port changes).
     */
    protected void restartBroker(Map<String, String> extra) throws Exception {
        restartBroker(extra, () -> {
        });
    }

    /** Work on the data directory while the broker is stopped. */
    @FunctionalInterface
    protected interface WhileStopped {
        void run() throws Exception;
    }

    /** As {@link #restartBroker(Map)}, running {@code whileStopped} between stop and start. */
    protected void restartBroker(Map<String, String> extra, WhileStopped whileStopped) throws Exception {
        closeClients();
        broker.close();
        broker = null;
        whileStopped.run();
        broker = StrataBroker.start(brokerConfig(extra));
    }

    private void closeClients() throws Exception {
        for (int i = clients.size() - 1; i >= 0; i--) {
            clients.get(i).close();
        }
        clients.clear();
    }

    protected <C extends AutoCloseable> C track(C client) {
        clients.add(client);
        return client;
    }

    protected Admin admin() {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        return track(Admin.create(props));
    }

    /** A producer with the client defaults (idempotent, acks=all) except bounded timeouts, plus {@code overrides}. */
    protected KafkaProducer<String, String> producer(Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 15_000);
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.putAll(overrides);
        return track(new KafkaProducer<>(props, new StringSerializer(), new StringSerializer()));
    }

    protected KafkaProducer<String, String> producer() {
        return producer(Map.of());
    }

    /** A consumer without a group (assign/seek only), reset to earliest, plus {@code overrides}. */
    protected KafkaConsumer<String, String> consumer(Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
        props.putAll(overrides);
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new StringDeserializer());
        // A fetch parked at the broker holds up close() for up to fetch.max.wait.ms; nothing to commit here.
        track(() -> consumer.close(CloseOptions.timeout(Duration.ofSeconds(2))));
        return consumer;
    }

    protected KafkaConsumer<String, String> consumer() {
        return consumer(Map.of());
    }

    protected void createTopic(String name, int partitions, Map<String, String> configs) throws Exception {
        admin().createTopics(List.of(new NewTopic(name, partitions, (short) 1).configs(configs)))
                .all().get(30, TimeUnit.SECONDS);
    }

    /**
     * Polls until at least {@code count} records arrived (the last poll may bring more), failing if they do
     * not arrive within 60 s.
     */
    protected static <K, V> List<ConsumerRecord<K, V>> poll(KafkaConsumer<K, V> consumer, int count) {
        List<ConsumerRecord<K, V>> records = new ArrayList<>(count);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (records.size() < count && System.nanoTime() < deadline) {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
        }
        assertThat(records).as("records polled within 60 s").hasSizeGreaterThanOrEqualTo(count);
        return records;
    }

    /** Assigns {@code partition} to {@code consumer}, seeks to {@code offset} and reads at least {@code count} records. */
    protected static <K, V> List<ConsumerRecord<K, V>> readFrom(KafkaConsumer<K, V> consumer, TopicPartition partition,
                                                               long offset, int count) {
        consumer.assign(List.of(partition));
        consumer.seek(partition, offset);
        return poll(consumer, count);
    }

    /** What {@code offsetsForTimes} finds for {@code timestamp}, without the leader epoch; null when nothing. */
    protected static OffsetAndTimestamp offsetForTime(KafkaConsumer<?, ?> consumer, TopicPartition partition,
                                                      long timestamp) {
        OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(partition, timestamp)).get(partition);
        return found == null ? null : new OffsetAndTimestamp(found.offset(), found.timestamp());
    }

    protected static String header(ConsumerRecord<?, ?> record, String key) {
        Header header = record.headers().lastHeader(key);
        assertThat(header).as("header %s of offset %d", key, record.offset()).isNotNull();
        return new String(header.value(), StandardCharsets.UTF_8);
    }
}
