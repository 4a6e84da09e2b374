package io.strata.broker.metrics;

import static io.strata.broker.metrics.HttpProbe.get;
import static io.strata.broker.metrics.HttpProbe.scrape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strata.broker.StrataBroker;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.it.BrokerTestBase;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The HTTP server of a running broker ({@code http.port=0}): Prometheus metrics moved by real producers and
 * consumers, health and readiness, and the life of per-topic and per-partition series.
 */
class MetricsEndpointTest extends BrokerTestBase {

    private static final String TOPIC = "metered";
    private static final int RECORDS = 500;

    private int httpPort() {
        return broker.httpPort().orElseThrow();
    }

    /** Sends {@code RECORDS} records to partition 0 and returns the bytes of their keys and values. */
    private long produce(String topic) throws Exception {
        KafkaProducer<String, String> producer = producer();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        long payload = 0;
        for (int i = 0; i < RECORDS; i++) {
            String key = "key-" + i;
            String value = "value-" + i + "-" + "x".repeat(i % 50);
            payload += key.getBytes(StandardCharsets.UTF_8).length + value.getBytes(StandardCharsets.UTF_8).length;
            acks.add(producer.send(new ProducerRecord<>(topic, 0, key, value)));
        }
        for (Future<RecordMetadata> ack : acks) {
            ack.get(30, TimeUnit.SECONDS);
        }
        return payload;
    }

    @Test
    void producedAndConsumedBytesRequestsAndLogSizeShowInTheMetrics() throws Exception {
        // Given records produced to and consumed from one topic
        createTopic(TOPIC, 1, Map.of());
        long payload = produce(TOPIC);
        KafkaConsumer<String, String> consumer = consumer();
        readFrom(consumer, new TopicPartition(TOPIC, 0), 0, RECORDS);

        // When Prometheus scrapes the broker
        PrometheusText metrics = scrape(httpPort());

        // Then the topic's counters moved by what was produced and consumed
        assertThat(metrics.require("kafka_server_brokertopicmetrics_messages_in_total", "topic", TOPIC))
                .isEqualTo(RECORDS);
        double bytesIn = metrics.require("kafka_server_brokertopicmetrics_bytes_in_total", "topic", TOPIC);
        assertThat(bytesIn).isGreaterThanOrEqualTo(payload);
        assertThat(metrics.require("kafka_server_brokertopicmetrics_bytes_out_total", "topic", TOPIC))
                .isGreaterThanOrEqualTo(payload);
        // And the broker-wide series (no topic label) include them
        assertThat(metrics.require("kafka_server_brokertopicmetrics_bytes_in_total")).isGreaterThanOrEqualTo(bytesIn);
        assertThat(metrics.require("kafka_server_brokertopicmetrics_messages_in_total")).isEqualTo(RECORDS);

        // And requests were counted and timed per API, with histogram buckets
        double produces = metrics.require("kafka_network_requestmetrics_requests_total", "request", "Produce");
        assertThat(produces).isPositive();
        assertThat(metrics.require("kafka_network_requestmetrics_requests_total", "request", "Fetch")).isPositive();
        assertThat(metrics.require("kafka_network_requestmetrics_total_time_seconds_count", "request", "Produce"))
                .isEqualTo(produces);
        assertThat(metrics.require("kafka_network_requestmetrics_total_time_seconds_bucket",
                "request", "Produce", "le", "+Inf")).isEqualTo(produces);
        assertThat(metrics.value("kafka_network_requestmetrics_total_time_seconds_bucket",
                "request", "Fetch", "le", "0.005")).isPresent();
        assertThat(metrics.require("kafka_network_requestmetrics_requests_total", "request", "Metadata")).isPositive();

        // And the partition's local log size is gauged, and the purgatories are there
        assertThat(metrics.require("kafka_log_log_size", "topic", TOPIC, "partition", "0"))
                .isGreaterThanOrEqualTo(bytesIn);
        assertThat(metrics.require("kafka_server_delayedoperationpurgatory_purgatory_size",
                "delayedOperation", "Produce")).isGreaterThanOrEqualTo(0);
        assertThat(metrics.series("kafka_server_delayedoperationpurgatory_purgatory_size")
                .stream().map(s -> s.labels().get("delayedOperation"))).containsExactlyInAnyOrder("Produce", "Fetch");

        // And JVM and process metrics are present
        assertThat(metrics.series("jvm_memory_used_bytes")).isNotEmpty();
        assertThat(metrics.series("jvm_threads_live_threads")).isNotEmpty();
        assertThat(metrics.series("jvm_classes_loaded_classes")).isNotEmpty();
        assertThat(metrics.require("process_uptime_seconds")).isPositive();
        assertThat(metrics.series("process_cpu_usage")).isNotEmpty();
    }

