package io.strata.loadtest.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ResultTableTest {

    @Test
    void summaryTakesTheMedianOverRoundsAndDividesStrataByKafka() {
        Summary summary = ReportFixtures.summary();

        Summary.Row throughput = summary.rows().get(0);
        assertThat(throughput.scenario()).isEqualTo(Scenario.PRODUCE_ACKS_ALL);
        assertThat(throughput.metric()).isEqualTo(Metric.MIB_PER_SEC);
        assertThat(throughput.cells().get("strata").median()).hasValue(140.0);
        assertThat(throughput.cells().get("kafka").median()).hasValue(100.0);
        assertThat(throughput.ratio().getAsDouble()).isCloseTo(1.4, within(1e-9));
        assertThat(throughput.roundRatios()).satisfiesExactly(
            first -> assertThat(first).isCloseTo(150.0 / 110.0, within(1e-9)),
            second -> assertThat(second).isCloseTo(130.0 / 90.0, within(1e-9)));
    }

    @Test
    void failedRoundIsLeftOutOfTheMedian() {
        Summary.Row p99 = row(ReportFixtures.summary(), Scenario.PRODUCE_LATENCY, Metric.P99_MS);

        assertThat(p99.cells().get("strata").median()).hasValue(8.0);
        assertThat(p99.cells().get("kafka").median()).hasValue(12.0);
        assertThat(p99.ratio().getAsDouble()).isCloseTo(8.0 / 12.0, within(1e-9));
        assertThat(p99.roundRatios()).as("round 2 failed on strata").singleElement()
            .satisfies(first -> assertThat(first).isCloseTo(8.0 / 10.0, within(1e-9)));
    }

    @Test
    void tableHasOneRowPerScenarioAndMetricAndTheRatioColumn() {
        String table = ResultTable.render(ReportFixtures.summary(), ReportFixtures.systems());

        assertThat(table).startsWith("| scenario | metric | strata | kafka | strata/kafka | per round |\n| --- | --- | --- | --- | --- | --- |\n");
        assertThat(table).contains("| produce-acks-all | MiB/s | 140.0 | 100.0 | 1.40 | 1.36 1.44 |\n");
        assertThat(table).contains("| produce-acks-all | records/s | 143360 | 102400 | 1.40 | 1.36 1.44 |\n");
        assertThat(table).contains("| produce-latency | p99 ms | 8.00 | 12.00 | 0.67 | 0.80 |\n");
        assertThat(table).contains("| catchup-cold | MiB/s | 250.0 | n/a |  |  |\n");
        assertThat(table).contains("- catchup-cold on kafka: n/a: no tiered storage");
        assertThat(table).contains("Peak RSS of strata's broker: 612 MiB (VmHWM of its JVM); 840 MiB with its child processes");
    }

    @Test
    void noRatioColumnWithoutBothStrataAndKafka() {
        Summary summary = Summary.of(List.of("strata"), ReportFixtures.SCENARIOS, ReportFixtures.outcomes());

        String table = ResultTable.render(summary, List.of());

        assertThat(summary.hasRatio()).isFalse();
        assertThat(table).startsWith("| scenario | metric | strata |\n");
        assertThat(table).contains("| produce-acks-all | MiB/s | 140.0 |\n");
        assertThat(table).doesNotContain("strata/kafka");
    }

    @Test
    void onlyFailedRoundsShowFailedWithTheReason() {
        List<RunOutcome> outcomes = List.of(RunOutcome.failed(Scenario.CONSUME_HOT, "kafka", 1, "TimeoutException"));
        Summary summary = Summary.of(List.of("kafka"), List.of(Scenario.CONSUME_HOT), outcomes);

        String table = ResultTable.render(summary, List.of());

        assertThat(table).contains("| consume-hot | MiB/s | failed |\n");
        assertThat(table).contains("- consume-hot on kafka: failed: TimeoutException");
    }

    private static Summary.Row row(Summary summary, Scenario scenario, Metric metric) {
        return summary.rows().stream().filter(row -> row.scenario() == scenario && row.metric() == metric)
            .findFirst().orElseThrow();
    }

    @Test
    void theClusterPairGetsTheRatioColumnAndTheGoalsOfIssue15() {
        List<RunOutcome> outcomes = List.of(
            RunOutcome.measured(Scenario.PRODUCE_ACKS_ALL, "strata-cluster", 1, java.util.Map.of(Metric.MIB_PER_SEC, 60.0)),
            RunOutcome.measured(Scenario.PRODUCE_ACKS_ALL, "kafka-cluster", 1, java.util.Map.of(Metric.MIB_PER_SEC, 40.0)),
            RunOutcome.measured(Scenario.PRODUCE_LATENCY, "strata-cluster", 1, java.util.Map.of(Metric.P99_MS, 30.0)),
            RunOutcome.measured(Scenario.PRODUCE_LATENCY, "kafka-cluster", 1, java.util.Map.of(Metric.P99_MS, 100.0)),
            RunOutcome.measured(Scenario.WAL_PATH, "strata-cluster", 1, java.util.Map.of(Metric.P99_MS, 12.0)),
            RunOutcome.notApplicable(Scenario.WAL_PATH, "kafka-cluster", 1, "no write-ahead log"));
        Summary summary = Summary.of(List.of("strata-cluster", "kafka-cluster"),
            List.of(Scenario.PRODUCE_ACKS_ALL, Scenario.PRODUCE_LATENCY, Scenario.WAL_PATH), outcomes);

        String table = ResultTable.render(summary, List.of());

        assertThat(summary.ratioLabel()).hasValue("strata-cluster/kafka-cluster");
        assertThat(table).startsWith("| scenario | metric | strata-cluster | kafka-cluster | strata-cluster/kafka-cluster"
            + " | per round |\n");
        assertThat(table).contains("| produce-acks-all | MiB/s | 60.0 | 40.0 | 1.50 | 1.50 |\n");
        assertThat(table).contains("- produce throughput strata-cluster/kafka-cluster: 1.50x (goal >= 1.5x): met");
        assertThat(table).contains("- produce p99 at the fixed rate strata-cluster/kafka-cluster: 0.30x (goal <= 0.5x): met");
        assertThat(table).contains("- strata-cluster produce p99 30.00 ms against the WAL path's physical p99 12.00 ms"
            + " + wal.linger.ms 5 + 5 ms = 22.00 ms: not met");
    }
}
