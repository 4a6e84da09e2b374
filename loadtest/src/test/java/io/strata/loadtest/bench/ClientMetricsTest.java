package io.strata.loadtest.bench;

import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.metrics.Metrics;
import org.apache.kafka.common.metrics.Sensor;
import org.apache.kafka.common.metrics.stats.Avg;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClientMetricsTest {

    @Test
    void readsTheClientWideMetricsOfTheGroupInTheOrderAsked() {
        try (Metrics metrics = new Metrics()) {
            Sensor client = metrics.sensor("fetch-size");
            client.add(metrics.metricName("fetch-size-avg", "consumer-fetch-manager-metrics",
                Map.of("client-id", "c1")), new Avg());
            Sensor perTopic = metrics.sensor("fetch-size-topic");
            perTopic.add(metrics.metricName("fetch-size-avg", "consumer-fetch-manager-metrics",
                Map.of("client-id", "c1", "topic", "t")), new Avg());
            Sensor latency = metrics.sensor("fetch-latency");
            latency.add(metrics.metricName("fetch-latency-avg", "consumer-fetch-manager-metrics",
                Map.of("client-id", "c1")), new Avg());
            Sensor otherGroup = metrics.sensor("other");
            otherGroup.add(metrics.metricName("fetch-latency-avg", "other-group", Map.of()), new Avg());
            client.record(100);
            client.record(300);
            perTopic.record(7);
            latency.record(1.5);
            otherGroup.record(99);

            Map<MetricName, ? extends org.apache.kafka.common.Metric> all = metrics.metrics();
            Map<String, Double> read = ClientMetrics.read(all, "consumer-fetch-manager-metrics",
                List.of("fetch-latency-avg", "fetch-size-avg", "records-per-request-avg"));

            assertThat(read).containsExactly(Map.entry("fetch-latency-avg", 1.5), Map.entry("fetch-size-avg", 200.0));
            assertThat(ClientMetrics.describe(read)).isEqualTo("fetch-latency-avg 1.50, fetch-size-avg 200.00");
        }
    }
}
