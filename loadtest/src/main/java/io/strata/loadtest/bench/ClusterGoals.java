package io.strata.loadtest.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Issue 15's goals for a Strata cluster with its write-ahead log, checked against the medians of a run (reported,
 * not asserted): produce throughput at least 1.5x Kafka's three-broker cluster, produce p99 at the fixed rate at most
 * 0.5x Kafka's, produce p99 at most the physical limit of the WAL path (wal-path's p99) plus {@code wal.linger.ms}
 * plus 5 ms, and with the object store slowed to cloud-like latency a produce p99 of at most 100 ms. A goal whose
 * figures are missing is left out.
 */
final class ClusterGoals {

    private ClusterGoals() {
    }

    static List<String> check(Summary summary) {
        List<String> lines = new ArrayList<>();
        String strata = Systems.STRATA_CLUSTER;
        String kafka = Systems.KAFKA_CLUSTER;
        ratio(summary, Scenario.PRODUCE_ACKS_ALL, Metric.MIB_PER_SEC, strata, kafka).ifPresent(ratio -> lines.add(
            line("produce throughput " + strata + "/" + kafka, ratio, "x", ">= 1.5x", ratio >= 1.5)));
        ratio(summary, Scenario.PRODUCE_LATENCY, Metric.P99_MS, strata, kafka).ifPresent(ratio -> lines.add(
            line("produce p99 at the fixed rate " + strata + "/" + kafka, ratio, "x", "<= 0.5x", ratio <= 0.5)));
        ratio(summary, Scenario.E2E_LATENCY, Metric.P99_MS, strata, kafka).ifPresent(ratio -> lines.add(
            String.format(Locale.ROOT, "- end-to-end p99 at the fixed rate %s/%s: %.2fx (no goal)", strata, kafka,
                ratio)));
        for (String system : List.of(strata, Systems.STRATA_CLUSTER_SLOW_S3)) {
            OptionalDouble produce = median(summary, Scenario.PRODUCE_LATENCY, Metric.P99_MS, system);
            OptionalDouble physical = median(summary, Scenario.WAL_PATH, Metric.P99_MS, system);
            if (produce.isPresent() && physical.isPresent()) {
                double limit = physical.getAsDouble() + ClusterServices.WAL_LINGER_MS + 5;
                lines.add(String.format(Locale.ROOT, "- %s produce p99 %.2f ms against the WAL path's physical p99"
                        + " %.2f ms + wal.linger.ms %d + 5 ms = %.2f ms: %s", system, produce.getAsDouble(),
                    physical.getAsDouble(), ClusterServices.WAL_LINGER_MS, limit,
                    produce.getAsDouble() <= limit ? "met" : "not met"));
            }
        }
        median(summary, Scenario.PRODUCE_LATENCY, Metric.P99_MS, Systems.STRATA_CLUSTER_SLOW_S3).ifPresent(p99 ->
            lines.add(line(Systems.STRATA_CLUSTER_SLOW_S3 + " produce p99 at the fixed rate", p99, " ms", "<= 100 ms",
                p99 <= 100)));
        return lines;
    }

    private static String line(String what, double value, String unit, String goal, boolean met) {
        return String.format(Locale.ROOT, "- %s: %.2f%s (goal %s): %s", what, value, unit, goal, met ? "met" : "not met");
    }

    private static OptionalDouble ratio(Summary summary, Scenario scenario, Metric metric, String over, String under) {
        OptionalDouble top = median(summary, scenario, metric, over);
        OptionalDouble bottom = median(summary, scenario, metric, under);
        return top.isPresent() && bottom.isPresent() && bottom.getAsDouble() != 0
            ? OptionalDouble.of(top.getAsDouble() / bottom.getAsDouble()) : OptionalDouble.empty();
    }

    private static OptionalDouble median(Summary summary, Scenario scenario, Metric metric, String system) {
        return summary.rows().stream().filter(row -> row.scenario() == scenario && row.metric() == metric)
            .map(row -> row.cells().get(system)).filter(cell -> cell != null && cell.median().isPresent())
            .mapToDouble(cell -> cell.median().getAsDouble()).findFirst();
    }
}
