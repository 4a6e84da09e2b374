package io.strata.loadtest.bench;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** Outcomes of a small made-up run over two systems and two rounds, for the report tests. */
final class ReportFixtures {

    static final List<Scenario> SCENARIOS = List.of(Scenario.PRODUCE_ACKS_ALL, Scenario.PRODUCE_LATENCY,
        Scenario.CATCHUP_COLD);

    private ReportFixtures() {
    }

    static List<RunOutcome> outcomes() {
        return List.of(
            RunOutcome.measured(Scenario.PRODUCE_ACKS_ALL, "strata", 1,
                Map.of(Metric.MIB_PER_SEC, 150.0, Metric.RECORDS_PER_SEC, 153600.0, Metric.P99_MS, 40.0)),
            RunOutcome.measured(Scenario.PRODUCE_ACKS_ALL, "strata", 2,
                Map.of(Metric.MIB_PER_SEC, 130.0, Metric.RECORDS_PER_SEC, 133120.0, Metric.P99_MS, 60.0)),
            RunOutcome.measured(Scenario.PRODUCE_ACKS_ALL, "kafka", 1,
                Map.of(Metric.MIB_PER_SEC, 110.0, Metric.RECORDS_PER_SEC, 112640.0, Metric.P99_MS, 50.0)),
            RunOutcome.measured(Scenario.PRODUCE_ACKS_ALL, "kafka", 2,
                Map.of(Metric.MIB_PER_SEC, 90.0, Metric.RECORDS_PER_SEC, 92160.0, Metric.P99_MS, 50.0)),
            RunOutcome.measured(Scenario.PRODUCE_LATENCY, "strata", 1,
                Map.of(Metric.P50_MS, 2.0, Metric.P99_MS, 8.0, Metric.P999_MS, 12.0)),
            RunOutcome.failed(Scenario.PRODUCE_LATENCY, "strata", 2, "TimeoutException: no ack"),
            RunOutcome.measured(Scenario.PRODUCE_LATENCY, "kafka", 1,
                Map.of(Metric.P50_MS, 4.0, Metric.P99_MS, 10.0, Metric.P999_MS, 16.0)),
            RunOutcome.measured(Scenario.PRODUCE_LATENCY, "kafka", 2,
                Map.of(Metric.P50_MS, 4.0, Metric.P99_MS, 14.0, Metric.P999_MS, 20.0)),
            RunOutcome.measured(Scenario.CATCHUP_COLD, "strata", 1, Map.of(Metric.MIB_PER_SEC, 240.0,
                Metric.RECORDS_PER_SEC, 245760.0)),
            RunOutcome.measured(Scenario.CATCHUP_COLD, "strata", 2, Map.of(Metric.MIB_PER_SEC, 260.0,
                Metric.RECORDS_PER_SEC, 266240.0)),
            RunOutcome.notApplicable(Scenario.CATCHUP_COLD, "kafka", 1, "no tiered storage"),
            RunOutcome.notApplicable(Scenario.CATCHUP_COLD, "kafka", 2, "no tiered storage"));
    }

    static Summary summary() {
        return Summary.of(List.of("strata", "kafka"), SCENARIOS, outcomes());
    }

    static List<SystemReport> systems() {
        return List.of(
            new SystemReport("strata", "127.0.0.1:1", "strata (started by the tool)", OptionalDouble.of(612.4),
                OptionalDouble.of(840.0)),
            new SystemReport("kafka", "127.0.0.1:2", "apache-kafka (started by the tool)", OptionalDouble.of(900.0),
                OptionalDouble.of(900.0)));
    }
}
