package io.strata.broker.tiered;

import static io.strata.broker.metrics.HttpProbe.get;
import static io.strata.broker.metrics.HttpProbe.scrape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.broker.deploy.GrafanaDashboard;
import io.strata.broker.metrics.PrometheusText;
import io.strata.tiering.remote.RemoteMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The remote tier's metrics over HTTP, with a real S3 server: segment uploads move the remote copy
 * series and the partition's remote size, a consumer reading from the bucket moves the remote fetch and
 * chunk cache series; and every metric the Grafana dashboard (docker/grafana/dashboards/strata.json) queries
 * is served with the labels the dashboard filters and groups it by, so that renaming a metric or a label
 * without the dashboard fails here.
 */
class TieredMetricsTest extends S3ServerTestBase {

    private static final String PARTITION = "partition";

    @Test
    void segmentUploadsAndRemoteReadsShowInTheMetricsTheDashboardQueries() throws Exception {
        // Given a broker that is ready, its bucket reachable
        int port = broker.httpPort().orElseThrow();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get(port, "/ready").statusCode()).isEqualTo(200));

        // When a tiered topic gets enough records for several segments, and they are uploaded
        TopicPartition tp = new TopicPartition("tiered-metrics", 0);
        createTopic(tp.topic(), 1, TIERED);
        Workload workload = new Workload(tp, 7);
        workload.send(producer(Map.of()), 1000, System.currentTimeMillis(), 1);
        awaitRemoteOnlyUpTo(tp, 500);

        // Then the copy counters, the remote size and the copy lag say so
        RemoteMetrics remote = broker.logs().remote().orElseThrow().metrics();
        PrometheusText uploaded = scrape(port);
        double copied = uploaded.require("kafka_server_brokertopicmetrics_remote_copy_bytes_total");
        assertThat(copied).isPositive().isLessThanOrEqualTo(remote.copyBytes());
        assertThat(uploaded.require("kafka_server_brokertopicmetrics_remote_copy_requests_total"))
                .isGreaterThanOrEqualTo(3); // a segment, its sidecar and the manifest at least
        assertThat(uploaded.require("kafka_server_brokertopicmetrics_remote_copy_errors_total")).isZero();
        double remoteSize = uploaded.require("kafka_server_brokertopicmetrics_remote_log_size_bytes",
                "topic", tp.topic(), PARTITION, "0");
        assertThat(remoteSize).isPositive().isLessThanOrEqualTo(copied);
        assertThat(uploaded.require("kafka_server_brokertopicmetrics_remote_copy_lag_segments",
                "topic", tp.topic(), PARTITION, "0")).isZero();
        assertThat(uploaded.require("kafka_log_log_size", "topic", tp.topic(), PARTITION, "0"))
                .as("local size: the active segment only").isPositive().isLessThan(remoteSize);

        // When a consumer reads the topic from the beginning, mostly from the bucket
        KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of());
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        poll(consumer, 1000);

        // Then the remote fetch and chunk cache series moved
        PrometheusText read = scrape(port);
        assertThat(read.require("kafka_server_brokertopicmetrics_remote_fetch_bytes_total")).isPositive();
        assertThat(read.require("kafka_server_brokertopicmetrics_remote_fetch_requests_total")).isPositive();
        assertThat(read.require("kafka_server_brokertopicmetrics_remote_fetch_errors_total")).isZero();
        assertThat(read.require("strata_remote_cache_gets_total")).isPositive();
        assertThat(read.require("strata_remote_cache_misses_total")).isPositive();
        assertThat(read.require("strata_remote_cache_size_bytes")).isPositive();
        assertThat(read.series("strata_remote_cache_hits_total")).hasSize(1);
        assertThat(read.series("strata_remote_cache_evictions_total")).hasSize(1);
        assertThat(read.require("kafka_server_brokertopicmetrics_bytes_out_total", "topic", tp.topic()))
                .isGreaterThanOrEqualTo(remoteSize);

        // And every metric the dashboard queries is served, with every label the dashboard needs; the GC
        // pause timer appears with the first collection the JVM reports, so ask for one
        Map<String, Set<String>> queried = GrafanaDashboard.queriedMetrics();
        System.gc();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(GrafanaDashboard.unserved(queried, scrape(port))).isEmpty());
    }
}
