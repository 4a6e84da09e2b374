package io.strata.loadtest.bench;

import org.apache.kafka.common.MetricName;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a Kafka client saw of the broker during a run, read from its own metrics after the run (averages
 * over the client's life), for the progress line after each producer and consumer run.
 */
final class ClientMetrics {

    private ClientMetrics() {
    }

    /** The numeric values of the metrics {@code names} of metric group {@code group}, in that order. */
    static Map<String, Double> read(Map<MetricName, ? extends org.apache.kafka.common.Metric> metrics, String group,
                                    List<String> names) {
        Map<String, Double> values = new LinkedHashMap<>();
        for (String name : names) {
            metrics.entrySet().stream()
                .filter(e -> e.getKey().group().equals(group) && e.getKey().name().equals(name)
                    && !e.getKey().tags().containsKey("topic") && !e.getKey().tags().containsKey("partition"))
                .findFirst()
                .map(e -> e.getValue().metricValue())
                .filter(Number.class::isInstance)
                .ifPresent(v -> values.put(name, ((Number) v).doubleValue()));
        }
        return values;
    }

    /** {@code name value, name value, ...} with two decimals. */
    static String describe(Map<String, Double> values) {
        return values.entrySet().stream()
            .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.2f", e.getValue()))
            .collect(Collectors.joining(", "));
    }
}
