package io.strata.broker.admin;

import io.strata.broker.StrataBroker;
import io.strata.broker.config.BrokerConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Base of the admin tests: one broker per test class (port 0 on 127.0.0.1, no bucket, broker retention
 * of one day, a secret S3 key set) and an {@code Admin} on it, plus client helpers.
 */
abstract class AdminBrokerTestBase {

    static final String SECRET = "not-to-be-shown";

    @TempDir
    static Path dataDir;

    static StrataBroker broker;
    static Admin admin;

    @BeforeAll
    static void startBroker() {
        broker = StrataBroker.start(BrokerConfig.of(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "http.port", "0",
                "log.dirs", dataDir.toString(),
                "remote.log.storage.system.enable", "false",
                "log.retention.ms", "86400000",
                "s3.access.key", "strata-test",
                "s3.secret.key", SECRET)));
        admin = admin(broker.bootstrapServers());
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

    static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    static void createTopic(Admin admin, String topic, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }

    /** {@code perPartition} records to each of the first {@code partitions} partitions, with an idempotent producer. */
    static void produce(String bootstrap, String topic, int partitions, int perPartition) throws Exception {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), new StringSerializer(), new StringSerializer())) {
            for (int p = 0; p < partitions; p++) {
                for (int i = 0; i < perPartition; i++) {
                    producer.send(new ProducerRecord<>(topic, p, "k" + i, "v" + i)).get();
                }
            }
        }
    }
}