    @Test
    void aFetchWaitingForDataIsInTheFetchPurgatory() throws Exception {
        // Given a consumer long-polling an empty topic (fetch.min.bytes 1, wait up to 10 s)
        createTopic(TOPIC, 1, Map.of());
        KafkaConsumer<String, String> consumer = consumer(Map.of("fetch.max.wait.ms", 10_000));
        consumer.assign(List.of(new TopicPartition(TOPIC, 0)));

        // Then while it polls, the Fetch purgatory holds its request
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            consumer.poll(Duration.ofMillis(100));
            assertThat(scrape(httpPort()).require("kafka_server_delayedoperationpurgatory_purgatory_size",
                    "delayedOperation", "Fetch")).isEqualTo(1);
        });
    }

    @Test
    void partitionSeriesFollowPartitionIncreasesAndTopicDeletion() throws Exception {
        // Given a topic with traffic
        createTopic(TOPIC, 1, Map.of());
        produce(TOPIC);
        assertThat(scrape(httpPort()).value("kafka_log_log_size", "topic", TOPIC, "partition", "1")).isEmpty();

        // When its partitions increase, the new partition is gauged
        admin().createPartitions(Map.of(TOPIC, NewPartitions.increaseTo(2))).all().get(30, TimeUnit.SECONDS);
        assertThat(scrape(httpPort()).value("kafka_log_log_size", "topic", TOPIC, "partition", "1")).isPresent();

        // When the topic is deleted, its series go
        admin().deleteTopics(List.of(TOPIC)).all().get(30, TimeUnit.SECONDS);
        PrometheusText after = scrape(httpPort());
        assertThat(after.toString()).doesNotContain("topic=\"" + TOPIC + "\"");
        // And the broker-wide counters keep what the topic brought
        assertThat(after.require("kafka_server_brokertopicmetrics_messages_in_total")).isEqualTo(RECORDS);
    }

    @Test
    void healthAndReadinessAnswerAndOtherPathsAreNotFound() throws Exception {
        HttpResponse<String> health = get(httpPort(), "/health");
        HttpResponse<String> ready = get(httpPort(), "/ready");
        HttpResponse<String> unknown = get(httpPort(), "/metrics/extra");
        HttpResponse<String> post = HttpProbe.send(httpPort(), "/metrics", "POST");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("OK\n");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("READY\n");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void aBucketUnreachableAtStartMakesTheBrokerNotReadyButHealthy() throws Exception {
        // Given a broker with a topic, restarted with tiering to an S3 endpoint where nothing listens
        createTopic(TOPIC, 1, Map.of());
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        restartBroker(Map.of("remote.log.storage.system.enable", "true",
                "s3.endpoint", "http://127.0.0.1:" + closedPort,
                "s3.access.key", "nobody", "s3.secret.key", "nothing",
                "s3.max.attempts", "1"));

        // Then /ready says why it is not ready, while /health and the Kafka listener work
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> ready = get(httpPort(), "/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("bucket was not reachable");
        });
        assertThat(get(httpPort(), "/health").statusCode()).isEqualTo(200);
        assertThat(admin().listTopics().names().get(30, TimeUnit.SECONDS)).contains(TOPIC);
    }

    @Test
    void aSecondBrokerOnABusyHttpPortFailsToStartNamingTheSetting() {
        BrokerConfig second = BrokerConfig.of(Map.of(
                BrokerConfig.LISTENERS, "PLAINTEXT://127.0.0.1:0",
                BrokerConfig.HTTP_PORT, Integer.toString(httpPort()),
                BrokerConfig.LOG_DIRS, dataDir.resolve("second").toString(),
                "remote.log.storage.system.enable", "false"));

        assertThatThrownBy(() -> StrataBroker.start(second).close())
                .hasMessageContaining("HTTP server")
                .hasMessageContaining("http.port");
    }

    @Test
    void httpPortMinusOneStartsNoHttpServer() throws Exception {
        // Given the broker's HTTP port while it runs
        int previousPort = httpPort();
        assertThat(get(previousPort, "/health").statusCode()).isEqualTo(200);

        // When it restarts with http.port=-1
        restartBroker(Map.of("http.port", "-1"));

        // Then it has no HTTP server, and the Kafka listener still serves clients
        assertThat(broker.httpPort()).isEmpty();
        assertThat(admin().listTopics().names().get(30, TimeUnit.SECONDS)).isNotNull();
    }
}
