package io.strata.loadtest.bench;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Creates and deletes the benchmark's topics (replication factor 1) with a short-lived {@link Admin}. */
final class Topics {

    private Topics() {
    }

    static void create(String bootstrap, String topic, int partitions, Map<String, String> configs) throws Exception {
        try (Admin admin = Admin.create(properties(bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1).configs(configs))).all()
                .get(60, TimeUnit.SECONDS);
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
