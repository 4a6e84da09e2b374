package io.strata.loadtest.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Creates and deletes the benchmark's topics (replication factor 1, or a cluster's) with a short-lived {@link Admin}. A
 * created topic is returned only once every partition answers ListOffsets on its leader: Apache Kafka
 * answers the first produce to a partition it has not loaded yet with NOT_LEADER_OR_FOLLOWER, the producer
 * retries that first batch after later ones were appended, and the idempotent producer then retries
 * OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout (seen here on a busy machine).
 */
final class Topics {

    private Topics() {
    }

    static void create(String bootstrap, String topic, int partitions, Map<String, String> configs) throws Exception {
        create(bootstrap, topic, partitions, (short) 1, configs);
    }

    /** A topic of {@code target}'s: with its replication factor and topic configs (a cluster's RF 3). */
    static void create(Target target, String topic, int partitions) throws Exception {
        create(target.bootstrap(), topic, partitions, target.replicationFactor(), target.topicConfigs());
    }

    static void create(String bootstrap, String topic, int partitions, short replicationFactor,
                       Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(properties(bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor).configs(configs))).all()
                .get(60, TimeUnit.SECONDS);
            awaitLeaders(admin, topic, partitions);
        }
    }

    /**
     * Waits until the cluster behind {@code bootstrap} lists {@code brokers} brokers (DescribeCluster), so that its
     * first topic's partitions are spread over all of them.
     */
    static void awaitBrokers(String bootstrap, int brokers) throws Exception {
        try (Admin admin = Admin.create(properties(bootstrap))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            int seen = 0;
            while (System.nanoTime() < deadline) {
                try {
                    seen = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).size();
                    if (seen >= brokers) {
                        return;
                    }
                } catch (ExecutionException e) {
                    // not ready yet: ask again
                }
                Thread.sleep(500); // brokers register in the background: nothing to wait on but time
            }
            throw new IllegalStateException("the cluster at " + bootstrap + " lists " + seen + " of its " + brokers
                + " brokers after 90 s");
        }
    }

    private static void awaitLeaders(Admin admin, String topic, int partitions) throws Exception {
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int partition = 0; partition < partitions; partition++) {
            latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                admin.listOffsets(latest).all().get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof RetriableException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100); // the partitions are being loaded on the broker: nothing to wait on but time
            }
        }
    }

    /** Deletes the topic to free the disk (and the bucket) between runs; best effort, a failure is only reported. */
    static void deleteQuietly(String bootstrap, String topic, Progress progress) {
        try (Admin admin = Admin.create(properties(bootstrap))) {
            admin.deleteTopics(List.of(topic)).all().get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            progress.say("WARNING: deleting topic " + topic + " failed: " + e);
        }
    }

    private static Properties properties(String bootstrap) {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
        return props;
    }
}
