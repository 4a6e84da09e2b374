package io.strata.broker.group;

import io.strata.broker.config.BrokerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Java clients for the consumer-group tests: group consumers with quick heartbeats, a producer, an admin. */
final class GroupTestClients {

    /**
     * A broker for fast group tests over {@code dataDir}: port 0 on 127.0.0.1, tiering off, short initial
     * rebalance delay, short session timeouts allowed.
     */
    static BrokerConfig brokerConfig(Path dataDir) {
        return BrokerConfig.of(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "http.port", "0",
                "log.dirs", dataDir.toString(),
                "remote.log.storage.system.enable", "false",
                "group.initial.rebalance.delay.ms", "200",
                "group.min.session.timeout.ms", "1000"));
    }

    private GroupTestClients() {
    }

    /** A classic-protocol consumer of {@code group}; {@code overrides} win. */
    static KafkaConsumer<String, String> consumer(String bootstrap, String group, Map<String, Object> overrides) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
        props.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000);
        props.putAll(overrides);
        return new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
    }

    static KafkaProducer<String, String> producer(String bootstrap) {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, 0), new StringSerializer(), new StringSerializer());
    }

    static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
        try (Admin admin = admin(bootstrap)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        }
    }

    /** Produces {@code perPartition} records to each partition, values {@code p<partition>-<n>}. */
    static void produce(String bootstrap, String topic, int partitions, int perPartition, String prefix)
            throws Exception {
        try (KafkaProducer<String, String> producer = producer(bootstrap)) {
            for (int p = 0; p < partitions; p++) {
                for (int n = 0; n < perPartition; n++) {
                    producer.send(new ProducerRecord<>(topic, p, null, prefix + "p" + p + "-" + n));
                }
            }
            producer.flush();
        }
    }

    /** Polls until {@code count} records arrived (or 30 s passed, which fails). */
    static List<ConsumerRecord<String, String>> pollUntil(KafkaConsumer<String, String> consumer, int count) {
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (records.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("Got " + records.size() + " of " + count + " records within 30 s");
            }
            consumer.poll(Duration.ofMillis(100)).forEach(records::add);
        }
        return records;
    }
}
