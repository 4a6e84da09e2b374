package io.strata.broker.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.metrics.PrometheusText;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The reading of the dashboard's PromQL: which metrics and labels an expression needs, and how a scrape
 * that lacks them is reported. That the real broker serves them is TieredMetricsTest's job.
 */
class GrafanaDashboardTest {

    @Test
    void aHistogramQuantileNeedsTheBucketSeriesWithItsGroupingLabels() {
        assertThat(GrafanaDashboard.metricsAndLabels("histogram_quantile(0.99, sum by (request, le) "
                + "(rate(a_seconds_bucket{topic=~\"$topic\",topic!=\"\"}[$__rate_interval])))"))
                .isEqualTo(Map.of("a_seconds_bucket", Set.of("request", "le", "topic")));
    }

    @Test
    void functionsKeywordsNumbersAndLabelValuesAreNotMetrics() {
        assertThat(GrafanaDashboard.metricsAndLabels("sum(a_total{result=\"hit\"} > 0) / sum without (x) "
                + "(b_total offset 5m) + process_cpu_usage and on (y) rate(c_total{area=\"by(z)\"}[5m:1m])"))
                .isEqualTo(Map.of("a_total", Set.of("result", "x"), "b_total", Set.of("x"),
                        "process_cpu_usage", Set.of("x"), "c_total", Set.of("area", "x")));
    }

    @Test
    void aRenamedMetricAndAMissingLabelAreReported() {
        PrometheusText scrape = PrometheusText.parse("""
                # TYPE kafka_network_requestmetrics_requests_total counter
                kafka_network_requestmetrics_requests_total{request="Produce"} 3.0
                kafka_server_brokertopicmetrics_bytes_in_total 10.0
                """);

        assertThat(GrafanaDashboard.unserved(Map.of(
                "kafka_network_requestmetrics_requests_total", Set.of("request"),
                "kafka_server_brokertopicmetrics_bytes_in_total", Set.of("topic"),
                "kafka_network_requestmetrics_total_time_ms_bucket", Set.of("le")), scrape))
                .containsExactlyInAnyOrder(
                        "kafka_server_brokertopicmetrics_bytes_in_total: no sample has the label topic, only [[]]",
                        "kafka_network_requestmetrics_total_time_ms_bucket: no such series");
    }

    @Test
    void everyPanelAndTemplateQueryNamesAtLeastOneMetric() {
        assertThat(GrafanaDashboard.queriedMetrics())
                .containsEntry("kafka_server_brokertopicmetrics_bytes_in_total", Set.of("topic"))
                .hasSizeGreaterThanOrEqualTo(20);
        GrafanaDashboard.panels().forEach(panel -> panel.path("targets").forEach(target ->
                assertThat(GrafanaDashboard.metricsAndLabels(target.path("expr").asText()))
                        .as("metrics of %s", target.path("expr").asText()).isNotEmpty()));
    }
}
